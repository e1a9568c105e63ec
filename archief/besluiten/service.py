# SPDX-License-Identifier: EUPL-1.2
"""Writing the besluitnota workflow: a new besluit, and each step after it.

Every step is checked in this order, so that nothing is told to someone
who may not know it: the besluit must be visible to the caller (else 404,
as if it did not exist); the kind must exist (else 422); the caller must
hold a system action that allows the step (else 403); the step must follow
the current phase (else 409 `stap_buiten_volgorde`, naming what may come
next); then its content must be valid (422 `stap_ongeldig`, 409
`niet_openbaar`). A step, its phase
change, the memo's lock and their audit entries share one transaction;
services flush, the caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.besluiten import flow, repository
from archief.besluiten.flow import Stap
from archief.catalog.models import Besluit, BesluitStap, Dossier, Record
from archief.errors import ArchiefError, Forbidden, NotFound
from archief.toegang.access import Access, positions, target_of
from archief.versies import record_changed, record_state
from policies.engine import OPENBAAR

log = structlog.get_logger(__name__)

# A date without a zone is what a clerk in Groningen typed.
LOKAAL = ZoneInfo("Europe/Amsterdam")
# Phases after which nothing may follow: a memo in them is free for a new besluit.
AFGESLOTEN = tuple(fase for fase in flow.FASEN if fase != flow.NIEUW and not flow.volgende(fase))


class StapBuitenVolgorde(ArchiefError):
    code = "stap_buiten_volgorde"
    status = 409
    title = "Stap buiten volgorde"


class StapOngeldig(ArchiefError):
    code = "stap_ongeldig"
    status = 422
    title = "Ongeldige stap"


class NietOpenbaar(ArchiefError):
    code = "niet_openbaar"
    status = 409
    title = "Records nog niet openbaar"


class NotaOnleesbaar(ArchiefError):
    code = "nota_onleesbaar"
    status = 409
    title = "Besluitnota niet leesbaar"


class NotaInGebruik(ArchiefError):
    code = "nota_in_gebruik"
    status = 409
    title = "Besluitnota al in behandeling"


class KenmerkBezet(ArchiefError):
    code = "kenmerk_bezet"
    status = 409
    title = "Kenmerk al in gebruik"


class LaagOntbreekt(ArchiefError):
    """The live policy lacks a layer the workflow table needs: a configuration error."""

    code = "besluit_laag_onbekend"
    status = 500
    title = "Beleid mist een laag van de besluitvorming"


@dataclass(frozen=True, slots=True)
class StapData:
    soort: str
    uitkomst: str | None = None
    datum: datetime | None = None
    toelichting: str = ""
    records: Sequence[str] = ()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=LOKAAL) if moment.tzinfo is None else moment


def _datum(given: datetime | None, now: datetime, vorige: datetime | None) -> datetime:
    """When the step happened: given or now; never in the future, never before the step before."""
    if given is None:
        return now
    datum = _aware(given)
    if datum > now:
        raise StapOngeldig(f"datum {datum.isoformat()} lies in the future", field="datum")
    if vorige is not None and datum < vorige:
        raise StapOngeldig(
            f"datum {datum.isoformat()} lies before the step before it ({vorige.isoformat()})",
            field="datum",
        )
    return datum


def _naam(access: Access) -> str:
    return access.subject.naam or access.subject.id


def _laag(access: Access, stap: Stap) -> None:
    if access.policy.laag(stap.laag) is None:
        raise LaagOntbreekt(
            f"step {stap.soort} is visible in layer {stap.laag!r}, which the live policy "
            f"does not have (layers: {', '.join(access.policy.laag_codes)})"
        )


def _linked(
    session: Session, access: Access, dossier: Dossier, record_ids: Sequence[str]
) -> list[str]:
    """The linked records, each in the besluit's dossier and readable by the actor."""
    ids = list(dict.fromkeys(record_ids))
    where = positions(session, ids)
    for rid in ids:
        pos = where.get(rid)
        # Missing, elsewhere and unreadable read the same: nothing is confirmed.
        if pos is None or pos.dossier_id != dossier.id or not access.can(pos.target, "read"):
            raise StapOngeldig(
                f"record {rid} is not a record of dossier {dossier.kenmerk} you can read",
                field="records",
                record=rid,
            )
    return ids


def _append_stap(
    session: Session,
    access: Access,
    besluit: Besluit,
    stap: Stap,
    *,
    volgnummer: int,
    naar: str,
    data: StapData,
    datum: datetime,
    records: list[str],
    now: datetime,
) -> BesluitStap:
    row = BesluitStap(
        besluit_id=besluit.id,
        volgnummer=volgnummer,
        soort=stap.soort,
        laag=stap.laag,
        datum=datum,
        actor=access.subject.id,
        actor_naam=_naam(access),
        uitkomst=data.uitkomst,
        toelichting=data.toelichting,
        records=records,
        at=now,
    )
    session.add(row)
    voor = besluit.fase if volgnummer > 1 else None
    besluit.fase = naar
    session.flush()
    append(
        session,
        actor=Actor.of(access.subject),
        actie=f"besluit.{stap.soort}",
        object_type="besluit",
        object_id=besluit.id,
        dossier_id=besluit.dossier_id,
        at=now,
        voor={"fase": voor} if voor is not None else None,
        na={"fase": naar},
        details={
            "kenmerk": besluit.kenmerk,
            "stap": row.id,
            "volgnummer": volgnummer,
            "datum": datum.isoformat(),
            "uitkomst": data.uitkomst,
            "records": records,
            "toelichting": data.toelichting,
        },
    )
    log.info(
        "besluit.stap",
        besluit_id=besluit.id,
        soort=stap.soort,
        van=voor,
        naar=naar,
        actor=access.subject.id,
    )
    return row


# -- a new besluit ------------------------------------------------------------


def create(
    session: Session,
    access: Access,
    *,
    dossier_kenmerk: str,
    onderwerp: str,
    nota_id: str,
    now: datetime,
    kenmerk: str | None = None,
    steller_naam: str | None = None,
    datum: datetime | None = None,
    toelichting: str = "",
) -> tuple[Besluit, BesluitStap]:
    """A besluit on a memo in a dossier, with its first step `opgesteld` by the caller."""
    dossier = repository.dossier_by_kenmerk(session, dossier_kenmerk)
    if dossier is None or not repository.dossier_visible(session, access, dossier):
        raise NotFound(f"no dossier {dossier_kenmerk}")
    nota = session.get(Record, nota_id, with_for_update=True)
    if nota is None or nota.dossier_id != dossier.id:
        raise NotFound(f"no record {nota_id} in dossier {dossier_kenmerk}")
    here = target_of(session, nota)
    access.require(here, "read", f"record {nota_id} in dossier {dossier_kenmerk}")
    if not access.can(here, "write"):
        raise Forbidden(
            f"you may not write in layer {nota.laag!r} of dossier {dossier_kenmerk}, "
            "so you cannot put this memo forward"
        )
    stap = flow.OPGESTELD
    _laag(access, stap)
    bezig = repository.open_besluit_for_nota(session, nota.id, AFGESLOTEN)
    if bezig is not None or nota.vergrendeld_door is not None:
        raise NotaInGebruik(
            f"record {nota_id} is already the memo of a besluit that has not ended",
        )
    if kenmerk is not None and repository.besluit_by_kenmerk(session, kenmerk) is not None:
        raise KenmerkBezet(f"a besluit with kenmerk {kenmerk} exists already")
    naar = flow.na(flow.NIEUW, stap, None)
    assert naar is not None  # the table starts every besluit with `opgesteld`
    data = StapData(stap.soort, toelichting=toelichting.strip(), records=[nota.id])
    wanneer = _datum(datum, now, None)
    besluit = _insert(
        session,
        Besluit(
            dossier_id=dossier.id,
            kenmerk=kenmerk or "",
            onderwerp=onderwerp.strip(),
            steller=access.subject.id,
            steller_naam=(steller_naam or "").strip() or _naam(access),
            nota_record_id=nota.id,
            fase=naar,
            created_at=now,
        ),
        generate=kenmerk is None,
        year=now.astimezone(LOKAAL).year,
    )
    row = _append_stap(
        session,
        access,
        besluit,
        stap,
        volgnummer=1,
        naar=naar,
        data=data,
        datum=wanneer,
        records=[nota.id],
        now=now,
    )
    return besluit, row


def _insert(session: Session, besluit: Besluit, *, generate: bool, year: int) -> Besluit:
    """Insert the besluit; a generated kenmerk another request just took is drawn again."""
    for _ in range(5):
        if generate:
            besluit.kenmerk = repository.next_kenmerk(session, year)
        try:
            with session.begin_nested():
                session.add(besluit)
                session.flush()
        except IntegrityError as exc:
            if not generate:
                raise KenmerkBezet(
                    f"a besluit with kenmerk {besluit.kenmerk} exists already"
                ) from exc
        else:
            return besluit
    raise KenmerkBezet("no free kenmerk after five tries; try again")


# -- a step -------------------------------------------------------------------


def _visible(session: Session, access: Access, besluit: Besluit, dossier: Dossier) -> bool:
    lagen = {s.laag for s in repository.stappen(session, [besluit.id])}
    return any(access.can(repository.target(session, dossier, laag), "read") for laag in lagen)


def _authorise(session: Session, access: Access, stap: Stap, dossier: Dossier) -> None:
    """Raise 403 unless one of the step's system actions is the caller's."""
    via = [actie for actie in stap.acties if access.may(actie)]
    if not via:
        raise Forbidden(
            f"your roles ({', '.join(access.subject.rollen)}) may not take step {stap.soort}"
        )
    if all(actie in flow.EIGEN_DIENST for actie in via):
        dienst = repository.dienst_of(session, dossier)
        if access.subject.dienst != dienst:
            raise Forbidden(
                f"step {stap.soort} is for an afdelingsdirecteur of dienst {dienst}, "
                "the dienst of this dossier"
            )


def _order(besluit: Besluit, stap: Stap, uitkomst: str | None) -> str:
    """The phase after the step; 409 when it may not come now."""
    volgende = flow.volgende(besluit.fase)
    if besluit.fase not in stap.van:
        raise StapBuitenVolgorde(
            f"besluit {besluit.kenmerk} stands at {besluit.fase!r}; "
            + (
                f"next may come: {', '.join(volgende)}"
                if volgende
                else "nothing may follow, the besluit has ended"
            ),
            fase=besluit.fase,
            volgende=volgende,
            soort=stap.soort,
        )
    naar = stap.naar.get(uitkomst)
    if naar is None:
        allowed = stap.uitkomsten
        raise StapOngeldig(
            f"step {stap.soort} takes uitkomst one of {', '.join(allowed)}"
            if allowed
            else f"step {stap.soort} takes no uitkomst",
            field="uitkomst",
            uitkomsten=list(allowed),
        )
    return naar


def _lock(session: Session, access: Access, besluit: Besluit, now: datetime) -> None:
    """After the portefeuillehouder's paraaf the memo changes only through the college."""
    if besluit.nota_record_id is None:
        return
    nota = session.get(Record, besluit.nota_record_id, with_for_update=True)
    if nota is None or nota.vergrendeld_door == besluit.id:
        return
    if nota.vergrendeld_door is not None:
        raise NotaInGebruik(f"the memo is locked by another besluit ({nota.vergrendeld_door})")
    voor = record_state(nota)
    nota.vergrendeld_door = besluit.id
    session.flush()
    record_changed(
        session,
        nota,
        voor,
        actor=Actor.of(access.subject),
        actie="record.vergrendeld",
        at=now,
        details={"besluit": besluit.kenmerk},
    )


def _public(session: Session, record_ids: Sequence[str]) -> None:
    records = [session.get(Record, rid) for rid in record_ids]
    niet = [r.id for r in records if r is not None and r.laag != OPENBAAR]
    if niet:
        raise NietOpenbaar(
            "publish these records first (POST /records/{id}/publicatie): " + ", ".join(niet),
            records=niet,
        )


def add_step(
    session: Session, access: Access, besluit_id: str, data: StapData, *, now: datetime
) -> tuple[Besluit, BesluitStap]:
    """Record one step of the besluit, after every check in the module's order."""
    besluit = repository.besluit(session, besluit_id, lock=True)
    dossier = session.get(Dossier, besluit.dossier_id) if besluit is not None else None
    if besluit is None or dossier is None or not _visible(session, access, besluit, dossier):
        raise NotFound(f"no besluit {besluit_id}")
    stap = flow.BY_SOORT.get(data.soort)
    if stap is None:
        raise StapOngeldig(
            f"no step kind {data.soort!r}; known: {', '.join(flow.BY_SOORT)}", field="soort"
        )
    if stap.acties:
        _authorise(session, access, stap, dossier)
    naar = _order(besluit, stap, data.uitkomst)
    _laag(access, stap)
    toelichting = data.toelichting.strip()
    if stap.reden and not toelichting:
        raise StapOngeldig(f"step {stap.soort} needs a reason (toelichting)", field="toelichting")
    if stap.leest_nota:
        _nota_leesbaar(session, access, besluit)
    records = _linked(session, access, dossier, data.records)
    if stap.met_records and not records:
        raise StapOngeldig(f"step {stap.soort} needs the records it concerns", field="records")
    if stap.openbaar:
        _public(session, records)
    vorige = repository.laatste_stap(session, besluit.id)
    datum = _datum(data.datum, now, vorige.datum if vorige else None)
    if stap.vergrendelt:
        _lock(session, access, besluit, now)
    row = _append_stap(
        session,
        access,
        besluit,
        stap,
        volgnummer=(vorige.volgnummer if vorige else 0) + 1,
        naar=naar,
        data=StapData(stap.soort, data.uitkomst, datum, toelichting, records),
        datum=datum,
        records=records,
        now=now,
    )
    return besluit, row


def _nota_leesbaar(session: Session, access: Access, besluit: Besluit) -> None:
    """Nobody initials, returns or refuses a memo they cannot read."""
    nota = session.get(Record, besluit.nota_record_id) if besluit.nota_record_id else None
    if nota is not None and not access.can(target_of(session, nota), "read"):
        raise NotaOnleesbaar(
            f"the memo sits in layer {nota.laag!r}, which you cannot read; "
            "the steller moves it to the college layer first",
            laag=nota.laag,
        )
