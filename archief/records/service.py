# SPDX-License-Identifier: EUPL-1.2
"""Storing originals and cataloguing them. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from archief.catalog.models import Dossier, Record
from archief.ports import Clock, ObjectStore
from archief.records import repository
from archief.storage.common import CHUNK, original_key


@dataclass(frozen=True, slots=True)
class Stored:
    record: Record
    duplicate: bool


def sha256_of(stream: BinaryIO) -> str:
    """Hash a seekable stream and rewind it."""
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def get_or_create_dossier(
    session: Session, clock: Clock, *, kenmerk: str, titel: str, afdeling: str
) -> Dossier:
    dossier = repository.dossier_by_kenmerk(session, kenmerk)
    if dossier is None:
        dossier = Dossier(kenmerk=kenmerk, titel=titel, afdeling=afdeling, created_at=clock.now())
        session.add(dossier)
        session.flush()
    return dossier


def store_original(
    session: Session,
    store: ObjectStore,
    clock: Clock,
    *,
    dossier: Dossier,
    path: Path,
    media_type: str,
    laag: str,
    titel: str | None = None,
) -> Stored:
    """Put the file's bytes in the store under their SHA-256 and catalog a record.

    The same bytes in the same dossier are the same record: a second ingest
    reports a duplicate and changes nothing.
    """
    with path.open("rb") as f:
        sha256 = sha256_of(f)
        existing = repository.record_by_content(session, dossier.id, sha256)
        if existing is not None:
            return Stored(existing, duplicate=True)
        info = store.put(
            original_key(sha256),
            f,
            content_type=media_type,
            sha256=sha256,
            size=path.stat().st_size,
        )
    record = Record(
        dossier_id=dossier.id,
        titel=titel or path.stem.replace("-", " ").replace("_", " "),
        laag=laag,
        sha256=sha256,
        object_key=info.key,
        media_type=media_type,
        size=info.size,
        filename=path.name,
        status="stored",
        created_at=clock.now(),
    )
    session.add(record)
    session.flush()
    return Stored(record, duplicate=False)
