# SPDX-License-Identifier: EUPL-1.2
"""HTTP endpoints for destruction lists: propose, review, execute, read.

Proposing and executing need system action `vernietiging_voorstellen`
(archivaris); reviewing needs `vernietiging_beoordelen` plus holding the
role one reviews in. A list shows a record's title only to a caller who
may read that record now: the list itself names ids, dossiers and dates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor
from archief.bewaring.vernietiging import lijst as lijsten
from archief.bewaring.vernietiging import uitvoering, verklaring
from archief.catalog.models import Dossier, Record, Vernietigingslijst
from archief.clock import AMSTERDAM
from archief.errors import NotFound
from archief.toegang.access import Access, target_of, visible_dossiers
from archief.toegang.deps import CurrentAccess

router = APIRouter(prefix="/vernietigingslijsten", tags=["bewaring"])


class VoorstelIn(BaseModel):
    model_config = {"extra": "forbid"}

    peildatum: date | None = Field(default=None, description="Default: today (Amsterdam)")
    dossiers: list[str] | None = Field(
        default=None, max_length=1000, description="Only these dossiers (kenmerk or id)"
    )
    toelichting: str = Field(default="", max_length=4000)


class UitzonderingIn(BaseModel):
    model_config = {"extra": "forbid"}

    record_id: str = Field(max_length=36)
    reden: str = Field(min_length=1, max_length=2000)


class BeoordelingIn(BaseModel):
    model_config = {"extra": "forbid"}

    rol: str = Field(max_length=32)
    oordeel: Literal["goedgekeurd", "afgewezen"]
    toelichting: str = Field(default="", max_length=4000)
    uitzonderingen: list[UitzonderingIn] = Field(default_factory=list, max_length=10_000)


class ItemOut(BaseModel):
    record_id: str
    titel: str | None = Field(description="Only when the caller may read the record now")
    dossier_kenmerk: str
    categorie: str
    brondatum: date | None
    archiefactiedatum: date
    media_type: str
    size: int
    status: str
    reden: str | None


class BeoordelingOut(BaseModel):
    rol: str
    door: str
    naam: str
    oordeel: str
    toelichting: str
    at: datetime


class LijstOut(BaseModel):
    id: str
    kenmerk: str
    status: str
    peildatum: date
    toelichting: str
    aangemaakt_door: str
    aangemaakt_op: datetime
    goedgekeurd_op: datetime | None
    uitvoerbaar_vanaf: datetime | None
    uitgevoerd_op: datetime | None
    verklaring_record_id: str | None
    uitvoering: dict[str, object] | None
    openstaande_rollen: list[str]
    aantallen: dict[str, int]
    beoordelingen: list[BeoordelingOut] = []
    items: list[ItemOut] = []


def _out(
    request: Request,
    session: Session,
    access: Access,
    lijst: Vernietigingslijst,
    *,
    detail: bool,
) -> LijstOut:
    cfg = request.app.state.container.settings.bewaring.vernietiging
    items = lijsten.items(session, lijst)
    aantallen: dict[str, int] = {}
    for i in items:
        aantallen[i.status] = aantallen.get(i.status, 0) + 1
    out = LijstOut(
        id=lijst.id,
        kenmerk=lijst.kenmerk,
        status=lijst.status,
        peildatum=lijst.peildatum,
        toelichting=lijst.toelichting,
        aangemaakt_door=lijst.aangemaakt_door,
        aangemaakt_op=lijst.aangemaakt_op,
        goedgekeurd_op=lijst.goedgekeurd_op,
        uitvoerbaar_vanaf=lijst.uitvoerbaar_vanaf,
        uitgevoerd_op=lijst.uitgevoerd_op,
        verklaring_record_id=lijst.verklaring_record_id,
        uitvoering=lijst.uitvoering,
        openstaande_rollen=(
            lijsten.openstaande_rollen(session, lijst, cfg)
            if lijst.status == lijsten.TER_BEOORDELING
            else []
        ),
        aantallen=aantallen,
    )
    if not detail:
        return out
    records = {
        r.id: r
        for r in session.scalars(select(Record).where(Record.id.in_([i.record_id for i in items])))
    }
    out.items = [
        ItemOut(
            record_id=i.record_id,
            titel=_titel(session, access, records.get(i.record_id)),
            dossier_kenmerk=i.dossier_kenmerk,
            categorie=i.categorie,
            brondatum=i.brondatum,
            archiefactiedatum=i.archiefactiedatum,
            media_type=i.media_type,
            size=i.size,
            status=i.status,
            reden=i.reden,
        )
        for i in items
    ]
    out.beoordelingen = [
        BeoordelingOut(
            rol=b.rol,
            door=b.door,
            naam=b.naam,
            oordeel=b.oordeel,
            toelichting=b.toelichting,
            at=b.at,
        )
        for b in lijsten.beoordelingen(session, lijst)
    ]
    return out


def _titel(session: Session, access: Access, record: Record | None) -> str | None:
    if record is None or not access.can(target_of(session, record), "read"):
        return None
    return record.titel


def _require_any(access: Access, *acts: str) -> None:
    if not any(access.may(a) for a in acts):
        access.require_system(acts[0])  # raises, naming the first


@router.post("", status_code=status.HTTP_201_CREATED)
def propose(request: Request, access: CurrentAccess, body: VoorstelIn) -> LijstOut:
    """Propose a list: every record past its archiefactiedatum, to destroy, not held."""
    access.require_system("vernietiging_voorstellen")
    container = request.app.state.container
    now = container.clock.now()
    with container.sessions.begin() as session:
        dossier_ids = None
        if body.dossiers is not None:
            dossier_ids = [_dossier_id(session, access, ref) for ref in body.dossiers]
        lijst = lijsten.stel_voor(
            session,
            peildatum=body.peildatum or now.astimezone(AMSTERDAM).date(),
            actor=Actor.of(access.subject),
            at=now,
            toelichting=body.toelichting,
            dossier_ids=dossier_ids,
        )
        return _out(request, session, access, lijst, detail=True)


def _dossier_id(session: Session, access: Access, ref: str) -> str:
    found = session.scalar(select(Dossier).where(Dossier.kenmerk == ref)) or session.get(
        Dossier, ref
    )
    if found is None or not visible_dossiers(session, access, [found.id]):
        raise NotFound(f"no dossier {ref}")
    return found.id


@router.get("")
def list_lists(request: Request, access: CurrentAccess) -> list[LijstOut]:
    """Every destruction list, newest first (without items)."""
    _require_any(access, "vernietiging_voorstellen", "vernietiging_beoordelen")
    with request.app.state.container.sessions() as session:
        rows = session.scalars(
            select(Vernietigingslijst).order_by(Vernietigingslijst.aangemaakt_op.desc())
        )
        return [_out(request, session, access, lijst, detail=False) for lijst in rows]


@router.get("/{lijst_id}")
def get_list(request: Request, access: CurrentAccess, lijst_id: str) -> LijstOut:
    """One list with its items and reviews (by id or kenmerk)."""
    _require_any(access, "vernietiging_voorstellen", "vernietiging_beoordelen")
    with request.app.state.container.sessions() as session:
        lijst = lijsten.laad(session, lijst_id)
        return _out(request, session, access, lijst, detail=True)


@router.post("/{lijst_id}/beoordelingen", status_code=status.HTTP_201_CREATED)
def review(request: Request, access: CurrentAccess, lijst_id: str, body: BeoordelingIn) -> LijstOut:
    """Approve or reject in one of your roles; optionally take records off first."""
    access.require_system("vernietiging_beoordelen")
    container = request.app.state.container
    with container.sessions.begin() as session:
        lijst = lijsten.laad(session, lijst_id, lock=True)
        lijsten.beoordeel(
            session,
            lijst,
            container.settings.bewaring.vernietiging,
            actor=Actor.of(access.subject),
            naam=access.subject.naam or "",
            rol=body.rol,
            oordeel=body.oordeel,
            at=container.clock.now(),
            toelichting=body.toelichting,
            uitzonderingen=[
                lijsten.Uitzondering(u.record_id, u.reden) for u in body.uitzonderingen
            ],
        )
        return _out(request, session, access, lijst, detail=True)


@router.post("/{lijst_id}/uitvoering")
async def execute(request: Request, access: CurrentAccess, lijst_id: str) -> LijstOut:
    """Execute an approved list once its cooling-off period is over (synchronously)."""
    access.require_system("vernietiging_voorstellen")
    container = request.app.state.container
    actor = Actor.of(access.subject)
    lijst, _ = await run_in_threadpool(
        lambda: uitvoering.voer_uit(
            container,
            lijst_id,
            actor=actor,
            verklaar=lambda lijst, telling: verklaring.archiveer(container, actor, lijst, telling),
        )
    )
    with container.sessions() as session:
        return _out(request, session, access, lijsten.laad(session, lijst.id), detail=True)
