# SPDX-License-Identifier: EUPL-1.2
"""All catalog queries about dossiers and records."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.catalog.models import Dossier, Record


def dossier_by_kenmerk(session: Session, kenmerk: str) -> Dossier | None:
    return session.scalars(select(Dossier).where(Dossier.kenmerk == kenmerk)).one_or_none()


def record_by_content(session: Session, dossier_id: str, sha256: str) -> Record | None:
    return session.scalars(
        select(Record).where(Record.dossier_id == dossier_id, Record.sha256 == sha256)
    ).one_or_none()


def records_in_dossier(session: Session, dossier_id: str) -> list[Record]:
    return list(
        session.scalars(
            select(Record).where(Record.dossier_id == dossier_id).order_by(Record.created_at)
        )
    )
