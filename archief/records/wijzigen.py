# SPDX-License-Identifier: EUPL-1.2
"""Changing records: new metadata, new content, and the versions that keep every state.

Nothing is overwritten. New content is stored under its own SHA-256 beside
the old; every change adds a `RecordVersie` and an audit entry in the same
transaction. A change needs `write` on the record's layer, and a memo the
portefeuillehouder initialled changes only through a college decision
(`besluitstap`, see archief.besluiten.slot).
"""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.besluiten.slot import check_change
from archief.bewaring.blokkade import check_not_held
from archief.bewaring.status import check_actief, check_inhoud
from archief.catalog.models import Record, RecordVersie
from archief.errors import NotFound
from archief.intake.multipart import receive_multipart
from archief.intake.service import SpoolWriter, TooLarge
from archief.records.endpoints import original_response, record_out
from archief.records.schemas import NieuweVersieOut, RecordOut, RecordPatch, VersieOut
from archief.toegang.access import Access, target_of
from archief.toegang.deps import CurrentAccess
from archief.versies import record_changed, record_state
from policies.subject import Target

router = APIRouter(tags=["records"])


def _writable(session: Session, access: Access, record_id: str, *, lock: bool) -> Record:
    record = session.get(Record, record_id, with_for_update=lock)
    if record is None:
        raise NotFound(f"no record {record_id}")
    access.require(target_of(session, record), "write", f"record {record_id}")
    return record


@router.patch("/records/{record_id}")
def change(request: Request, access: CurrentAccess, record_id: str, body: RecordPatch) -> RecordOut:
    """Change a record's title or kind: a new version, audited; search sees it at once."""
    container = request.app.state.container
    with container.sessions.begin() as session:
        record = _writable(session, access, record_id, lock=True)
        check_change(session, record, body.besluitstap)
        check_actief(record)
        check_not_held(session, record, "a metadata change")
        voor = record_state(record)
        if body.titel is not None:
            record.titel = body.titel.strip()
        if "soort" in body.model_fields_set:
            record.soort = (body.soort or "").strip() or None
        session.flush()
        record_changed(
            session,
            record,
            voor,
            actor=Actor.of(access.subject),
            actie="record.metadata",
            at=container.clock.now(),
            details={"besluitstap": body.besluitstap} if body.besluitstap else None,
        )
        if container.index is not None and record_state(record) != voor:
            # Inside the transaction, like a layer move: if the index refuses,
            # nothing changed. Not indexed yet: the worker reads the catalog.
            with contextlib.suppress(NotFound):
                container.index.set_metadata(record.id, title=record.titel, soort=record.soort)
    return record_out(request, access, record_id, check=False)


@router.post("/records/{record_id}/versies")
async def new_version(request: Request, access: CurrentAccess, record_id: str) -> NieuweVersieOut:
    """Hand in new content for a record (multipart `file`, optional `besluitstap`)."""
    container = request.app.state.container

    def precheck() -> None:
        # Refuse before reading a byte of the body.
        with container.sessions() as session:
            _writable(session, access, record_id, lock=False)

    await run_in_threadpool(precheck)
    limit = container.settings.ingest.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise TooLarge(f"larger than the limit of {limit} bytes")
    writer = SpoolWriter(container.settings.ingest.spool_dir, limit)
    try:
        fields, filename = await receive_multipart(request, writer)
        spooled = writer.finish()
        besluitstap = fields.get("besluitstap") or None

        def check(session: Session, record: Record) -> None:
            access.require(target_of(session, record), "write", f"record {record_id}")
            check_change(session, record, besluitstap)
            check_actief(record)
            check_not_held(session, record, "new content")

        _, changed = await run_in_threadpool(
            lambda: container.intake_for(Actor.of(access.subject), access.policy).replace_content(
                spooled,
                name=filename,
                record_id=record_id,
                check=check,
                details={"besluitstap": besluitstap} if besluitstap else None,
            )
        )
    finally:
        writer.discard()
    out = await run_in_threadpool(record_out, request, access, record_id, check=False)
    return NieuweVersieOut(record=out, gewijzigd=changed)


def _versions(
    session: Session, access: Access, record_id: str
) -> tuple[Record, list[RecordVersie]]:
    """The record's versions whose layer the caller may read: no history beyond that."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(f"no record {record_id}")
    here = target_of(session, record)
    access.require(here, "read", f"record {record_id}")
    rows = session.scalars(
        select(RecordVersie)
        .where(RecordVersie.record_id == record_id)
        .order_by(RecordVersie.versie)
    )
    return record, [
        v for v in rows if access.can(Target(v.laag, here.afdeling, here.dienst), "read")
    ]


def _versie_out(v: RecordVersie) -> VersieOut:
    return VersieOut(
        versie=v.versie,
        at=v.at,
        door=v.door,
        actie=v.actie,
        titel=v.titel,
        laag=v.laag,
        soort=v.soort,
        sha256=v.sha256,
        media_type=v.media_type,
        size=v.size,
        filename=v.filename,
        status=v.status,
        vergrendeld=v.vergrendeld_door is not None,
    )


@router.get("/records/{record_id}/versies")
def versions(request: Request, access: CurrentAccess, record_id: str) -> list[VersieOut]:
    """Every earlier state of the record, as far as the caller could read it in each."""
    with request.app.state.container.sessions() as session:
        _, rows = _versions(session, access, record_id)
        return [_versie_out(v) for v in rows]


@router.get("/records/{record_id}/versies/{versie}/download")
def download_version(
    request: Request,
    access: CurrentAccess,
    record_id: str,
    versie: Annotated[int, Path(ge=1)],
) -> StreamingResponse:
    """The original as it was in one version (download right now and in that version's layer)."""
    container = request.app.state.container
    with container.sessions() as session:
        record, rows = _versions(session, access, record_id)
        here = target_of(session, record)
        found = next((v for v in rows if v.versie == versie), None)
        if found is None:
            raise NotFound(f"no version {versie} of record {record_id}")
        access.require(here, "download", f"record {record_id}")
        access.require(
            Target(found.laag, here.afdeling, here.dienst), "download", f"version {versie}"
        )
        check_inhoud(record)
        dossier_id, key, sha = record.dossier_id, found.object_key, found.sha256
        media_type, name = found.media_type, (found.filename or sha).replace('"', "")
    with container.sessions.begin() as session:
        append(
            session,
            actor=Actor.of(access.subject),
            actie="record.gedownload",
            object_type="record",
            object_id=record_id,
            dossier_id=dossier_id,
            at=container.clock.now(),
            details={"versie": versie},
        )
    return original_response(container.store, key, media_type=media_type, filename=name, sha256=sha)
