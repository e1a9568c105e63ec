# SPDX-License-Identifier: EUPL-1.2
"""Catalog queries about intake and processing state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from archief.catalog.models import Content, IngestItem, Page

# Failed, but not for its bytes: a service stayed away past the worker's
# retries (ingest.worker). Such content is read again; see intake.service.waits.
FAILED_FOR_A_SERVICE = and_(Content.status == "failed", Content.quarantined.is_(False))


def item_by_source(session: Session, dossier_id: str, source_key: str) -> IngestItem | None:
    return session.scalars(
        select(IngestItem)
        .where(IngestItem.dossier_id == dossier_id, IngestItem.source_key == source_key)
        .order_by(IngestItem.created_at.desc())
        .limit(1)
    ).first()


def contents(session: Session, shas: Sequence[str]) -> list[Content]:
    return list(session.scalars(select(Content).where(Content.sha256.in_(shas))))


def page_progress(session: Session, shas: Sequence[str]) -> tuple[int, int]:
    """Pages done and pages known, over these contents."""
    row = session.execute(
        select(func.count(), func.count().filter(Page.done)).where(Page.sha256.in_(shas))
    ).one()
    return int(row[1]), int(row[0])


def progress_by_content(session: Session, shas: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Pages done and pages known, per content (a content with no page rows is left out)."""
    rows = session.execute(
        select(Page.sha256, func.count().filter(Page.done), func.count())
        .where(Page.sha256.in_(shas))
        .group_by(Page.sha256)
    )
    return {sha: (int(done), int(known)) for sha, done, known in rows}


def resumable(session: Session, stuck_before: datetime) -> list[Content]:
    """Content never handed on, failed while a service was away, or whose processing stopped.

    Not quarantined, so the bytes were never the problem (intake.service.waits).
    """
    return list(
        session.scalars(
            select(Content).where(
                Content.quarantined.is_(False),
                Content.status.in_(("stored", "failed"))
                | (Content.status.in_(("extracting", "ocr")) & (Content.updated_at < stuck_before)),
            )
        )
    )


def herstelbaar(
    session: Session, rested_before: datetime, max_attempts: int, limit: int
) -> list[str]:
    """Content failed while a service was away, rested since, not tried too often; oldest first.

    Only failures: stored or stuck content may still sit in the queue (a long
    backlog), and handing it on again would read it twice.
    """
    return list(
        session.scalars(
            select(Content.sha256)
            .where(
                FAILED_FOR_A_SERVICE,
                Content.updated_at < rested_before,
                Content.attempts < max_attempts,
            )
            .order_by(Content.updated_at)
            .limit(limit)
        )
    )


def failed_for_a_service(session: Session) -> int:
    """How many contents failed while a service was away (and wait to be read again)."""
    return session.scalar(select(func.count()).where(FAILED_FOR_A_SERVICE)) or 0


def stuck(session: Session, before: datetime) -> list[Content]:
    return list(
        session.scalars(
            select(Content)
            .where(Content.status.in_(("extracting", "ocr")), Content.updated_at < before)
            .order_by(Content.updated_at)
        )
    )


def pages_for_review(session: Session, limit: int = 100) -> list[Page]:
    return list(
        session.scalars(
            select(Page).where(Page.needs_review.is_(True)).order_by(Page.confidence).limit(limit)
        )
    )
