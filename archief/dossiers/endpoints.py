# SPDX-License-Identifier: EUPL-1.2
"""HTTP endpoints for dossiers; lists and counts only ever cover permitted records.

A dossier is visible to a caller who may read at least one of its records,
or who may add records to it (colleagues see their own afdeling's empty
dossiers). Its counts are over the records the caller may read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Select, func, select

from archief.catalog.models import Afdeling, Dossier, Record
from archief.errors import NotFound
from archief.reconstructie import endpoints as reconstructie
from archief.toegang.access import Access
from archief.toegang.deps import CurrentAccess

router = APIRouter(prefix="/dossiers", tags=["dossiers"])


class DossierOut(BaseModel):
    id: str
    kenmerk: str
    titel: str
    afdeling: str
    wijken: list[str]
    status: str
    created_at: datetime
    records: int
    per_laag: dict[str, int]


class RecordItemOut(BaseModel):
    id: str
    titel: str
    laag: str
    soort: str | None
    media_type: str
    created_at: datetime


class DossierPage(BaseModel):
    items: list[DossierOut]
    next_after: str | None


def _readable_records(access: Access) -> Select[Record]:
    return (
        select(Record)
        .join(Dossier, Record.dossier_id == Dossier.id)
        .join(Afdeling, Dossier.afdeling == Afdeling.code)
        .where(access.sql_filter("read"))
    )


def _visible_dossiers(access: Access) -> Select[Dossier]:
    return (
        select(Dossier)
        .join(Afdeling, Dossier.afdeling == Afdeling.code)
        .where(access.dossier_visible())
    )


def _counts(request: Request, access: Access, dossier_ids: list[str]) -> dict[str, dict[str, int]]:
    with request.app.state.container.sessions() as session:
        rows = session.execute(
            _readable_records(access)
            .where(Record.dossier_id.in_(dossier_ids))
            .with_only_columns(Record.dossier_id, Record.laag, func.count())
            .group_by(Record.dossier_id, Record.laag)
        )
        out: dict[str, dict[str, int]] = {}
        for dossier_id, laag, n in rows:
            out.setdefault(dossier_id, {})[laag] = int(n)
        return out


def _out(dossier: Dossier, per_laag: dict[str, int]) -> DossierOut:
    return DossierOut(
        id=dossier.id,
        kenmerk=dossier.kenmerk,
        titel=dossier.titel,
        afdeling=dossier.afdeling,
        wijken=list(dossier.wijken or []),
        status=dossier.status,
        created_at=dossier.created_at,
        records=sum(per_laag.values()),
        per_laag=per_laag,
    )


@router.get("")
def list_dossiers(
    request: Request,
    access: CurrentAccess,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[
        str | None, Query(max_length=64, description="kenmerk to continue after")
    ] = None,
) -> DossierPage:
    """The dossiers the caller can see, by kenmerk."""
    query = _visible_dossiers(access).order_by(Dossier.kenmerk).limit(size)
    if after:
        query = query.where(Dossier.kenmerk > after)
    with request.app.state.container.sessions() as session:
        dossiers = list(session.scalars(query))
    counts = _counts(request, access, [d.id for d in dossiers])
    return DossierPage(
        items=[_out(d, counts.get(d.id, {})) for d in dossiers],
        next_after=dossiers[-1].kenmerk if len(dossiers) == size else None,
    )


def _dossier(request: Request, access: Access, dossier_id: str) -> Dossier:
    with request.app.state.container.sessions() as session:
        dossier = session.scalars(
            _visible_dossiers(access).where(Dossier.id == dossier_id)
        ).one_or_none()
        if dossier is None:
            raise NotFound(f"no dossier {dossier_id}")
        return dossier  # type: ignore[no-any-return]  # one_or_none is typed loosely here


@router.get(
    "/{dossier_id}",
    response_model=DossierOut,
    responses={200: {"description": "With `as_of`: the reconstruction (JSON), for the ombudsman"}},
)
def get_dossier(
    request: Request,
    access: CurrentAccess,
    dossier_id: str,
    as_of: Annotated[
        str | None,
        Query(
            min_length=10,
            max_length=64,
            description="Reconstruct the dossier as it was then (ombudsman, under a grant)",
        ),
    ] = None,
) -> DossierOut | JSONResponse:
    """A dossier with counts of what the caller may read; with `as_of`, as it was then."""
    if as_of is not None:
        return reconstructie.as_json(request, access, dossier_id, as_of)
    dossier = _dossier(request, access, dossier_id)
    return _out(dossier, _counts(request, access, [dossier.id]).get(dossier.id, {}))


@router.get("/{dossier_id}/records")
def dossier_records(
    request: Request,
    access: CurrentAccess,
    dossier_id: str,
    size: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RecordItemOut]:
    """The records of a dossier the caller may read, oldest first."""
    _dossier(request, access, dossier_id)
    with request.app.state.container.sessions() as session:
        records = session.scalars(
            _readable_records(access)
            .where(Record.dossier_id == dossier_id)
            .order_by(Record.created_at, Record.id)
            .limit(size)
            .offset(offset)
        )
        return [
            RecordItemOut(
                id=r.id,
                titel=r.titel,
                laag=r.laag,
                soort=r.soort,
                media_type=r.media_type,
                created_at=r.created_at,
            )
            for r in records
        ]
