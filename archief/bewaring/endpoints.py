# SPDX-License-Identifier: EUPL-1.2
"""HTTP endpoints for legal holds: place, lift, list (system action `bewaren_beheren`).

Holds name dossiers and records, so a caller sees and holds only what they
can see: a dossier they cannot see answers 404, as everywhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor
from archief.bewaring import blokkade
from archief.catalog.models import Blokkade, Dossier, Record
from archief.errors import NotFound
from archief.records import repository
from archief.toegang.access import Access, target_of, visible_dossiers
from archief.toegang.deps import CurrentAccess

router = APIRouter(prefix="/blokkades", tags=["bewaring"])


class BlokkadeIn(BaseModel):
    model_config = {"extra": "forbid"}

    dossier: str = Field(min_length=1, max_length=64, description="kenmerk or id")
    record_id: str | None = Field(default=None, max_length=36)
    grond: str = Field(description=" | ".join(blokkade.GRONDEN))
    reden: str = Field(min_length=1, max_length=2000)


class OpheffingIn(BaseModel):
    model_config = {"extra": "forbid"}

    reden: str = Field(min_length=1, max_length=2000)


class BlokkadeOut(BaseModel):
    id: str
    dossier_id: str
    record_id: str | None
    grond: str
    reden: str
    geplaatst_door: str
    geplaatst_op: datetime
    actief: bool
    opgeheven_door: str | None
    opgeheven_op: datetime | None
    opheffing_reden: str | None


def _out(h: Blokkade) -> BlokkadeOut:
    return BlokkadeOut(
        id=h.id,
        dossier_id=h.dossier_id,
        record_id=h.record_id,
        grond=h.grond,
        reden=h.reden,
        geplaatst_door=h.geplaatst_door,
        geplaatst_op=h.geplaatst_op,
        actief=h.opgeheven_op is None,
        opgeheven_door=h.opgeheven_door,
        opgeheven_op=h.opgeheven_op,
        opheffing_reden=h.opheffing_reden,
    )


def _dossier(session: Session, access: Access, ref: str) -> Dossier:
    found = repository.dossier_by_kenmerk(session, ref) or session.get(Dossier, ref)
    if found is None or not visible_dossiers(session, access, [found.id]):
        raise NotFound(f"no dossier {ref}")
    return found


@router.post("", status_code=status.HTTP_201_CREATED)
def place(request: Request, access: CurrentAccess, body: BlokkadeIn) -> BlokkadeOut:
    """Hold a dossier, or one record of it, with a ground and a reason."""
    access.require_system("bewaren_beheren")
    container = request.app.state.container
    with container.sessions.begin() as session:
        dossier = _dossier(session, access, body.dossier)
        record = None
        if body.record_id is not None:
            record = session.get(Record, body.record_id)
            if record is None:
                raise NotFound(f"no record {body.record_id}")
            access.require(target_of(session, record), "read", f"record {body.record_id}")
        hold = blokkade.place(
            session,
            container.store,
            dossier=dossier,
            record=record,
            grond=body.grond,
            reden=body.reden,
            actor=Actor.of(access.subject),
            at=container.clock.now(),
        )
        return _out(hold)


@router.post("/{blokkade_id}/opheffing")
def lift(
    request: Request, access: CurrentAccess, blokkade_id: str, body: OpheffingIn
) -> BlokkadeOut:
    """Lift a hold, with a reason; the hold stays on record."""
    access.require_system("bewaren_beheren")
    container = request.app.state.container
    with container.sessions.begin() as session:
        hold = session.get(Blokkade, blokkade_id)
        if hold is None or not visible_dossiers(session, access, [hold.dossier_id]):
            raise NotFound(f"no hold {blokkade_id}")
        hold = blokkade.lift(
            session,
            container.store,
            blokkade_id,
            reden=body.reden,
            actor=Actor.of(access.subject),
            at=container.clock.now(),
        )
        return _out(hold)


@router.get("")
def list_holds(
    request: Request,
    access: CurrentAccess,
    dossier: Annotated[str | None, Query(max_length=64)] = None,
    actief: bool = True,
) -> list[BlokkadeOut]:
    """Holds on dossiers the caller can see (only active ones unless `actief=false`)."""
    access.require_system("bewaren_beheren")
    with request.app.state.container.sessions() as session:
        query = select(Blokkade).order_by(Blokkade.geplaatst_op)
        if dossier is not None:
            query = query.where(Blokkade.dossier_id == _dossier(session, access, dossier).id)
        if actief:
            query = query.where(Blokkade.opgeheven_op.is_(None))
        holds = list(session.scalars(query))
        seen = visible_dossiers(session, access, sorted({h.dossier_id for h in holds}))
        return [_out(h) for h in holds if h.dossier_id in seen]
