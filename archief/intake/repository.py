# SPDX-License-Identifier: EUPL-1.2
"""Catalog queries about intake and processing state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, String, and_, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session

from archief.catalog.models import Content, IngestItem, Page

# Failed, but not for its bytes: a service stayed away past the worker's
# retries (ingest.worker). Such content is read again; see intake.service.waits.
FAILED_FOR_A_SERVICE = and_(Content.status == "failed", Content.quarantined.is_(False))


def items_by_source(
    session: Session, dossier_id: str, source_keys: Sequence[str]
) -> dict[str, IngestItem]:
    """The newest item of each source key in the dossier (what earlier runs took in): one query."""
    newest: dict[str, IngestItem] = {}
    items = session.scalars(
        select(IngestItem)
        .where(IngestItem.dossier_id == dossier_id, IngestItem.source_key.in_(source_keys))
        .order_by(IngestItem.created_at)
    )
    for item in items:
        # In order of age: the newest of a key is the last one seen.
        newest[item.source_key or ""] = item
    return newest


def among(column: InstrumentedAttribute[str], values: Sequence[str]) -> ColumnElement[bool]:
    """`column = ANY(values)`: one array parameter, where IN takes one per value.

    A backlog can hand in more files than a statement may have parameters
    (65535), and its progress is asked ten times a second.
    """
    return column == any_(bindparam(None, list(values), type_=ARRAY(String)))


def content_progress(session: Session, shas: Sequence[str]) -> tuple[int, int]:
    """Contents done (indexed or failed) and contents known, over these."""
    row = session.execute(
        select(func.count(), func.count().filter(Content.status.in_(("indexed", "failed")))).where(
            among(Content.sha256, shas)
        )
    ).one()
    return int(row[1]), int(row[0])


def page_progress(session: Session, shas: Sequence[str]) -> tuple[int, int]:
    """Pages done and pages known, over these contents."""
    row = session.execute(
        select(func.count(), func.count().filter(Page.done)).where(among(Page.sha256, shas))
    ).one()
    return int(row[1]), int(row[0])


def taken_up(session: Session, shas: Sequence[str], since: datetime) -> bool:
    """Whether a worker took up any of these contents at or after `since`.

    Only a worker moves a content past `stored` (and touches `updated_at`
    when it does); intake never does.
    """
    query = select(Content.sha256).where(
        among(Content.sha256, shas),
        Content.status.in_(("extracting", "ocr", "indexed")),
        Content.updated_at >= since,
    )
    return session.scalar(query.limit(1)) is not None


def items_with_content(
    session: Session, item_ids: Sequence[str]
) -> dict[str, tuple[IngestItem, Content | None]]:
    """These intake items, each with its content (None before it was stored), by id."""
    rows = session.execute(
        select(IngestItem, Content)
        .outerjoin(Content, Content.sha256 == IngestItem.sha256)
        .where(among(IngestItem.id, item_ids))
    )
    return {item.id: (item, content) for item, content in rows}


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
