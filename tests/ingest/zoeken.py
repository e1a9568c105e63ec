# SPDX-License-Identifier: EUPL-1.2
"""Which pages of an ingested record a search hits: the check the ingest tests share."""

from __future__ import annotations

from typing import Any

from archief.catalog.models import IngestItem
from archief.composition import Container
from archief.ports import SearchQuery
from search.index import ElasticsearchIndex

# No permission filter: these tests ask what was indexed, not who may see it.
EVERYTHING: dict[str, Any] = {"match_all": {}}


def hit_pages(c: Container, text: str, item: IngestItem) -> list[int] | None:
    """The pages a search for `text` hits in this item's record; None: no hit on it."""
    assert isinstance(c.index, ElasticsearchIndex)
    c.index.client.indices.refresh(index=c.index.alias)
    result = c.index.search(SearchQuery(permission=EVERYTHING, text=text))
    return {h.record_id: sorted(h.pages) for h in result.hits}.get(item.record_id or "")


def hit_records(c: Container, text: str) -> set[str]:
    """The records a search for `text` hits (every record, no permission filter)."""
    assert isinstance(c.index, ElasticsearchIndex)
    c.index.client.indices.refresh(index=c.index.alias)
    return {h.record_id for h in c.index.search(SearchQuery(permission=EVERYTHING, text=text)).hits}
