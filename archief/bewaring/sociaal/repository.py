# SPDX-License-Identifier: EUPL-1.2
"""Queries on captured posts (`sociaal_bericht`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from archief.catalog.models import SociaalBericht


def bekend(session: Session, platform: str, platform_id: str) -> SociaalBericht | None:
    """Return the captured post with this key, if any run filed it."""
    return session.scalars(
        select(SociaalBericht).where(
            SociaalBericht.platform == platform, SociaalBericht.platform_id == platform_id
        )
    ).one_or_none()


def gesprek_van(session: Session, platform: str, platform_id: str) -> str | None:
    """Return the thread of a post filed earlier, so a reply to it joins that thread."""
    return session.scalar(
        select(SociaalBericht.gesprek).where(
            SociaalBericht.platform == platform, SociaalBericht.platform_id == platform_id
        )
    )


def van_record(session: Session, record_id: str) -> SociaalBericht | None:
    """Return the captured post a record holds, if it holds one."""
    return session.scalars(
        select(SociaalBericht).where(SociaalBericht.record_id == record_id)
    ).first()


def koppel_warc(
    session: Session, ids: Sequence[str], *, warc_id: str, warc_records: Mapping[str, str]
) -> None:
    """Link posts (by row id) to the WARC file of their run and their record in it."""
    for row_id in ids:
        session.execute(
            update(SociaalBericht)
            .where(SociaalBericht.id == row_id)
            .values(warc_id=warc_id, warc_record_id=warc_records.get(row_id))
        )
