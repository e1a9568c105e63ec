# SPDX-License-Identifier: EUPL-1.2
"""Setting selectielijst categories over HTTP (system action `bewaren_beheren`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from archief.audit.chain import Actor
from archief.bewaring import categorie, selectielijst
from archief.catalog.models import Dossier, Record
from archief.errors import NotFound
from archief.records.endpoints import record_out
from archief.records.schemas import RecordOut
from archief.toegang.access import target_of, visible_dossiers
from archief.toegang.deps import CurrentAccess

router = APIRouter(tags=["bewaring"])


class CategorieIn(BaseModel):
    model_config = {"extra": "forbid"}

    # None: no category of its own (a record then follows its dossier).
    categorie: str | None = Field(max_length=32)


class CategorieOut(BaseModel):
    categorie: str | None
    records_herberekend: int


@router.put("/dossiers/{dossier_id}/categorie")
def set_dossier(
    request: Request, access: CurrentAccess, dossier_id: str, body: CategorieIn
) -> CategorieOut:
    """A dossier's category; its records' archiefactiedatum is derived again."""
    access.require_system("bewaren_beheren")
    container = request.app.state.container
    with container.sessions.begin() as session:
        dossier = session.get(Dossier, dossier_id, with_for_update=True)
        if dossier is None or not visible_dossiers(session, access, [dossier_id]):
            raise NotFound(f"no dossier {dossier_id}")
        moved = categorie.set_dossier(
            session,
            dossier,
            body.categorie,
            selectielijst.default(),
            actor=Actor.of(access.subject),
            at=container.clock.now(),
        )
        return CategorieOut(categorie=dossier.categorie, records_herberekend=moved)


@router.put("/records/{record_id}/categorie")
def set_record(
    request: Request, access: CurrentAccess, record_id: str, body: CategorieIn
) -> RecordOut:
    """A record's own category (e.g. a social media post in a project dossier)."""
    access.require_system("bewaren_beheren")
    container = request.app.state.container
    with container.sessions.begin() as session:
        record = session.get(Record, record_id, with_for_update=True)
        if record is None:
            raise NotFound(f"no record {record_id}")
        access.require(target_of(session, record), "read", f"record {record_id}")
        categorie.set_record(
            session,
            record,
            body.categorie,
            selectielijst.default(),
            actor=Actor.of(access.subject),
            at=container.clock.now(),
        )
    return record_out(request, access, record_id, check=False)
