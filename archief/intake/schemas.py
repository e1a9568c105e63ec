# SPDX-License-Identifier: EUPL-1.2
"""Response bodies for intake."""

from __future__ import annotations

from pydantic import BaseModel

from archief.catalog.models import Content, IngestItem


def effective_status(
    item: IngestItem, content: Content | None
) -> tuple[str, str | None, str | None]:
    """What the client sees: the item's own outcome, or once stored, how processing goes."""
    if item.status in ("failed", "received") or content is None:
        return item.status, item.reason_code, item.reason
    if item.status == "duplicate" and content.status == "indexed":
        return "duplicate", None, None
    return content.status, content.reason_code, content.reason


class ItemOut(BaseModel):
    id: str
    name: str
    status: str
    reason_code: str | None
    reason: str | None
    quarantined: bool
    duplicate: bool
    record_id: str | None
    sha256: str | None
    pages_done: int
    pages_total: int

    @classmethod
    def from_rows(
        cls, item: IngestItem, content: Content | None, *, pages_done: int, pages_total: int
    ) -> ItemOut:
        status, code, reason = effective_status(item, content)
        return cls(
            id=item.id,
            name=item.display_name,
            status=status,
            reason_code=code,
            reason=reason,
            quarantined=bool(content and content.quarantined),
            duplicate=item.status == "duplicate",
            record_id=item.record_id,
            sha256=item.sha256,
            pages_done=pages_done,
            pages_total=pages_total,
        )


class ItemsOut(BaseModel):
    """A batch poll: the items asked for that the caller may follow, and the rest by id."""

    items: list[ItemOut]
    unknown: list[str]
