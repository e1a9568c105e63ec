# SPDX-License-Identifier: EUPL-1.2
"""Ingest one file: detect, store, catalog, extract, index.

Every stage either completes or records a reason on the record; a bad file
never takes the batch down with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import structlog

from archief.catalog.models import Record
from archief.composition import Container
from archief.errors import ArchiefError
from archief.ports import SearchDocument
from archief.records import service
from ingest.detect import detect
from ingest.extract import extract_pages

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    path: Path
    status: str  # indexed | duplicate | failed
    record_id: str | None = None
    reason: str | None = None
    pages: int = 0


def ingest_file(
    container: Container,
    path: Path,
    *,
    dossier_kenmerk: str,
    dossier_titel: str,
    afdeling: str,
    laag: str,
    wijken: tuple[str, ...] = (),
) -> Outcome:
    """Ingest the file at `path` into the dossier; report what happened."""
    try:
        with path.open("rb") as f:
            media_type = detect(f.read(8192))
    except ArchiefError as exc:
        log.warning("ingest.detect.failed", file=path.name, code=exc.code)
        return Outcome(path, "failed", reason=exc.detail)
    with container.sessions.begin() as session:
        dossier = service.get_or_create_dossier(
            session,
            container.clock,
            kenmerk=dossier_kenmerk,
            titel=dossier_titel,
            afdeling=afdeling,
        )
        stored = service.store_original(
            session,
            container.store,
            container.clock,
            dossier=dossier,
            path=path,
            media_type=media_type,
            laag=laag,
        )
        record = stored.record
        if stored.duplicate:
            return Outcome(path, "duplicate", record.id)
        record_id, dossier_id = record.id, dossier.id
    try:
        pages = extract_pages(path, media_type, container.ocr)
        if container.index is not None:
            container.index.index(
                [
                    SearchDocument(
                        record_id=record_id,
                        dossier_id=dossier_id,
                        title=record.titel,
                        layer=laag,
                        content_type=media_type,
                        sha256=record.sha256,
                        created_at=record.created_at,
                        pages=pages,
                        afdeling=afdeling,
                        wijken=wijken,
                    )
                ],
                refresh=True,
            )
    except ArchiefError as exc:
        _set_status(container, record_id, "failed", exc.detail)
        log.warning("ingest.failed", record_id=record_id, code=exc.code)
        return Outcome(path, "failed", record_id, exc.detail)
    _set_status(container, record_id, "indexed", None)
    log.info("ingest.indexed", record_id=record_id, pages=len(pages))
    return Outcome(path, "indexed", record_id, pages=len(pages))


def _set_status(container: Container, record_id: str, status: str, reason: str | None) -> None:
    with container.sessions.begin() as session:
        record = session.get(Record, record_id)
        if record is not None:
            record.status, record.status_reason = status, reason
