# SPDX-License-Identifier: EUPL-1.2
"""The search API inside Elasticsearch: permission, filters, facets, sorting, paging.

Everything runs on the real node. The corpus is indexed once per module; each
test narrows to its own records by a unique word or dossier, except the
permission tests, which look at the whole corpus on purpose.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from archief.errors import NotFound, PortError
from archief.ports import FACETS, SearchDocument, SearchHit, SearchPage, SearchQuery, SortOrder
from archief.settings import Settings
from search.index import FACET_FIELDS, ElasticsearchIndex

ALL: Mapping[str, Any] = {"match_all": {}}
NONE: Mapping[str, Any] = {"match_none": {}}
PUBLIC: Mapping[str, Any] = {"terms": {"layer": ["openbaar"]}}
# The shape policies.compile produces: public records, plus afdeling-layer records of ro.
RO: Mapping[str, Any] = {
    "bool": {
        "should": [
            {"terms": {"layer": ["openbaar"]}},
            {
                "bool": {
                    "filter": [{"terms": {"layer": ["afdeling"]}}, {"term": {"afdeling": "ro"}}]
                }
            },
        ],
        "minimum_should_match": 1,
    }
}
T0 = datetime(2024, 1, 1, 12, tzinfo=UTC)


def doc(
    record_id: str,
    title: str,
    *pages: str,
    layer: str = "openbaar",
    dossier: str = "d-overig",
    afdeling: str | None = None,
    dienst: str | None = None,
    wijken: Sequence[str] = (),
    soort: str | None = None,
    content_type: str = "application/pdf",
    created_at: datetime = T0,
) -> SearchDocument:
    return SearchDocument(
        record_id=record_id,
        dossier_id=dossier,
        title=title,
        layer=layer,
        content_type=content_type,
        sha256="0" * 64,
        created_at=created_at,
        pages=[SearchPage(i, text) for i, text in enumerate(pages, start=1)],
        afdeling=afdeling,
        wijken=wijken,
        dienst=dienst,
        soort=soort,
    )


def _hidden(record_id: str, title: str, *pages: str) -> SearchDocument:
    """A record in the `geheim` layer, with values that occur on no other record."""
    return doc(
        record_id,
        title,
        *pages,
        layer="geheim",
        dossier="d-geheim",
        afdeling="geheim-afd",
        dienst="geheim-dienst",
        wijken=["geheimwijk"],
        soort="geheimsoort",
        content_type="application/x-geheim",
    )


HIDDEN_VALUES = {
    "d-geheim",
    "geheim",
    "geheim-afd",
    "geheimwijk",
    "geheimsoort",
    "application/x-geheim",
}

PERMISSION = [
    _hidden("g-1", "Zwaluwstaart geheim rapport", "De zwaluwstaart van de brug is geheim."),
    _hidden("g-2", "Zwaluwstaartmemo", "zwaluwstaart"),
    doc(
        "o-1",
        "Zwaluwstaartverbinding brug",
        "De brug krijgt een zwaluwstaart.",
        dossier="d-brug",
        afdeling="ro",
        wijken=["centrum"],
        soort="brief",
    ),
    doc("a-ro", "Zwaluwstaart ontwerp", "zwaluwstaart", layer="afdeling", afdeling="ro"),
    doc("a-fin", "Zwaluwstaart begroting", "zwaluwstaart", layer="afdeling", afdeling="fin"),
]

FILTERS = [
    doc(
        "f-1",
        "Stallingsplan een",
        "fietsenstalling",
        dossier="d-fa",
        afdeling="ro",
        wijken=["centrum"],
        soort="besluitnota",
    ),
    doc(
        "f-2",
        "Stallingsplan twee",
        "fietsenstalling",
        dossier="d-fb",
        layer="afdeling",
        afdeling="ro",
        wijken=["noord", "centrum"],
        soort="brief",
        content_type="text/plain",
    ),
    doc(
        "f-3",
        "Stallingsplan drie",
        "fietsenstalling",
        dossier="d-fa",
        afdeling="fin",
        wijken=["zuid"],
        soort="verslag",
        content_type="image/tiff",
    ),
    doc("f-4", "Stallingsplan vier", "fietsenstalling", dossier="d-fb"),
]

# Around midnight in Amsterdam (UTC+2 in summer time): a date means a local day.
DATES = [
    doc("dt-1", "Cijfers", "kwartaalcijfers", created_at=datetime(2024, 4, 30, 21, 59, tzinfo=UTC)),
    doc("dt-2", "Cijfers", "kwartaalcijfers", created_at=datetime(2024, 4, 30, 22, 1, tzinfo=UTC)),
    doc("dt-3", "Cijfers", "kwartaalcijfers", created_at=datetime(2024, 5, 31, 21, 30, tzinfo=UTC)),
    doc("dt-4", "Cijfers", "kwartaalcijfers", created_at=datetime(2024, 5, 31, 22, 30, tzinfo=UTC)),
]

_FILLER = "parkeerbeleid en nog veel meer woorden over andere zaken in de stad"
SORTING = [
    doc("so-1", "Beta", _FILLER, dossier="d-sort", created_at=datetime(2024, 2, 1, tzinfo=UTC)),
    doc("so-2", "alfa", _FILLER, dossier="d-sort", created_at=datetime(2024, 2, 3, tzinfo=UTC)),
    doc(
        "so-3",
        "Gamma parkeerbeleid",
        "parkeerbeleid",
        dossier="d-sort",
        created_at=datetime(2024, 2, 2, tzinfo=UTC),
    ),
    doc("so-4", "Delta", _FILLER, dossier="d-sort", created_at=datetime(2024, 2, 2, tzinfo=UTC)),
]

# 27 permitted records with ties in date, title and score, plus hidden ones.
PAGING = [
    doc(
        f"pg-{n:02d}",
        f"Raadsvergadering {n % 7}",
        " ".join(["raadsvergadering notulen"] * (1 + n % 4)),
        dossier="d-paging",
        created_at=T0 + timedelta(days=n // 3),
    )
    for n in range(27)
] + [
    replace(
        _hidden(f"pg-g-{n}", "Raadsvergadering", "raadsvergadering notulen"), dossier_id="d-paging"
    )
    for n in range(3)
]

PHRASES = [
    doc("ph-1", "Singel", "Het college wil bomen kappen langs de singel."),
    doc("ph-2", "Plein", "Een boom kappen is soms nodig."),
    doc("ph-3", "Park", "De bomen blijven staan; kappen doen we elders."),
]

HIGHLIGHTS = [
    doc(
        "hl-1",
        "Heidepark notities",
        "Inleiding zonder meer.",
        "Over de speeltuin in het park.",
        "Nog iets anders, met kappen.",
        "De speeltuin opent in mei.",
    ),
]

SUGGEST = [
    # Longer than su-2 and later in the alphabet, yet first: it starts with "speel".
    doc("su-1", "Speelplaats Heidepark centrum noord"),
    doc("su-2", "Nieuwe speelplaats"),
    doc("su-3", "Verslag wijkavond"),
    doc("su-4", "Verslag wijkavond"),
    doc("su-5", "verslag Wijkavond"),
    doc("su-6", "Coördinatie evenementen"),
    doc("su-7", "Hoogwaterbeschermingsprogrammaonderzoek Maas"),
]

CORPUS = PERMISSION + FILTERS + DATES + SORTING + PAGING + PHRASES + HIGHLIGHTS + SUGGEST


def _fresh(settings: Settings) -> ElasticsearchIndex:
    idx = ElasticsearchIndex.from_settings(
        settings.search.model_copy(update={"index_prefix": f"test-{uuid.uuid4().hex[:8]}"})
    )
    idx.ensure_index()
    return idx


@pytest.fixture(scope="module")
def corpus(stack_settings: Settings) -> Iterator[ElasticsearchIndex]:
    idx = _fresh(stack_settings)
    idx.index(CORPUS, refresh=True)
    yield idx
    idx.drop()


@pytest.fixture
def index(stack_settings: Settings) -> Iterator[ElasticsearchIndex]:
    idx = _fresh(stack_settings)
    yield idx
    idx.drop()


def ids(hits: Sequence[SearchHit]) -> list[str]:
    return [h.record_id for h in hits]


def _expected_facets(docs: Sequence[SearchDocument]) -> dict[str, dict[str, int]]:
    values: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for d in docs:
        values["dossier"][d.dossier_id] += 1
        values["layer"][d.layer] += 1
        values["afdeling"].update([d.afdeling] if d.afdeling else [])
        values["wijk"].update(d.wijken)
        values["soort"].update([d.soort] if d.soort else [])
        values["media_type"][d.content_type] += 1
    return {name: dict(counter) for name, counter in values.items()}


# --- permission -------------------------------------------------------------


def test_facet_fields_cover_every_facet_of_the_port() -> None:
    assert set(FACET_FIELDS) == set(FACETS)


def test_hidden_records_show_nowhere_in_a_text_search(corpus: ElasticsearchIndex) -> None:
    result = corpus.search(SearchQuery(permission=PUBLIC, text="zwaluwstaart"))
    assert ids(result.hits) == ["o-1"]
    assert result.total == 1
    assert result.facets == {
        "dossier": {"d-brug": 1},
        "layer": {"openbaar": 1},
        "afdeling": {"ro": 1},
        "wijk": {"centrum": 1},
        "soort": {"brief": 1},
        "media_type": {"application/pdf": 1},
    }
    assert corpus.suggest("zwaluw", permission=PUBLIC) == ["Zwaluwstaartverbinding brug"]


def test_the_hidden_records_are_there_for_whoever_may_see_them(
    corpus: ElasticsearchIndex,
) -> None:
    # The control for the test above: without the permission they do show.
    result = corpus.search(SearchQuery(permission=ALL, text="zwaluwstaart"))
    assert set(ids(result.hits)) == {"g-1", "g-2", "o-1", "a-ro", "a-fin"}
    assert result.total == 5
    assert result.facets["layer"] == {"geheim": 2, "afdeling": 2, "openbaar": 1}
    assert len(corpus.suggest("zwaluw", permission=ALL)) == 5


def test_browsing_counts_only_permitted_records_in_total_and_every_facet(
    corpus: ElasticsearchIndex,
) -> None:
    public = [d for d in CORPUS if d.layer == "openbaar"]
    result = corpus.search(SearchQuery(permission=PUBLIC, size=len(CORPUS)))
    assert result.total == len(public)
    assert sorted(ids(result.hits)) == sorted(d.record_id for d in public)
    assert {h.layer for h in result.hits} == {"openbaar"}
    assert result.facets == _expected_facets(public)
    assert not HIDDEN_VALUES & {v for counts in result.facets.values() for v in counts}


def test_browsing_without_restriction_counts_the_hidden_values(
    corpus: ElasticsearchIndex,
) -> None:
    result = corpus.search(SearchQuery(permission=ALL, size=len(CORPUS)))
    assert result.total == len(CORPUS)
    assert result.facets == _expected_facets(CORPUS)
    assert {v for counts in result.facets.values() for v in counts} >= HIDDEN_VALUES


def test_an_afdeling_permission_adds_only_its_own_afdeling_layer(
    corpus: ElasticsearchIndex,
) -> None:
    result = corpus.search(SearchQuery(permission=RO, text="zwaluwstaart"))
    assert set(ids(result.hits)) == {"o-1", "a-ro"}
    assert result.total == 2
    assert result.facets["afdeling"] == {"ro": 2}
    assert result.facets["layer"] == {"openbaar": 1, "afdeling": 1}
    assert set(corpus.suggest("zwaluw", permission=RO)) == {
        "Zwaluwstaartverbinding brug",
        "Zwaluwstaart ontwerp",
    }


@pytest.mark.parametrize("text", ["", "zwaluwstaart"])
def test_match_none_finds_nothing_and_counts_nothing(corpus: ElasticsearchIndex, text: str) -> None:
    result = corpus.search(SearchQuery(permission=NONE, text=text))
    assert result.total == 0
    assert list(result.hits) == []
    assert result.facets == {name: {} for name in FACETS}
    assert corpus.suggest("zwaluw", permission=NONE) == []


# --- narrowing filters and facets --------------------------------------------


@pytest.mark.parametrize(
    ("narrowing", "expected"),
    [
        ({"dossiers": ["d-fa"]}, {"f-1", "f-3"}),
        ({"layers": ["afdeling"]}, {"f-2"}),
        ({"afdelingen": ["ro"]}, {"f-1", "f-2"}),
        ({"wijken": ["centrum"]}, {"f-1", "f-2"}),
        ({"wijken": ["noord", "zuid"]}, {"f-2", "f-3"}),
        ({"soorten": ["brief", "verslag"]}, {"f-2", "f-3"}),
        ({"media_types": ["application/pdf"]}, {"f-1", "f-4"}),
        ({"dossiers": ["d-fa"], "afdelingen": ["ro"]}, {"f-1"}),
        ({"dossiers": ["d-geen"]}, set()),
    ],
)
def test_each_filter_narrows_hits_and_total(
    corpus: ElasticsearchIndex, narrowing: dict[str, list[str]], expected: set[str]
) -> None:
    for text in ("fietsenstalling", ""):
        result = corpus.search(
            SearchQuery(permission=ALL, text=text, size=100, **narrowing)  # type: ignore[arg-type]
        )
        found = set(ids(result.hits)) & {d.record_id for d in FILTERS}
        assert found == expected, text
        if text:
            assert result.total == len(expected)


def test_facets_count_the_filtered_result_set(corpus: ElasticsearchIndex) -> None:
    everything = corpus.search(SearchQuery(permission=ALL, text="fietsenstalling"))
    assert everything.facets == _expected_facets(FILTERS)
    narrowed = corpus.search(SearchQuery(permission=ALL, text="fietsenstalling", afdelingen=["ro"]))
    assert narrowed.facets == _expected_facets([FILTERS[0], FILTERS[1]])
    assert narrowed.facets["wijk"] == {"centrum": 2, "noord": 1}


def test_facets_can_be_left_out(corpus: ElasticsearchIndex) -> None:
    result = corpus.search(SearchQuery(permission=ALL, text="fietsenstalling", facets=False))
    assert result.total == 4
    assert result.facets == {}


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (date(2024, 5, 1), date(2024, 5, 31), {"dt-2", "dt-3"}),
        (None, date(2024, 5, 31), {"dt-1", "dt-2", "dt-3"}),
        (date(2024, 5, 31), date(2024, 5, 31), {"dt-3"}),
        (date(2024, 6, 1), None, {"dt-4"}),
        (None, date(2024, 4, 29), set()),
    ],
)
def test_date_range_counts_whole_local_days_end_included(
    corpus: ElasticsearchIndex, date_from: date | None, date_to: date | None, expected: set[str]
) -> None:
    result = corpus.search(
        SearchQuery(permission=ALL, text="kwartaalcijfers", date_from=date_from, date_to=date_to)
    )
    assert set(ids(result.hits)) == expected
    assert result.total == len(expected)


# --- sorting and paging ------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "text", "expected"),
    [
        # Title and body beat body alone; equal scores fall back to record_id.
        ("relevance", "parkeerbeleid", ["so-3", "so-1", "so-2", "so-4"]),
        # Browsing has no score: "relevance" means newest there.
        ("relevance", "", ["so-2", "so-3", "so-4", "so-1"]),
        ("newest", "parkeerbeleid", ["so-2", "so-3", "so-4", "so-1"]),
        ("oldest", "", ["so-1", "so-3", "so-4", "so-2"]),
        ("title", "parkeerbeleid", ["so-2", "so-1", "so-4", "so-3"]),
    ],
)
def test_sort_orders_with_record_id_as_tiebreaker(
    corpus: ElasticsearchIndex, sort: SortOrder, text: str, expected: list[str]
) -> None:
    result = corpus.search(SearchQuery(permission=ALL, text=text, dossiers=["d-sort"], sort=sort))
    assert ids(result.hits) == expected


def test_hits_carry_their_sort_values(corpus: ElasticsearchIndex) -> None:
    newest = corpus.search(SearchQuery(permission=ALL, dossiers=["d-sort"], sort="newest"))
    assert list(newest.hits[0].sort) == [
        int(datetime(2024, 2, 3, tzinfo=UTC).timestamp() * 1000),
        "so-2",
    ]
    by_title = corpus.search(SearchQuery(permission=ALL, dossiers=["d-sort"], sort="title"))
    assert list(by_title.hits[0].sort) == ["alfa", "so-2"]
    ranked = corpus.search(SearchQuery(permission=ALL, text="parkeerbeleid", dossiers=["d-sort"]))
    score, record_id = ranked.hits[0].sort
    assert record_id == "so-3"
    assert score == pytest.approx(ranked.hits[0].score) and score > 0


def _page_through(index: ElasticsearchIndex, query: SearchQuery) -> list[str]:
    seen: list[str] = []
    after: list[Any] | None = None
    for _ in range(10):
        page = index.search(replace(query, search_after=after))
        assert page.total == 27
        assert len(page.hits) <= query.size
        if not page.hits:
            return seen
        seen += ids(page.hits)
        # As the API would carry it: through JSON, in an opaque cursor.
        after = json.loads(json.dumps(list(page.hits[-1].sort)))
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest", "title"])
@pytest.mark.parametrize("text", ["", "raadsvergadering"])
def test_search_after_visits_every_permitted_record_once_in_order(
    corpus: ElasticsearchIndex, sort: SortOrder, text: str
) -> None:
    query = SearchQuery(permission=PUBLIC, text=text, dossiers=["d-paging"], sort=sort, size=10)
    paged = _page_through(corpus, query)
    whole = ids(corpus.search(replace(query, size=100)).hits)
    permitted = sorted(d.record_id for d in PAGING if d.layer == "openbaar")
    assert len(paged) == len(set(paged)) == 27
    assert sorted(paged) == permitted
    assert paged == whole
    if sort == "oldest":
        assert paged == [d.record_id for d in sorted(PAGING[:27], key=_oldest_first)]
    if sort == "newest" or (sort == "relevance" and not text):
        assert paged == [d.record_id for d in sorted(PAGING[:27], key=_newest_first)]


def _oldest_first(d: SearchDocument) -> tuple[float, str]:
    return (d.created_at.timestamp(), d.record_id)


def _newest_first(d: SearchDocument) -> tuple[float, str]:
    return (-d.created_at.timestamp(), d.record_id)


# --- matching and highlights ---------------------------------------------------


def _found(index: ElasticsearchIndex, text: str) -> set[str]:
    return set(ids(index.search(SearchQuery(permission=ALL, text=text)).hits))


def test_stemming_finds_other_forms_and_phrases_stay_exact(corpus: ElasticsearchIndex) -> None:
    assert _found(corpus, "bomen") == {"ph-1", "ph-2", "ph-3"}  # boom via the stemmer
    assert _found(corpus, "bomen kappen") == {"ph-1", "ph-2", "ph-3"}
    assert _found(corpus, '"bomen kappen"') == {"ph-1"}


def test_boolean_operators(corpus: ElasticsearchIndex) -> None:
    assert _found(corpus, "bomen -singel") == {"ph-2", "ph-3"}
    assert _found(corpus, "singel | elders") == {"ph-1", "ph-3"}
    assert _found(corpus, "+boom +elders") == {"ph-3"}


@pytest.mark.parametrize(
    ("text", "pages"),
    [
        ("speeltuin", [2, 4]),
        # Pages 1 and 3 match "not zwembad" but hold nothing that was searched for.
        ("speeltuin -zwembad", [2, 4]),
        ('"speeltuin opent"', [4]),
        ("kappen heidepark", [3]),
    ],
)
def test_highlights_name_the_pages_that_match(
    corpus: ElasticsearchIndex, text: str, pages: list[int]
) -> None:
    result = corpus.search(SearchQuery(permission=ALL, text=text, dossiers=["d-overig"]))
    [hit] = [h for h in result.hits if h.record_id == "hl-1"]
    assert sorted(hit.pages) == pages
    assert hit.highlights
    assert all("<em>" in fragment for fragment in hit.highlights)


def test_browsing_has_no_highlights(corpus: ElasticsearchIndex) -> None:
    result = corpus.search(SearchQuery(permission=ALL, dossiers=["d-overig"], size=100))
    assert "hl-1" in ids(result.hits)
    assert all(not h.highlights and not h.pages for h in result.hits)


# --- suggestions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        # Titles that start with the prefix come first.
        ("speel", ["Speelplaats Heidepark centrum noord", "Nieuwe speelplaats"]),
        ("nieuwe SPEEL", ["Nieuwe speelplaats"]),
        ("speel noo", ["Speelplaats Heidepark centrum noord"]),
        ("plaats", []),  # inside a word, not at its start
        ("coö", ["Coördinatie evenementen"]),
        ("coor", ["Coördinatie evenementen"]),
        # Longer than the longest indexed prefix of a word: still found.
        ("hoogwaterbeschermingsprogrammaonderz", ["Hoogwaterbeschermingsprogrammaonderzoek Maas"]),
        ("", []),
        ("   ", []),
    ],
)
def test_suggest_completes_words_of_titles(
    corpus: ElasticsearchIndex, prefix: str, expected: list[str]
) -> None:
    assert corpus.suggest(prefix, permission=ALL) == expected


def test_suggest_gives_each_title_once_and_at_most_size(corpus: ElasticsearchIndex) -> None:
    [title] = corpus.suggest("verslag wijk", permission=ALL)
    assert title.lower() == "verslag wijkavond"
    assert len(corpus.suggest("s", permission=ALL, size=2)) == 2


# --- moving a record to another layer -------------------------------------------


def test_set_layer_takes_effect_for_the_next_search(index: ElasticsearchIndex) -> None:
    index.index(
        [
            doc("mv-1", "Verhuisplan", "De verhuisdoos staat klaar."),
            doc("mv-2", "Blijfplan", "Een verhuisdoos blijft."),
        ],
        refresh=True,
    )
    assert index.suggest("verhuis", permission=PUBLIC) == ["Verhuisplan"]
    index.set_layer("mv-1", "geheim")
    public = index.search(SearchQuery(permission=PUBLIC, text="verhuisdoos"))
    assert ids(public.hits) == ["mv-2"]
    assert public.total == 1
    assert public.facets["layer"] == {"openbaar": 1}
    assert index.suggest("verhuis", permission=PUBLIC) == []
    # Still found by its page text where it may be seen: nothing but the layer changed.
    moved = index.search(SearchQuery(permission={"terms": {"layer": ["geheim"]}}, text="klaar"))
    assert [(h.record_id, h.layer, list(h.pages)) for h in moved.hits] == [("mv-1", "geheim", [1])]


def test_set_layer_on_a_missing_record_is_not_found(index: ElasticsearchIndex) -> None:
    with pytest.raises(NotFound):
        index.set_layer("bestaat-niet", "openbaar")


def test_set_layer_without_an_index_is_a_port_error(stack_settings: Settings) -> None:
    idx = ElasticsearchIndex.from_settings(
        stack_settings.search.model_copy(update={"index_prefix": f"test-{uuid.uuid4().hex[:8]}"})
    )
    with pytest.raises(PortError) as caught:
        idx.set_layer("r-1", "openbaar")
    assert not isinstance(caught.value, NotFound)
    # require_alias: no stray index named like the alias was auto-created.
    assert not idx.client.indices.exists(index=idx.alias)
