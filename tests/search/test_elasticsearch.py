# SPDX-License-Identifier: EUPL-1.2
"""The index on a real Elasticsearch node, created by the production code."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from archief.ports import SearchDocument, SearchPage, SearchQuery, SearchResult
from archief.settings import Settings
from search.index import ElasticsearchIndex


@pytest.fixture
def index(stack_settings: Settings) -> Iterator[ElasticsearchIndex]:
    idx = ElasticsearchIndex.from_settings(
        stack_settings.search.model_copy(update={"index_prefix": f"test-{uuid.uuid4().hex[:8]}"})
    )
    idx.ensure_index()
    yield idx
    idx.drop()


# Every layer may be seen: these tests are about matching, not permissions.
ALL: dict[str, Any] = {"match_all": {}}


def _search(index: ElasticsearchIndex, text: str) -> SearchResult:
    return index.search(SearchQuery(permission=ALL, text=text))


def _doc(record_id: str, title: str, *pages: str, layer: str = "openbaar") -> SearchDocument:
    return SearchDocument(
        record_id=record_id,
        dossier_id="d-1",
        title=title,
        layer=layer,
        content_type="text/plain",
        sha256="0" * 64,
        created_at=datetime(2026, 3, 3, tzinfo=UTC),
        pages=[SearchPage(i, text) for i, text in enumerate(pages, start=1)],
    )


def test_dutch_analyzer_stems_like_elasticsearch(index: ElasticsearchIndex) -> None:
    # Elasticsearch's `dutch` analyzer is Lucene's DutchAnalyzer: Snowball's
    # Dutch stemmer after the Dutch stop words.
    assert index.analyze("gemeenten besluiten", "dutch") == ["gemeent", "besluit"]
    assert index.analyze("De gemeente besluit", "dutch") == ["gemeent", "besluit"]


def test_index_analyzers_fold_and_stem(index: ElasticsearchIndex) -> None:
    assert index.analyze("Coördinatie van de Gemeenten", "nl_text") == ["coordinatie", "gemeent"]
    assert index.analyze("Gemeenten", "nl_exact") == ["gemeenten"]
    assert "woo" in index.analyze("Wob-verzoek", "nl_search")


@pytest.mark.parametrize("analyzer", ["nl_text", "nl_exact", "nl_search"])
def test_text_between_angle_brackets_is_kept(index: ElasticsearchIndex, analyzer: str) -> None:
    # Page text is plain text (HTML mail and posts are reduced to text before
    # indexing), so nothing may be taken for markup: "a<b en c>d" is a memo's
    # own words, and an HTML filter dropped everything between the brackets.
    inside = index.analyze("kostendekkend subsidie", analyzer)
    assert len(inside) == 2
    words = index.analyze("tarief <kostendekkend> als x<subsidie en y>0", analyzer)
    assert set(inside) <= set(words)


def test_a_word_in_angle_brackets_is_found(index: ElasticsearchIndex) -> None:
    index.index(
        [_doc("r-1", "Verzoek", "Van: J. de Vries <wijkzaken> over het tarief")], refresh=True
    )
    assert [h.record_id for h in _search(index, "wijkzaken").hits] == ["r-1"]
    assert [h.record_id for h in _search(index, '"<wijkzaken>"').hits] == ["r-1"]


def test_ensure_index_is_idempotent_and_behind_an_alias(index: ElasticsearchIndex) -> None:
    first = index.ensure_index()
    assert index.ensure_index() == first
    assert list(index.client.indices.get_alias(name=index.alias)) == [first]
    mapping = index.client.indices.get_mapping(index=first)[first]["mappings"]
    assert mapping["dynamic"] in (False, "false")


def test_stemmed_search_names_the_page(index: ElasticsearchIndex) -> None:
    index.index(
        [
            _doc("r-1", "Besluitnota speeltuin", "Inleiding.", "De gemeenten besluiten samen."),
            _doc("r-2", "Verslag wijkavond", "Bewoners vroegen om een fietsroute."),
        ],
        refresh=True,
    )
    result = _search(index, "gemeente besluit")
    assert [h.record_id for h in result.hits] == ["r-1"]
    assert result.total == 1
    assert result.hits[0].pages == [2]
    assert any("<em>" in h for h in result.hits[0].highlights)


def test_quoted_phrase_uses_the_unstemmed_field(index: ElasticsearchIndex) -> None:
    index.index(
        [
            _doc("r-1", "Een", "de gemeenten besluiten"),
            _doc("r-2", "Twee", "de gemeente besluit"),
        ],
        refresh=True,
    )
    assert {h.record_id for h in _search(index, "gemeente besluit").hits} == {"r-1", "r-2"}
    assert [h.record_id for h in _search(index, '"gemeente besluit"').hits] == ["r-2"]


def test_filters_apply_inside_the_query(index: ElasticsearchIndex) -> None:
    index.index(
        [
            _doc("r-open", "Speeltuin open", "speeltuin", layer="openbaar"),
            _doc("r-intern", "Speeltuin intern", "speeltuin", layer="intern"),
        ],
        refresh=True,
    )
    assert _search(index, "speeltuin").total == 2
    public = index.search(SearchQuery(permission={"term": {"layer": "openbaar"}}, text="speeltuin"))
    assert public.total == 1
    assert [h.record_id for h in public.hits] == ["r-open"]


def test_delete_removes_from_results(index: ElasticsearchIndex) -> None:
    index.index([_doc("r-1", "Weg ermee", "vernietigen")], refresh=True)
    assert _search(index, "vernietigen").total == 1
    index.delete(["r-1"], refresh=True)
    assert _search(index, "vernietigen").total == 0


def test_check_reports_the_node(index: ElasticsearchIndex) -> None:
    assert index.check().startswith("elasticsearch 8.")
