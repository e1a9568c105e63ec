# SPDX-License-Identifier: EUPL-1.2
"""Destruction lists: the proposal and its review (Archiefbesluit 1995, art. 6-8).

The archivist proposes; every role in `bewaring.vernietiging.beoordelaars`
must approve, each by someone other than the proposer and no one in two
roles. A reviewer may take records off the list (with a reason) instead of
rejecting all of it. After the last approval a cooling-off period runs
(`wachttijd_dagen`), so a Woo request or a complaint that arrives late can
still place a hold; execution (`uitvoering`) re-checks everything.

A list never names titles: who may see a record's title is the policy's
business, and the list goes to people in other roles. It names record ids,
dossier kenmerken, categories and dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.bewaring import blokkade
from archief.bewaring.status import ACTIEF
from archief.catalog.models import (
    Dossier,
    Record,
    VernietigingBeoordeling,
    VernietigingItem,
    Vernietigingslijst,
)
from archief.errors import ArchiefError, NotFound
from archief.settings import VernietigingSettings

# concept is not used: a proposal goes straight to review, since nothing
# about it can be edited but by a reviewer taking records off.
TER_BEOORDELING = "ter_beoordeling"
GOEDGEKEURD = "goedgekeurd"
AFGEWEZEN = "afgewezen"
IN_UITVOERING = "in_uitvoering"
UITGEVOERD = "uitgevoerd"
# Lists whose records are spoken for: a record is on at most one of these.
LOPEND = (TER_BEOORDELING, GOEDGEKEURD, IN_UITVOERING)

VERNIETIGEN = "vernietigen"


class Vernietigingsfout(ArchiefError):
    code = "vernietiging_geweigerd"
    status = 409
    title = "Vernietiging geweigerd"


class NietsTeVernietigen(ArchiefError):
    code = "niets_te_vernietigen"
    status = 422
    title = "Niets te vernietigen"


@dataclass(frozen=True, slots=True)
class Uitzondering:
    """A record a reviewer takes off the list, and why."""

    record_id: str
    reden: str


def _kenmerk(session: Session, at: datetime) -> str:
    prefix = f"VL-{at:%Y}-"
    count = session.scalar(
        select(func.count())
        .select_from(Vernietigingslijst)
        .where(Vernietigingslijst.kenmerk.like(f"{prefix}%"))
    )
    return f"{prefix}{(count or 0) + 1:04d}"


def kandidaten(
    session: Session, peildatum: date, dossier_ids: Sequence[str] | None = None
) -> tuple[list[Record], list[Record]]:
    """Records due for destruction on `peildatum`, and those a hold keeps back.

    Due: active, nominatie vernietigen, archiefactiedatum on or before the
    day, and not on another running list.
    """
    spoken_for = (
        select(VernietigingItem.record_id)
        .join(Vernietigingslijst, Vernietigingslijst.id == VernietigingItem.lijst_id)
        .where(Vernietigingslijst.status.in_(LOPEND), VernietigingItem.status == "opgenomen")
    )
    query = (
        select(Record)
        .where(
            Record.status == ACTIEF,
            Record.archiefnominatie == VERNIETIGEN,
            Record.archiefactiedatum.is_not(None),
            Record.archiefactiedatum <= peildatum,
            Record.id.not_in(spoken_for),
        )
        .order_by(Record.archiefactiedatum, Record.id)
    )
    if dossier_ids is not None:
        query = query.where(Record.dossier_id.in_(list(dossier_ids)))
    records = list(session.scalars(query))
    held = blokkade.held(session, [r.id for r in records])
    return [r for r in records if r.id not in held], [r for r in records if r.id in held]


def stel_voor(
    session: Session,
    *,
    peildatum: date,
    actor: Actor,
    at: datetime,
    toelichting: str = "",
    dossier_ids: Sequence[str] | None = None,
) -> Vernietigingslijst:
    """Propose a list of every record due on `peildatum` (optionally within some dossiers)."""
    due, held = kandidaten(session, peildatum, dossier_ids)
    if not due:
        raise NietsTeVernietigen(
            f"no record is due for destruction on {peildatum.isoformat()}"
            + (f" ({len(held)} due but held)" if held else ""),
            vastgehouden=len(held),
        )
    wanted = sorted({r.dossier_id for r in due})
    rows = session.execute(select(Dossier.id, Dossier.kenmerk).where(Dossier.id.in_(wanted)))
    kenmerken = {row.id: row.kenmerk for row in rows}
    lijst = Vernietigingslijst(
        kenmerk=_kenmerk(session, at),
        status=TER_BEOORDELING,
        toelichting=toelichting,
        peildatum=peildatum,
        aangemaakt_door=actor.id,
        aangemaakt_op=at,
    )
    session.add(lijst)
    session.flush()
    for record in due:
        session.add(
            VernietigingItem(
                lijst_id=lijst.id,
                record_id=record.id,
                dossier_id=record.dossier_id,
                dossier_kenmerk=kenmerken[record.dossier_id],
                categorie=record.categorie or _dossier_categorie(session, record),
                brondatum=record.brondatum,
                # Never None here: kandidaten selects on it.
                archiefactiedatum=record.archiefactiedatum or peildatum,
                record_aangemaakt=record.created_at,
                media_type=record.media_type,
                size=record.size,
                status="opgenomen",
            )
        )
    append(
        session,
        actor=actor,
        actie="vernietiging.voorgesteld",
        object_type="vernietigingslijst",
        object_id=lijst.id,
        at=at,
        details={
            "kenmerk": lijst.kenmerk,
            "peildatum": peildatum.isoformat(),
            "records": len(due),
            "vastgehouden": sorted(r.id for r in held),
        },
    )
    session.flush()
    return lijst


def _dossier_categorie(session: Session, record: Record) -> str:
    # A record without a category of its own follows its dossier's.
    dossier = session.get(Dossier, record.dossier_id)
    return (dossier.categorie if dossier is not None else None) or "?"


def laad(session: Session, lijst_id: str, *, lock: bool = False) -> Vernietigingslijst:
    """A list by id or kenmerk; `lock` holds it against a concurrent review or run."""
    lijst = session.get(Vernietigingslijst, lijst_id) or session.scalar(
        select(Vernietigingslijst).where(Vernietigingslijst.kenmerk == lijst_id)
    )
    if lijst is None:
        raise NotFound(f"no destruction list {lijst_id}")
    if lock:
        session.refresh(lijst, with_for_update=True)
    return lijst


def items(session: Session, lijst: Vernietigingslijst) -> list[VernietigingItem]:
    return list(
        session.scalars(
            select(VernietigingItem)
            .where(VernietigingItem.lijst_id == lijst.id)
            .order_by(VernietigingItem.archiefactiedatum, VernietigingItem.record_id)
        )
    )


def beoordelingen(session: Session, lijst: Vernietigingslijst) -> list[VernietigingBeoordeling]:
    return list(
        session.scalars(
            select(VernietigingBeoordeling)
            .where(VernietigingBeoordeling.lijst_id == lijst.id)
            .order_by(VernietigingBeoordeling.at)
        )
    )


def openstaande_rollen(
    session: Session, lijst: Vernietigingslijst, cfg: VernietigingSettings
) -> list[str]:
    """The reviewing roles that have not approved yet."""
    done = {b.rol for b in beoordelingen(session, lijst) if b.oordeel == GOEDGEKEURD}
    return [rol for rol in cfg.beoordelaars if rol not in done]


def beoordeel(
    session: Session,
    lijst: Vernietigingslijst,
    cfg: VernietigingSettings,
    *,
    actor: Actor,
    naam: str,
    rol: str,
    oordeel: str,
    at: datetime,
    toelichting: str = "",
    uitzonderingen: Sequence[Uitzondering] = (),
) -> VernietigingBeoordeling:
    """One reviewer's verdict, in one role; the last approval starts the cooling-off."""
    if lijst.status != TER_BEOORDELING:
        raise Vernietigingsfout(f"list {lijst.kenmerk} is {lijst.status}, not under review")
    if oordeel not in (GOEDGEKEURD, AFGEWEZEN):
        raise Vernietigingsfout(f"oordeel must be {GOEDGEKEURD} or {AFGEWEZEN}, not {oordeel!r}")
    if rol not in cfg.beoordelaars:
        raise Vernietigingsfout(
            f"{rol!r} is not a reviewing role; reviewers are: {', '.join(cfg.beoordelaars)}"
        )
    if rol not in actor.rollen:
        raise Vernietigingsfout(f"you do not hold the role {rol!r}")
    if actor.id == lijst.aangemaakt_door:
        # Four eyes: whoever proposed the list cannot also pass it.
        raise Vernietigingsfout("the proposer of a list may not review it")
    earlier = beoordelingen(session, lijst)
    if any(b.door == actor.id for b in earlier):
        raise Vernietigingsfout("you have already reviewed this list")
    if rol not in openstaande_rollen(session, lijst, cfg):
        raise Vernietigingsfout(f"the role {rol!r} has already approved this list")
    if oordeel == AFGEWEZEN and not toelichting.strip():
        raise Vernietigingsfout("a rejection needs a reason (toelichting)")
    _neem_uit(session, lijst, uitzonderingen, actor)
    verdict = VernietigingBeoordeling(
        lijst_id=lijst.id,
        rol=rol,
        door=actor.id,
        naam=naam,
        oordeel=oordeel,
        toelichting=toelichting,
        at=at,
    )
    session.add(verdict)
    session.flush()
    if oordeel == AFGEWEZEN:
        lijst.status = AFGEWEZEN
    elif not openstaande_rollen(session, lijst, cfg):
        lijst.status = GOEDGEKEURD
        lijst.goedgekeurd_op = at
        lijst.uitvoerbaar_vanaf = at + timedelta(days=cfg.wachttijd_dagen)
    if not any(i.status == "opgenomen" for i in items(session, lijst)):
        # Every record was taken off: nothing is left to approve or destroy.
        lijst.status = AFGEWEZEN
    append(
        session,
        actor=actor,
        actie=f"vernietiging.{'goedgekeurd' if oordeel == GOEDGEKEURD else 'afgewezen'}",
        object_type="vernietigingslijst",
        object_id=lijst.id,
        at=at,
        details={
            "kenmerk": lijst.kenmerk,
            "rol": rol,
            "status": lijst.status,
            "uitgezonderd": [u.record_id for u in uitzonderingen],
            "uitvoerbaar_vanaf": (
                lijst.uitvoerbaar_vanaf.isoformat() if lijst.uitvoerbaar_vanaf else None
            ),
        },
    )
    session.flush()
    return verdict


def _neem_uit(
    session: Session,
    lijst: Vernietigingslijst,
    uitzonderingen: Sequence[Uitzondering],
    actor: Actor,
) -> None:
    by_id = {i.record_id: i for i in items(session, lijst)}
    for u in uitzonderingen:
        item = by_id.get(u.record_id)
        if item is None:
            raise Vernietigingsfout(f"record {u.record_id} is not on list {lijst.kenmerk}")
        if not u.reden.strip():
            raise Vernietigingsfout(f"taking record {u.record_id} off the list needs a reason")
        item.status = "uitgezonderd"
        item.reden = f"{actor.id}: {u.reden.strip()}"
