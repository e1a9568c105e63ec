# SPDX-License-Identifier: EUPL-1.2
"""The last record on its way to the index is searchable at once; the others at a refresh.

Elasticsearch shows new documents at its next refresh, up to a second after
the catalog says `indexed`. The worker asks for a refresh of its own only
when no other content is on its way (ingest.process._index): a lone upload,
or the end of a batch, is found at once, and a batch in flight does not cost
a segment per document. These tests switch the periodic refresh off, so only
a refresh the pipeline asks for can show a record.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archief.catalog.models import Content, IngestItem
from archief.composition import Container, build_container
from archief.intake.service import ensure_dossier
from archief.ports import SearchQuery
from archief.settings import Settings
from search.index import ElasticsearchIndex
from tests.ingest.documents import pdf

EVERYTHING: dict[str, Any] = {"match_all": {}}
ON_ITS_WAY = "0" * 64


@pytest.fixture
def quiet(own: tuple[Container, Settings]) -> Iterator[Container]:
    """An archive of its own, run inline, whose index never refreshes by itself."""
    _, mine = own
    c = build_container(
        mine.model_copy(
            update={
                "queue": mine.queue.model_copy(update={"broker_url": None}),
                "search": mine.search.model_copy(
                    update={"index_prefix": f"{mine.search.index_prefix}-r{uuid.uuid4().hex[:8]}"}
                ),
            }
        )
    )
    c.prepare()
    assert isinstance(c.index, ElasticsearchIndex)
    c.index.client.indices.put_settings(
        index=c.index.alias, settings={"index": {"refresh_interval": "-1"}}
    )
    try:
        yield c
    finally:
        c.index.drop()
        c.close()


def _receive(c: Container, path: Path) -> IngestItem:
    dossier = ensure_dossier(
        c.sessions, c.clock, kenmerk="T-VERS", titel="Vers", afdeling="wijkzaken"
    ).id
    with path.open("rb") as f:
        return c.intake.receive(f, name=path.name, dossier_id=dossier, laag="afdeling")


def _found(c: Container, text: str) -> list[str]:
    """The records a search finds now, without refreshing first."""
    assert c.index is not None
    return [h.record_id for h in c.index.search(SearchQuery(permission=EVERYTHING, text=text)).hits]


def _status(c: Container, item: IngestItem) -> str:
    with c.sessions() as s:
        content = s.get(Content, item.sha256)
        assert content is not None
        return content.status


def test_the_last_record_on_its_way_is_searchable_at_once(quiet: Container, tmp_path: Path) -> None:
    now = quiet.clock.now()
    with quiet.sessions.begin() as s:
        # Content stored elsewhere and not yet read: the index will refresh for it.
        s.add(
            Content(
                sha256=ON_ITS_WAY,
                media_type="application/pdf",
                size=1,
                status="stored",
                quarantined=False,
                attempts=0,
                created_at=now,
                updated_at=now,
            )
        )
    first = _receive(
        quiet, pdf(["Raadsbrief over de kademuren van het Reitdiep"], tmp_path / "a.pdf")
    )
    assert _status(quiet, first) == "indexed"
    assert _found(quiet, "kademuren") == []

    with quiet.sessions.begin() as s:
        waiting = s.get(Content, ON_ITS_WAY)
        assert waiting is not None
        waiting.status = "indexed"
    second = _receive(
        quiet, pdf(["Besluitnota over de fietsenstalling bij het station"], tmp_path / "b.pdf")
    )

    assert _status(quiet, second) == "indexed"
    # The last one's refresh shows the record indexed before it too.
    assert _found(quiet, "fietsenstalling") == [second.record_id]
    assert _found(quiet, "kademuren") == [first.record_id]
