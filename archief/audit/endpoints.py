# SPDX-License-Identifier: EUPL-1.2
"""Reading the audit trail: authorised (system action `audit_lezen`), filtered, and itself logged.

The trail names records and dossiers and carries their old and new
metadata, so an entry is only shown to a caller who may read its record
now (or see its dossier); entries about nothing in particular (policy
changes, audit reads) are shown to every holder of `audit_lezen`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append, fields, verify
from archief.catalog.models import AuditEntry
from archief.toegang.access import Access, positions, visible_dossiers
from archief.toegang.deps import CurrentAccess

router = APIRouter(prefix="/audit", tags=["audit"])

# Entries are read in batches and filtered; a page scans at most this many
# batches, so a caller who may see little does not make one request walk
# the whole trail (they follow `next_after`).
BATCHES = 10


class EntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    rollen: list[str]
    actie: str
    object_type: str
    object_id: str
    dossier_id: str | None
    voor: dict[str, Any] | None
    na: dict[str, Any] | None
    details: dict[str, Any] | None
    hash: str
    prev_hash: str


class AuditPage(BaseModel):
    items: list[EntryOut]
    next_after: int | None


class ProblemOut(BaseModel):
    seq: int
    kind: str
    detail: str


class VerifyOut(BaseModel):
    ok: bool
    entries: int
    head_seq: int
    anchors: int
    problems: list[ProblemOut]


def visible(session: Session, access: Access, entries: list[AuditEntry]) -> list[AuditEntry]:
    """The entries this caller may see: by their record, else their dossier."""
    records = positions(session, [e.object_id for e in entries if e.object_type == "record"])
    dossiers = visible_dossiers(
        session, access, sorted({e.dossier_id for e in entries if e.dossier_id is not None})
    )
    kept = []
    for entry in entries:
        if entry.object_type == "record":
            pos = records.get(entry.object_id)
            if pos is None or not access.can(pos.target, "read"):
                continue
        elif entry.dossier_id is not None and entry.dossier_id not in dossiers:
            continue
        kept.append(entry)
    return kept


def _out(e: AuditEntry) -> EntryOut:
    return EntryOut(**fields(e))


@router.get("")
def read_trail(  # noqa: PLR0917  # FastAPI maps each parameter to a query field
    request: Request,
    access: CurrentAccess,
    dossier: Annotated[str | None, Query(max_length=36, description="dossier id")] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=255)] = None,
    actie: Annotated[str | None, Query(max_length=64, description="e.g. record.geopend")] = None,
    van: datetime | None = None,
    tot: datetime | None = None,
    after: Annotated[int, Query(ge=0, description="seq to continue after")] = 0,
    size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Entries in chain order, as far as the caller may see them. This read is logged too."""
    access.require_system("audit_lezen")
    container = request.app.state.container
    query = select(AuditEntry).order_by(AuditEntry.seq).limit(size)
    for column, value in (
        (AuditEntry.dossier_id, dossier),
        (AuditEntry.object_id, object_id),
        (AuditEntry.actor, actor),
        (AuditEntry.actie, actie),
    ):
        if value is not None:
            query = query.where(column == value)
    if van is not None:
        query = query.where(AuditEntry.at >= van)
    if tot is not None:
        query = query.where(AuditEntry.at < tot)
    items: list[EntryOut] = []
    cursor, exhausted = after, False
    with container.sessions() as session:
        for _ in range(BATCHES):
            batch = list(session.scalars(query.where(AuditEntry.seq > cursor)))
            if not batch:
                exhausted = True
                break
            for entry in visible(session, access, batch):
                if len(items) < size:
                    items.append(_out(entry))
                    cursor = entry.seq
            if len(items) >= size:
                break
            cursor = batch[-1].seq
            if len(batch) < size:
                exhausted = True
                break
    filters = {
        k: v
        for k, v in {
            "dossier": dossier,
            "object_id": object_id,
            "actor": actor,
            "actie": actie,
        }.items()
        if v is not None
    }
    with container.sessions.begin() as session:
        append(
            session,
            actor=Actor.of(access.subject),
            actie="audit.gelezen",
            object_type="audit",
            object_id=dossier or "trail",
            dossier_id=dossier,
            at=container.clock.now(),
            details={"filter": filters, "after": after, "shown": len(items)},
        )
    return AuditPage(items=items, next_after=None if exhausted else cursor)


@router.get("/verificatie")
def verify_trail(request: Request, access: CurrentAccess) -> VerifyOut:
    """Walk the whole chain and the anchors; say where it was tampered with, if anywhere."""
    access.require_system("audit_lezen")
    container = request.app.state.container
    with container.sessions() as session:
        report = verify(session, container.store)
    with container.sessions.begin() as session:
        append(
            session,
            actor=Actor.of(access.subject),
            actie="audit.geverifieerd",
            object_type="audit",
            object_id="trail",
            at=container.clock.now(),
            details={"ok": report.ok, "entries": report.entries, "problems": len(report.problems)},
        )
    return VerifyOut(
        ok=report.ok,
        entries=report.entries,
        head_seq=report.head_seq,
        anchors=report.anchors,
        problems=[ProblemOut(seq=p.seq, kind=p.kind, detail=p.detail) for p in report.problems],
    )
