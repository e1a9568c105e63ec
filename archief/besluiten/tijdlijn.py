# SPDX-License-Identifier: EUPL-1.2
"""Track and trace: a besluit's steps and a dossier's history, as far as the caller may see.

One rule for every view here: a step is shown iff the caller may read its
layer of the dossier; a linked record iff the caller may read it now; a
record's version iff the caller may read the record now and could read it
in that version's layer (so the public never learns a record's internal
history). What is hidden is left out, not counted and not hinted at: no
sequence numbers, no creation dates outside the steps. A besluit with no
step the caller may see does not exist for them (404).

Who sees is a `Zicht`: the request's Access for the API, everything for the
operator at the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.besluiten import flow, repository
from archief.besluiten.schemas import (
    BesluitOut,
    BesluitRef,
    DossierRef,
    KenmerkOut,
    RecordRef,
    StapOut,
    TijdlijnEvent,
)
from archief.catalog.models import Besluit, BesluitStap, Dossier, Record
from archief.errors import NotFound
from archief.toegang.access import Access
from policies.subject import Target

Zicht = Callable[[Target], bool]


def zicht(access: Access) -> Zicht:
    """What the caller of a request may read."""
    return lambda target: access.can(target, "read")


def alles(_target: Target) -> bool:
    """The operator at the command line: shell access to the catalog sees everything anyway."""
    return True


@dataclass(frozen=True, slots=True)
class _Plek:
    """A dossier with its dienst, looked up once per view."""

    dossier: Dossier
    dienst: str

    def target(self, laag: str) -> Target:
        return Target(laag, self.dossier.afdeling, self.dienst)


def _plek(session: Session, dossier: Dossier) -> _Plek:
    return _Plek(dossier, repository.dienst_of(session, dossier))


def besluit_url(besluit_id: str) -> str:
    return f"/besluiten/{besluit_id}"


def _record_ref(record: Record) -> RecordRef:
    return RecordRef(
        id=record.id, titel=record.titel, laag=record.laag, url=f"/records/{record.id}"
    )


def _readable(session: Session, plek: _Plek, ids: Iterable[str], ziet: Zicht) -> dict[str, Record]:
    """Those of `ids` the caller may read now (linked records all sit in the dossier)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(Record).where(Record.id.in_(wanted)))
    return {r.id: r for r in rows if r.dossier_id == plek.dossier.id and ziet(plek.target(r.laag))}


def readable_records(
    session: Session, besluit: Besluit, ids: Iterable[str], ziet: Zicht
) -> dict[str, Record]:
    """Of the records `ids`, those in the besluit's dossier the viewer may read now."""
    dossier = session.get(Dossier, besluit.dossier_id)
    return _readable(session, _plek(session, dossier), ids, ziet) if dossier else {}


def dossier_ref(dossier: Dossier) -> DossierRef:
    return DossierRef(id=dossier.id, kenmerk=dossier.kenmerk, titel=dossier.titel)


def besluit_ref(besluit: Besluit) -> BesluitRef:
    return BesluitRef(
        id=besluit.id,
        kenmerk=besluit.kenmerk,
        onderwerp=besluit.onderwerp,
        url=besluit_url(besluit.id),
    )


def stap_out(stap: BesluitStap, fase: str, records: dict[str, Record]) -> StapOut:
    """One step as shown; `records` holds the linked records the viewer may read."""
    soort = flow.BY_SOORT.get(stap.soort)
    return StapOut(
        id=stap.id,
        soort=stap.soort,
        titel=soort.titel if soort else stap.soort,
        uitkomst=stap.uitkomst,
        datum=stap.datum,
        vastgelegd=stap.at,
        actor=stap.actor,
        actor_naam=stap.actor_naam,
        toelichting=stap.toelichting,
        laag=stap.laag,
        fase=fase,
        records=[_record_ref(records[rid]) for rid in stap.records or [] if rid in records],
    )


def _visible_steps(
    session: Session, plek: _Plek, besluit: Besluit, ziet: Zicht
) -> tuple[list[tuple[BesluitStap, str]], bool]:
    """The visible steps with the phase after each, and whether the newest one is among them."""
    rows = repository.stappen(session, [besluit.id])
    fasen = flow.replay((r.soort, r.uitkomst) for r in rows)
    shown = [(r, f) for r, f in zip(rows, fasen, strict=True) if ziet(plek.target(r.laag))]
    return shown, bool(rows) and bool(shown) and shown[-1][0].id == rows[-1].id


def besluit_view(session: Session, besluit: Besluit, ziet: Zicht) -> BesluitOut | None:
    """The besluit as the viewer may see it; None when they may see no step of it."""
    dossier = session.get(Dossier, besluit.dossier_id)
    if dossier is None:
        return None
    plek = _plek(session, dossier)
    shown, newest = _visible_steps(session, plek, besluit, ziet)
    if not shown:
        return None
    ids = [rid for stap, _ in shown for rid in stap.records or []]
    if besluit.nota_record_id:
        ids.append(besluit.nota_record_id)
    records = _readable(session, plek, ids, ziet)
    nota = records.get(besluit.nota_record_id or "")
    url = besluit_url(besluit.id)
    return BesluitOut(
        id=besluit.id,
        kenmerk=besluit.kenmerk,
        onderwerp=besluit.onderwerp,
        dossier=dossier_ref(dossier),
        steller=besluit.steller,
        steller_naam=besluit.steller_naam,
        nota=_record_ref(nota) if nota is not None else None,
        fase=shown[-1][1],
        # Only who sees the newest step learns what may come next.
        volgende=flow.volgende(besluit.fase) if newest else [],
        stappen=[stap_out(stap, fase, records) for stap, fase in shown],
        links={
            "self": url,
            "tijdlijn": f"{url}/tijdlijn",
            "atom": f"{url}/tijdlijn.atom",
            "dossier": f"/dossiers/{dossier.id}/tijdlijn",
        },
    )


def besluit_or_404(session: Session, besluit_id: str, ziet: Zicht) -> BesluitOut:
    besluit = repository.besluit(session, besluit_id)
    view = besluit_view(session, besluit, ziet) if besluit is not None else None
    if view is None:
        raise NotFound(f"no besluit {besluit_id}")
    return view


# -- a dossier's timeline -----------------------------------------------------


def _besluit_events(session: Session, plek: _Plek, ziet: Zicht) -> list[TijdlijnEvent]:
    events = []
    for besluit in repository.besluiten_of_dossier(session, plek.dossier.id):
        shown, _ = _visible_steps(session, plek, besluit, ziet)
        records = _readable(session, plek, (r for s, _ in shown for r in s.records or []), ziet)
        for stap, fase in shown:
            out = stap_out(stap, fase, records)
            events.append(
                TijdlijnEvent(
                    soort="besluit",
                    actie=f"besluit.{stap.soort}",
                    titel=f"{besluit.kenmerk}: {out.titel}",
                    datum=stap.datum,
                    actor=stap.actor,
                    actor_naam=stap.actor_naam,
                    laag=stap.laag,
                    uitkomst=stap.uitkomst,
                    toelichting=stap.toelichting,
                    besluit=besluit_ref(besluit),
                    records=out.records,
                )
            )
    return events


def _record_events(session: Session, plek: _Plek, ziet: Zicht) -> list[TijdlijnEvent]:
    events = []
    for versie, record in repository.versies_of_dossier(session, plek.dossier.id):
        if not (ziet(plek.target(record.laag)) and ziet(plek.target(versie.laag))):
            continue
        events.append(
            TijdlijnEvent(
                soort="record",
                actie=f"record.{versie.actie}",
                titel=versie.titel,
                datum=versie.at,
                actor=versie.door,
                actor_naam=versie.door,
                laag=versie.laag,
                record=_record_ref(record),
            )
        )
    return events


def dossier_events(session: Session, dossier: Dossier, ziet: Zicht) -> list[TijdlijnEvent]:
    """Besluit steps and record versions of the dossier the viewer may see, oldest first."""
    plek = _plek(session, dossier)
    events = _besluit_events(session, plek, ziet) + _record_events(session, plek, ziet)
    # Stable: within one moment, a besluit step stays before the version it caused.
    return sorted(events, key=lambda e: e.datum)


def dossier_or_404(
    session: Session, access: Access, dossier_id: str
) -> tuple[Dossier, list[TijdlijnEvent]]:
    """The dossier and its visible events; 404 if the caller sees nothing of it."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound(f"no dossier {dossier_id}")
    events = dossier_events(session, dossier, zicht(access))
    if not events and not repository.dossier_visible(session, access, dossier):
        raise NotFound(f"no dossier {dossier_id}")
    return dossier, events


# -- kenmerk ------------------------------------------------------------------


def lookup(session: Session, access: Access, kenmerk: str) -> KenmerkOut:
    """What a kenmerk names (a dossier or a besluit) and where it lives, if the caller sees it."""
    dossier = repository.dossier_by_kenmerk(session, kenmerk)
    if dossier is not None:
        visible = repository.dossier_visible(session, access, dossier)
        if visible or dossier_events(session, dossier, zicht(access)):
            tijdlijn = f"/dossiers/{dossier.id}/tijdlijn"
            return KenmerkOut(
                kenmerk=dossier.kenmerk,
                soort="dossier",
                id=dossier.id,
                titel=dossier.titel,
                url=f"/dossiers/{dossier.id}" if visible else tijdlijn,
                tijdlijn=tijdlijn,
            )
    besluit = repository.besluit_by_kenmerk(session, kenmerk)
    if besluit is not None and besluit_view(session, besluit, zicht(access)) is not None:
        url = besluit_url(besluit.id)
        return KenmerkOut(
            kenmerk=besluit.kenmerk,
            soort="besluit",
            id=besluit.id,
            titel=besluit.onderwerp,
            url=url,
            tijdlijn=f"{url}/tijdlijn",
        )
    raise NotFound(f"nothing with kenmerk {kenmerk}")
