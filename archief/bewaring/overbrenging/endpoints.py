# SPDX-License-Identifier: EUPL-1.2
"""HTTP endpoints for overbrenging (system action `overbrengen`, archivists by default).

A transfer built over the API considers only records the caller may read,
like every other path; items and skipped records of a transfer are shown
only where the caller may read the record now. The package itself is
written on the server, under `bewaring.overbrenging.map`, never sent back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor
from archief.bewaring.overbrenging import repository, service
from archief.catalog.models import Afdeling, Dossier, Overbrenging, Record
from archief.errors import NotFound
from archief.toegang.access import Access
from archief.toegang.deps import CurrentAccess

router = APIRouter(prefix="/overbrengingen", tags=["bewaring"])
ACTIE = "overbrengen"


class OverbrengingIn(BaseModel):
    model_config = {"extra": "forbid"}

    peildatum: date = Field(description="Records due for transfer on or before this day")
    dossiers: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None,
        max_length=1000,
        description="Only these dossiers (kenmerken); all when absent",
    )
    ontvanger: str | None = Field(default=None, max_length=500)
    vervroegd: bool = Field(
        default=False, description="Allow a peildatum after today (vervroegde overbrenging)"
    )


class BevestigingIn(BaseModel):
    model_config = {"extra": "forbid"}

    ontvangstbewijs: str = Field(min_length=1, max_length=20000)


class AnnuleringIn(BaseModel):
    model_config = {"extra": "forbid"}

    reden: str = Field(min_length=1, max_length=2000)


class ItemOut(BaseModel):
    record_id: str
    dossier_kenmerk: str
    titel: str
    sha256: str
    versie: int
    pad: str
    status: str


class OvergeslagenOut(BaseModel):
    record_id: str
    dossier_kenmerk: str
    reden: str
    toelichting: str


class OverbrengingOut(BaseModel):
    id: str
    kenmerk: str
    status: str
    peildatum: date
    ontvanger: str
    dossiers: list[str] | None
    pakket: str | None
    pakket_sha256: str | None
    omvang: int | None
    bestanden: int | None
    aantal: int
    aangemaakt_door: str
    aangemaakt_op: datetime
    bevestigd_door: str | None
    bevestigd_op: datetime | None
    bevestiging: str | None
    geannuleerd_door: str | None
    geannuleerd_op: datetime | None
    annulering_reden: str | None
    fout: str | None
    overgeslagen: list[OvergeslagenOut] | None = None
    items: list[ItemOut] | None = None


def _readable(session: Session, access: Access, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Record.id)
            .join(Dossier, Record.dossier_id == Dossier.id)
            .join(Afdeling, Dossier.afdeling == Afdeling.code)
            .where(Record.id.in_(ids), access.sql_filter("read"))
        )
    )


def _out(
    session: Session, access: Access, ob: Overbrenging, aantal: int, *, detail: bool
) -> OverbrengingOut:
    out = OverbrengingOut(
        id=ob.id,
        kenmerk=ob.kenmerk,
        status=ob.status,
        peildatum=ob.peildatum,
        ontvanger=ob.ontvanger,
        dossiers=ob.dossiers,
        pakket=ob.pakket,
        pakket_sha256=ob.pakket_sha256,
        omvang=ob.omvang,
        bestanden=ob.bestanden,
        aantal=aantal,
        aangemaakt_door=ob.aangemaakt_door,
        aangemaakt_op=ob.aangemaakt_op,
        bevestigd_door=ob.bevestigd_door,
        bevestigd_op=ob.bevestigd_op,
        bevestiging=ob.bevestiging,
        geannuleerd_door=ob.geannuleerd_door,
        geannuleerd_op=ob.geannuleerd_op,
        annulering_reden=ob.annulering_reden,
        fout=ob.fout,
    )
    if not detail:
        return out
    skipped = ob.overgeslagen or []
    seen = _readable(session, access, [s["record_id"] for s in skipped])
    out.overgeslagen = [OvergeslagenOut(**s) for s in skipped if s["record_id"] in seen]
    out.items = [
        ItemOut(
            record_id=item.record_id,
            dossier_kenmerk=dossier.kenmerk,
            titel=record.titel,
            sha256=item.sha256,
            versie=item.versie,
            pad=item.pad,
            status=record.status,
        )
        for item, record, dossier in repository.items(
            session, ob.id, zichtbaar=access.sql_filter("read")
        )
    ]
    return out


def _detail(request: Request, access: CurrentAccess, ref: str) -> OverbrengingOut:
    with request.app.state.container.sessions() as session:
        ob = repository.by_ref(session, ref)
        if ob is None:
            raise NotFound(f"no transfer {ref}")
        aantal = repository.counts(session, [ob.id]).get(ob.id, 0)
        return _out(session, access, ob, aantal, detail=True)


@router.post("", status_code=status.HTTP_201_CREATED)
def create(request: Request, access: CurrentAccess, body: OverbrengingIn) -> OverbrengingOut:
    """Select the records due on `peildatum`, build the package (MDTO + BagIt), record it."""
    access.require_system(ACTIE)
    ob_id = service.maak(
        request.app.state.container,
        peildatum=body.peildatum,
        dossiers=body.dossiers,
        ontvanger=body.ontvanger,
        vervroegd=body.vervroegd,
        actor=Actor.of(access.subject),
        access=access,
    )
    return _detail(request, access, ob_id)


@router.get("")
def list_transfers(request: Request, access: CurrentAccess) -> list[OverbrengingOut]:
    """Every transfer, newest first (without items)."""
    access.require_system(ACTIE)
    with request.app.state.container.sessions() as session:
        transfers = repository.all_transfers(session)
        aantallen = repository.counts(session, [ob.id for ob in transfers])
        return [
            _out(session, access, ob, aantallen.get(ob.id, 0), detail=False) for ob in transfers
        ]


@router.get("/{ref}")
def show(request: Request, access: CurrentAccess, ref: str) -> OverbrengingOut:
    """One transfer (by id or kenmerk), with the items and skipped records the caller may read."""
    access.require_system(ACTIE)
    return _detail(request, access, ref)


@router.post("/{ref}/bevestiging")
def confirm(
    request: Request, access: CurrentAccess, ref: str, body: BevestigingIn
) -> OverbrengingOut:
    """The repository confirmed receipt: check the bag and records, mark them overgebracht."""
    access.require_system(ACTIE)
    ob_id = service.bevestig(
        request.app.state.container,
        ref,
        ontvangstbewijs=body.ontvangstbewijs,
        actor=Actor.of(access.subject),
    )
    return _detail(request, access, ob_id)


@router.post("/{ref}/annulering")
def cancel(
    request: Request, access: CurrentAccess, ref: str, body: AnnuleringIn
) -> OverbrengingOut:
    """Cancel a transfer that is not confirmed; its package is removed."""
    access.require_system(ACTIE)
    ob_id = service.annuleer(
        request.app.state.container, ref, reden=body.reden, actor=Actor.of(access.subject)
    )
    return _detail(request, access, ob_id)
