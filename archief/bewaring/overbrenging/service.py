# SPDX-License-Identifier: EUPL-1.2
"""Transfers (overbrenging): select what is due, build the package, confirm or cancel.

    in_aanmaak ──build──► aangemaakt ──bevestig──► bevestigd (records overgebracht)
        │                     └──annuleer──► geannuleerd (package removed)
        └──build fails──► mislukt

Selection takes active records with archiefnominatie blijvend_bewaren whose
archiefactiedatum (for them: the transfer date) is on or before the
peildatum; records under a legal hold, or already in a package that is not
yet confirmed, are skipped and listed with the reason. A peildatum after
today (vervroegde overbrenging) must be asked for explicitly.

Unlike most services this one runs its own transactions: a build streams
every original to disk, which for a large transfer takes minutes, and no
transaction may stay open (nor any record locked) that long. So it works in
short steps: reserve the kenmerk (status in_aanmaak, committed, so two
builds never share a number), build the package with no transaction open,
then record the items under row locks after checking, record by record,
that nothing changed while the package was built. Confirmation checks the
bag and the records again, under the same locks, before any record is
marked overgebracht. Every outcome is on the audit trail.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Protocol

import structlog
from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archief.audit.chain import Actor, append
from archief.bewaring import blokkade, selectielijst
from archief.bewaring.overbrenging import bagit, mdto, repository
from archief.bewaring.overbrenging.mapping import Context, DossierStand, Stuk
from archief.bewaring.overbrenging.mdto import Identificatie, Verwijzing
from archief.bewaring.overbrenging.pakket import Pakket, Stap, bouw
from archief.bewaring.status import ACTIEF, OVERGEBRACHT
from archief.catalog.models import Overbrenging, OverbrengingItem, Record
from archief.clock import AMSTERDAM
from archief.errors import ArchiefError, NotFound
from archief.ports import Clock, ObjectStore
from archief.settings import OverbrengingSettings, Settings
from archief.toegang.access import Access, visible_dossiers
from archief.toegang.beleid import PolicyHolder
from archief.versies import record_changed, record_state
from policies.engine import Policy

log = structlog.get_logger(__name__)

IN_AANMAAK = "in_aanmaak"
AANGEMAAKT = repository.AANGEMAAKT
BEVESTIGD = "bevestigd"
GEANNULEERD = "geannuleerd"
MISLUKT = "mislukt"

AANGEMAAKT_ACTIE = "bewaring.overbrenging_aangemaakt"
MISLUKT_ACTIE = "bewaring.overbrenging_mislukt"
GEANNULEERD_ACTIE = "bewaring.overbrenging_geannuleerd"
OVERGEBRACHT_ACTIE = "bewaring.overgebracht"
RECORD_ACTIE = "record.overgebracht"
_KENMERK_POGINGEN = 5


class PeildatumInToekomst(ArchiefError):
    code = "peildatum_in_toekomst"
    status = 422
    title = "Peildatum ligt in de toekomst"


class OverbrengingLeeg(ArchiefError):
    code = "overbrenging_leeg"
    status = 422
    title = "Niets over te brengen"


class OngeldigeOverbrenging(ArchiefError):
    code = "ongeldige_overbrenging"
    status = 422
    title = "Ongeldige overbrenging"


class OverbrengingStatus(ArchiefError):
    code = "overbrenging_status"
    status = 409
    title = "Overbrenging is niet in de juiste status"


class OverbrengingGewijzigd(ArchiefError):
    """Records changed since they were packaged: the package no longer describes them."""

    code = "overbrenging_gewijzigd"
    status = 409
    title = "Records gewijzigd sinds het pakket is gemaakt"


class PakketOngeldig(ArchiefError):
    code = "pakket_ongeldig"
    status = 409
    title = "Pakket is niet (meer) geldig"


class Poorten(Protocol):
    """What a transfer needs; the composition root's `Container` is one."""

    @property
    def settings(self) -> Settings: ...

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def store(self) -> ObjectStore: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def policies(self) -> PolicyHolder: ...


@dataclass(frozen=True, slots=True)
class Overgeslagen:
    """A due record left out of the package, and why (`blokkade`, `in_overbrenging`)."""

    record_id: str
    dossier_kenmerk: str
    reden: str
    toelichting: str


@dataclass(frozen=True, slots=True)
class Selectie:
    inhoud: list[tuple[DossierStand, list[Stuk]]]
    overgeslagen: list[Overgeslagen]

    @property
    def records(self) -> int:
        return sum(len(stukken) for _, stukken in self.inhoud)


def _dossier_ids(session: Session, kenmerken: Sequence[str], access: Access | None) -> list[str]:
    found = repository.dossiers_by_kenmerk(session, kenmerken)
    ids = [d.id for d in found.values()]
    seen = set(ids) if access is None else visible_dossiers(session, access, ids)
    for kenmerk in kenmerken:
        if kenmerk not in found or found[kenmerk].id not in seen:
            # A dossier the caller cannot see does not exist for them (as everywhere).
            raise NotFound(f"no dossier {kenmerk}")
    return ids


def selecteer(
    session: Session,
    policy: Policy,
    *,
    peildatum: date,
    kenmerken: Sequence[str] | None = None,
    access: Access | None = None,
) -> Selectie:
    """What a transfer on `peildatum` takes, per dossier, and what it leaves out and why.

    With `access`, only records the caller may read are considered (the API);
    without, every record (the command line, run by the operator).
    """
    dossier_ids = _dossier_ids(session, kenmerken, access) if kenmerken else None
    rows = repository.due(
        session,
        peildatum,
        dossier_ids=dossier_ids,
        zichtbaar=access.sql_filter("read") if access is not None else None,
    )
    ids = [r.id for r, _ in rows]
    held = blokkade.held(session, ids)
    elders = repository.in_open_transfer(session, ids)
    inhoud: dict[str, tuple[DossierStand, list[Stuk]]] = {}
    overgeslagen: list[Overgeslagen] = []
    for record, dossier in rows:
        if record.id in held:
            overgeslagen.append(
                Overgeslagen(record.id, dossier.kenmerk, "blokkade", "onder een actieve blokkade")
            )
            continue
        if record.id in elders:
            overgeslagen.append(
                Overgeslagen(
                    record.id,
                    dossier.kenmerk,
                    "in_overbrenging",
                    f"al in overbrenging {elders[record.id]}, nog niet bevestigd",
                )
            )
            continue
        _, stukken = inhoud.setdefault(
            dossier.id,
            (
                DossierStand(
                    dossier.id,
                    dossier.kenmerk,
                    dossier.titel,
                    dossier.categorie,
                    dossier.created_at,
                    dossier.afgehandeld_op,
                ),
                [],
            ),
        )
        laag = policy.laag(record.laag)
        stukken.append(
            Stuk(
                id=record.id,
                versie=record.versie,
                dossier_id=dossier.id,
                titel=record.titel,
                soort=record.soort,
                laag=record.laag,
                vertrouwelijkheid=laag.vertrouwelijkheid if laag else "",
                sha256=record.sha256,
                size=record.size,
                media_type=record.media_type,
                filename=record.filename,
                created_at=record.created_at,
                categorie=record.categorie or dossier.categorie,
                archiefnominatie=record.archiefnominatie or "",
                brondatum=record.brondatum,
                archiefactiedatum=record.archiefactiedatum,
            )
        )
    return Selectie(list(inhoud.values()), overgeslagen)


def _context(settings: OverbrengingSettings) -> Context:
    ident = (
        Identificatie(settings.archiefvormer_id, settings.archiefvormer_bron)
        if settings.archiefvormer_id
        else None
    )
    return Context(Verwijzing(settings.archiefvormer, ident), selectielijst.default())


def _software() -> str:
    try:
        return f"archief {metadata.version('archief')}"
    except metadata.PackageNotFoundError:
        return "archief"


def _reserveer(
    poorten: Poorten,
    *,
    peildatum: date,
    ontvanger: str,
    kenmerken: list[str] | None,
    actor: Actor,
    at: datetime,
) -> tuple[str, str]:
    """Claim the next kenmerk in a transaction of its own; retried if another build won it."""
    jaar = at.astimezone(AMSTERDAM).year
    for _ in range(_KENMERK_POGINGEN):
        try:
            with poorten.sessions.begin() as session:
                ob = Overbrenging(
                    kenmerk=repository.next_kenmerk(session, jaar),
                    status=IN_AANMAAK,
                    peildatum=peildatum,
                    ontvanger=ontvanger,
                    dossiers=kenmerken,
                    aangemaakt_door=actor.id,
                    aangemaakt_op=at,
                )
                session.add(ob)
                session.flush()
                return ob.id, ob.kenmerk
        except sa_exc.IntegrityError:
            log.info("overbrenging.kenmerk_bezet", jaar=jaar)
    raise OverbrengingStatus("could not claim a kenmerk: too many transfers at once; try again")


def _mislukt(poorten: Poorten, ob_id: str, exc: BaseException, actor: Actor) -> None:
    """Record a failed build (and why) if it was still being built; never masks `exc`."""
    reden = (
        f"{exc.code}: {exc.detail}"
        if isinstance(exc, ArchiefError)
        else f"internal_error: {type(exc).__name__}"
    )
    try:
        with poorten.sessions.begin() as session:
            ob = session.get(Overbrenging, ob_id, with_for_update=True)
            if ob is None or ob.status != IN_AANMAAK:
                return
            ob.status, ob.fout = MISLUKT, reden
            append(
                session,
                actor=actor,
                actie=MISLUKT_ACTIE,
                object_type="overbrenging",
                object_id=ob.id,
                at=poorten.clock.now(),
                voor={"status": IN_AANMAAK},
                na={"status": MISLUKT},
                details={"kenmerk": ob.kenmerk, "fout": reden},
            )
    except Exception:  # the original failure is what the caller must see
        log.exception("overbrenging.mislukt_niet_vastgelegd", overbrenging=ob_id)
    log.warning("overbrenging.mislukt", overbrenging=ob_id, fout=reden)


def _afwijkingen(
    items: Sequence[tuple[str, str, int]],
    records: dict[str, Record],
    held: set[str],
    elders: dict[str, str],
) -> list[str]:
    """Why each (record id, sha256, versie) no longer matches its record; empty: none."""
    out = []
    for record_id, sha256, versie in items:
        record = records.get(record_id)
        if record is None:
            out.append(f"{record_id}: no longer exists")
        elif record.status != ACTIEF:
            out.append(f"{record_id}: is {record.status}")
        elif record.sha256 != sha256:
            out.append(f"{record_id}: content changed (sha256 {record.sha256})")
        elif record.versie != versie:
            out.append(
                f"{record_id}: changed since it was packaged (versie {versie} → {record.versie})"
            )
        elif record_id in held:
            out.append(f"{record_id}: now under a legal hold (blokkade)")
        elif record_id in elders:
            out.append(f"{record_id}: in transfer {elders[record_id]}")
    return out


def _vastleggen(
    session: Session,
    ob_id: str,
    pakket: Pakket,
    overgeslagen: list[Overgeslagen],
    *,
    actor: Actor,
    at: datetime,
) -> Overbrenging:
    ob = session.get(Overbrenging, ob_id, with_for_update=True)
    if ob is None or ob.status != IN_AANMAAK:
        raise OverbrengingStatus(
            f"transfer {ob_id} was {ob.status if ob else 'removed'} while its package was built"
        )
    ids = [g.record_id for g in pakket.items]
    records = repository.lock_records(session, ids)
    problemen = _afwijkingen(
        [(g.record_id, g.sha256, g.versie) for g in pakket.items],
        records,
        blokkade.held(session, ids),
        repository.in_open_transfer(session, ids),
    )
    if problemen:
        raise OverbrengingGewijzigd(
            f"{len(problemen)} record(s) changed while the package was built; build it again",
            problemen=problemen,
        )
    for g in pakket.items:
        session.add(
            OverbrengingItem(
                overbrenging_id=ob.id,
                record_id=g.record_id,
                sha256=g.sha256,
                pad=g.pad,
                versie=g.versie,
                dossier_id=g.dossier_id,
            )
        )
    ob.status = AANGEMAAKT
    ob.pakket = str(pakket.bag.pad)
    ob.pakket_sha256 = pakket.bag.sha256
    ob.omvang, ob.bestanden = pakket.bag.omvang, pakket.bag.bestanden
    ob.overgeslagen = [asdict(o) for o in overgeslagen]
    session.flush()
    append(
        session,
        actor=actor,
        actie=AANGEMAAKT_ACTIE,
        object_type="overbrenging",
        object_id=ob.id,
        at=at,
        voor={"status": IN_AANMAAK},
        na={"status": AANGEMAAKT, "pakket": ob.pakket, "pakket_sha256": ob.pakket_sha256},
        details={
            "kenmerk": ob.kenmerk,
            "peildatum": ob.peildatum.isoformat(),
            "ontvanger": ob.ontvanger,
            "dossiers": ob.dossiers,
            "records": len(pakket.items),
            "overgeslagen": len(overgeslagen),
            "omvang": ob.omvang,
        },
    )
    return ob


def maak(
    poorten: Poorten,
    *,
    peildatum: date,
    actor: Actor,
    dossiers: Sequence[str] | None = None,
    ontvanger: str | None = None,
    access: Access | None = None,
    vervroegd: bool = False,
    voortgang: Callable[[Stap], None] | None = None,
) -> str:
    """Select, build and record a transfer; its id. Raises before anything is half-made."""
    settings = poorten.settings.bewaring.overbrenging
    now = poorten.clock.now()
    vandaag = now.astimezone(AMSTERDAM).date()
    if peildatum > vandaag and not vervroegd:
        raise PeildatumInToekomst(
            f"peildatum {peildatum} is after today ({vandaag}): transferring records before "
            "their transfer date (vervroegde overbrenging) needs agreement with the "
            "repository; ask for it explicitly (vervroegd)"
        )
    ontvanger = (ontvanger or settings.ontvanger).strip()
    if not ontvanger:
        raise OngeldigeOverbrenging("a transfer needs a receiving repository (ontvanger)")
    kenmerken = sorted({k.strip() for k in dossiers if k.strip()}) if dossiers else None
    with poorten.sessions() as session:
        policy = poorten.policies.current(session)
        selectie = selecteer(
            session, policy, peildatum=peildatum, kenmerken=kenmerken, access=access
        )
    if not selectie.inhoud:
        raise OverbrengingLeeg(
            f"no record is due for transfer on {peildatum}"
            + (f" ({len(selectie.overgeslagen)} skipped)" if selectie.overgeslagen else ""),
            overgeslagen=[
                f"{o.record_id}: {o.reden} ({o.toelichting})" for o in selectie.overgeslagen
            ],
        )
    ob_id, kenmerk = _reserveer(
        poorten, peildatum=peildatum, ontvanger=ontvanger, kenmerken=kenmerken, actor=actor, at=now
    )
    log.info("overbrenging.bouw", overbrenging=ob_id, kenmerk=kenmerk, records=selectie.records)
    info = [
        ("Source-Organization", settings.archiefvormer),
        ("External-Identifier", kenmerk),
        (
            "External-Description",
            f"Overbrenging {kenmerk} aan {ontvanger}: {selectie.records} blijvend te bewaren "
            f"archiefstukken in {len(selectie.inhoud)} dossiers, peildatum {peildatum}. "
            f"Metagegevens: MDTO-XML {mdto.SCHEMA_VERSIE}, per informatieobject en bestand "
            f"een *{mdto.SIDECAR}.",
        ),
        ("Internal-Sender-Identifier", ob_id),
        ("Bag-Software-Agent", _software()),
        ("Ontvanger", ontvanger),
        ("Peildatum", peildatum.isoformat()),
        ("Aantal-Informatieobjecten", str(selectie.records + len(selectie.inhoud))),
        ("Aantal-Bestanden", str(selectie.records)),
    ]
    try:
        pakket = bouw(
            poorten.store,
            poorten.clock,
            map=settings.map,
            kenmerk=kenmerk,
            inhoud=selectie.inhoud,
            ctx=_context(settings),
            info=info,
            voortgang=voortgang,
        )
    except BaseException as exc:
        _mislukt(poorten, ob_id, exc, actor)
        raise
    try:
        with poorten.sessions.begin() as session:
            _vastleggen(
                session, ob_id, pakket, selectie.overgeslagen, actor=actor, at=poorten.clock.now()
            )
    except BaseException as exc:
        shutil.rmtree(pakket.bag.pad, ignore_errors=True)
        _mislukt(poorten, ob_id, exc, actor)
        raise
    log.info(
        "overbrenging.aangemaakt", overbrenging=ob_id, kenmerk=kenmerk, pad=str(pakket.bag.pad)
    )
    return ob_id


def _zoek(session: Session, ref: str, *, lock: bool = False) -> Overbrenging:
    ob = repository.by_ref(session, ref, lock=lock)
    if ob is None:
        raise NotFound(f"no transfer {ref}")
    return ob


def _pakket_problemen(ob: Overbrenging) -> list[str]:
    if not ob.pakket:
        return ["the transfer has no package"]
    pad = Path(ob.pakket)
    problemen = bagit.valideer(pad)
    if bagit.vingerafdruk(pad) != ob.pakket_sha256:
        problemen.append(
            f"{bagit.TAGMANIFEST}: differs from the one recorded when the package was made"
        )
    return problemen


def bevestig(poorten: Poorten, ref: str, *, ontvangstbewijs: str, actor: Actor) -> str:
    """The repository confirmed receipt: mark every record overgebracht; the transfer's id."""
    if not ontvangstbewijs.strip():
        raise OngeldigeOverbrenging("confirmation needs the repository's receipt (ontvangstbewijs)")
    with poorten.sessions() as session:
        ob = _zoek(session, ref)
        if ob.status != AANGEMAAKT:
            raise OverbrengingStatus(f"transfer {ob.kenmerk} is {ob.status}, not {AANGEMAAKT}")
    # The full check reads every file: outside any transaction.
    problemen = _pakket_problemen(ob)
    if problemen:
        raise PakketOngeldig(
            f"package {ob.kenmerk} fails its check ({len(problemen)} problem(s)); "
            "nothing was marked overgebracht",
            problemen=problemen,
        )
    with poorten.sessions.begin() as session:
        ob = _zoek(session, ref, lock=True)
        if ob.status != AANGEMAAKT:
            raise OverbrengingStatus(f"transfer {ob.kenmerk} is {ob.status}, not {AANGEMAAKT}")
        if bagit.vingerafdruk(Path(ob.pakket or "")) != ob.pakket_sha256:
            raise PakketOngeldig(f"package {ob.kenmerk} changed during confirmation")
        items = list(
            session.scalars(
                select(OverbrengingItem)
                .where(OverbrengingItem.overbrenging_id == ob.id)
                .order_by(OverbrengingItem.record_id)
            )
        )
        ids = [i.record_id for i in items]
        records = repository.lock_records(session, ids)
        elders = {
            rid: k
            for rid, k in repository.in_open_transfer(session, ids).items()
            if k != ob.kenmerk
        }
        problemen = _afwijkingen(
            [(i.record_id, i.sha256, i.versie) for i in items],
            records,
            blokkade.held(session, ids),
            elders,
        )
        if problemen:
            raise OverbrengingGewijzigd(
                f"{len(problemen)} record(s) of {ob.kenmerk} changed since the package was made; "
                "cancel it and make a new one",
                problemen=problemen,
            )
        at = poorten.clock.now()
        for item in items:
            record = records[item.record_id]
            voor = record_state(record)
            record.status = OVERGEBRACHT
            session.flush()
            record_changed(
                session,
                record,
                voor,
                actor=actor,
                actie=RECORD_ACTIE,
                at=at,
                details={"overbrenging": ob.kenmerk},
            )
            append(
                session,
                actor=actor,
                actie=OVERGEBRACHT_ACTIE,
                object_type="record",
                object_id=record.id,
                dossier_id=record.dossier_id,
                at=at,
                voor={"status": ACTIEF},
                na={"status": OVERGEBRACHT},
                details={
                    "overbrenging": ob.id,
                    "kenmerk": ob.kenmerk,
                    "ontvanger": ob.ontvanger,
                    "pad": item.pad,
                    "sha256": item.sha256,
                },
            )
        ob.status, ob.bevestigd_door, ob.bevestigd_op = BEVESTIGD, actor.id, at
        ob.bevestiging = ontvangstbewijs.strip()
        append(
            session,
            actor=actor,
            actie=OVERGEBRACHT_ACTIE,
            object_type="overbrenging",
            object_id=ob.id,
            at=at,
            voor={"status": AANGEMAAKT},
            na={"status": BEVESTIGD},
            details={
                "kenmerk": ob.kenmerk,
                "ontvanger": ob.ontvanger,
                "records": len(items),
                "pakket_sha256": ob.pakket_sha256,
                "ontvangstbewijs": ob.bevestiging,
            },
        )
        log.info("overbrenging.bevestigd", overbrenging=ob.id, records=len(items))
        return ob.id


def _verwijder_pakket(settings: OverbrengingSettings, pakket: str | None) -> bool:
    """Remove a cancelled package, but only a bag directly under the configured map."""
    if not pakket:
        return False
    pad = Path(pakket).resolve()
    if pad.parent != settings.map.resolve() or not (pad / bagit.BAGIT_TXT).is_file():
        log.warning("overbrenging.pakket_niet_verwijderd", pad=str(pad))
        return False
    shutil.rmtree(pad)
    return True


def annuleer(poorten: Poorten, ref: str, *, reden: str, actor: Actor) -> str:
    """Cancel a transfer that is not confirmed; its package is removed. Its id."""
    if not reden.strip():
        raise OngeldigeOverbrenging("cancelling a transfer needs a reason (reden)")
    with poorten.sessions.begin() as session:
        ob = _zoek(session, ref, lock=True)
        if ob.status not in (IN_AANMAAK, AANGEMAAKT):
            raise OverbrengingStatus(
                f"transfer {ob.kenmerk} is {ob.status}: it cannot be cancelled"
            )
        voor = ob.status
        at = poorten.clock.now()
        ob.status, ob.geannuleerd_door, ob.geannuleerd_op = GEANNULEERD, actor.id, at
        ob.annulering_reden = reden.strip()
        append(
            session,
            actor=actor,
            actie=GEANNULEERD_ACTIE,
            object_type="overbrenging",
            object_id=ob.id,
            at=at,
            voor={"status": voor},
            na={"status": GEANNULEERD},
            details={"kenmerk": ob.kenmerk, "reden": ob.annulering_reden},
        )
        ob_id, pakket = ob.id, ob.pakket
    # Only after the commit: a cancellation that did not happen keeps its package.
    _verwijder_pakket(poorten.settings.bewaring.overbrenging, pakket)
    return ob_id
