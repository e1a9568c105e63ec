# SPDX-License-Identifier: EUPL-1.2
"""A content's catalog row as it stands now: the check the ingest tests share."""

from __future__ import annotations

from archief.catalog.models import Content
from archief.composition import Container


def content_row(c: Container, sha: str) -> Content:
    """The content row, read afresh and detached (it must exist)."""
    with c.sessions() as s:
        content = s.get(Content, sha)
        assert content is not None
        s.expunge(content)
        return content
