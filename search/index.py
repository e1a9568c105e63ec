# SPDX-License-Identifier: EUPL-1.2
"""The SearchIndex port on a real Elasticsearch 8 node."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

from archief.errors import NotFound, PortError
from archief.ports import (
    FACETS,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    SortOrder,
)
from archief.settings import SearchSettings
from search import mappings

_ERRORS = (ApiError, TransportError, helpers.BulkIndexError)

# The index field behind each facet (and narrowing filter) of the API.
FACET_FIELDS: dict[str, str] = {
    "dossier": "dossier_id",
    "layer": "layer",
    "afdeling": "afdeling",
    "wijk": "wijken",
    "soort": "soort",
    "media_type": "content_type",
}
if set(FACET_FIELDS) != set(FACETS):  # pragma: no cover - a port change not followed here
    raise RuntimeError("search.index.FACET_FIELDS does not cover archief.ports.FACETS")
FACET_SIZE = 50
# How often expunge_deleted merges again while a retention lease holds deletes.
EXPUNGE_POLL_SECONDS = 5.0

# Every order ends on record_id, which is unique, so `search_after` never
# skips or repeats a record whose sort values tie with another's.
_SORTS: dict[SortOrder, list[dict[str, str]]] = {
    "relevance": [{"_score": "desc"}, {"record_id": "asc"}],
    "newest": [{"created_at": "desc"}, {"record_id": "asc"}],
    "oldest": [{"created_at": "asc"}, {"record_id": "asc"}],
    "title": [{"title.sort": "asc"}, {"record_id": "asc"}],
}
_HIT_FIELDS = ["record_id", "dossier_id", "title", "layer"]
# Dates in a query are calendar days at the municipality, not in UTC.
_TIME_ZONE = "Europe/Amsterdam"


class ElasticsearchIndex:
    """Records in an index behind an alias.

    Writes go to the alias; a rebuild creates a fresh concrete index from the
    template and swaps the alias, so readers never see a half-built index.
    """

    def __init__(self, client: Elasticsearch, prefix: str) -> None:
        self.client = client
        self.alias = f"{prefix}-records"

    @classmethod
    def from_settings(cls, settings: SearchSettings) -> ElasticsearchIndex:
        if settings.url is None:
            raise PortError("search", "no search URL configured (ARCHIEF_SEARCH__URL)")
        client = Elasticsearch(
            settings.url,
            request_timeout=settings.request_timeout,
            retry_on_timeout=True,
            max_retries=3,
        )
        return cls(client, settings.index_prefix)

    @staticmethod
    def _mapping_hash() -> str:
        body = mappings.load("records")
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]

    def _template(self) -> None:
        body = mappings.load("records")
        # The hash of the mapping file travels in _meta, so an index built from
        # an older mapping is recognised and rebuilt instead of half-working.
        index_mappings = {**body["mappings"], "_meta": {"mapping_hash": self._mapping_hash()}}
        self.client.indices.put_index_template(
            name=self.alias,
            index_patterns=[f"{self.alias}-*"],
            template={"settings": body["settings"], "mappings": index_mappings},
            priority=100,
        )

    def is_current(self) -> bool:
        """Whether the index behind the alias was built from today's mapping file."""
        try:
            live = self.client.indices.get_mapping(index=self.alias)
        except NotFoundError:
            return False
        except _ERRORS as exc:
            raise PortError("search", f"cannot read the mapping of {self.alias}: {exc}") from exc
        return all(
            m["mappings"].get("_meta", {}).get("mapping_hash") == self._mapping_hash()
            for m in live.values()
        )

    def ensure_index(self) -> str:
        try:
            self._template()
            if self.client.indices.exists_alias(name=self.alias):
                return next(iter(self.client.indices.get_alias(name=self.alias)))
            concrete = f"{self.alias}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
            self.client.indices.create(
                index=concrete, aliases={self.alias: {"is_write_index": True}}
            )
        except _ERRORS as exc:
            raise PortError("search", f"cannot prepare index {self.alias}: {exc}") from exc
        return concrete

    def rebuild(self, documents: Iterable[SearchDocument]) -> str:
        """Fill a fresh index from the template, then swap the alias to it in one step.

        Readers see the old index until the swap. Records indexed by workers
        while the rebuild runs land in the old index only; run `archief
        resume` afterwards, or rebuild while ingest is quiet.
        """
        try:
            self._template()
            fresh = f"{self.alias}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
            self.client.indices.create(index=fresh)
            actions = (
                {"_index": fresh, "_id": d.record_id, "_source": self._source(d)} for d in documents
            )
            helpers.bulk(self.client, actions, chunk_size=200)
            self.client.indices.refresh(index=fresh)
            old = (
                list(self.client.indices.get_alias(name=self.alias))
                if self.client.indices.exists_alias(name=self.alias)
                else []
            )
            swap: list[dict[str, Any]] = [
                {"add": {"index": fresh, "alias": self.alias, "is_write_index": True}}
            ]
            swap += [{"remove": {"index": index, "alias": self.alias}} for index in old]
            self.client.indices.update_aliases(actions=swap)
            for index in old:
                self.client.indices.delete(index=index)
        except _ERRORS as exc:
            raise PortError("search", f"rebuilding {self.alias} failed: {exc}") from exc
        return fresh

    def drop(self) -> None:
        """Delete the alias's indices and the template (tests and full rebuilds)."""
        try:
            if self.client.indices.exists_alias(name=self.alias):
                for index in self.client.indices.get_alias(name=self.alias):
                    self.client.indices.delete(index=index)
            self.client.indices.delete_index_template(name=self.alias)
        except NotFoundError:
            pass
        except _ERRORS as exc:
            raise PortError("search", f"cannot drop {self.alias}: {exc}") from exc

    @staticmethod
    def _source(doc: SearchDocument) -> dict[str, Any]:
        # No all-pages `text` here: the mapping copies every page into `text`
        # (copy_to), so a partial update (set_layer), which re-indexes from
        # _source, keeps the record findable by its content.
        return {
            "record_id": doc.record_id,
            "dossier_id": doc.dossier_id,
            "title": doc.title,
            "layer": doc.layer,
            "afdeling": doc.afdeling,
            "dienst": doc.dienst,
            "wijken": list(doc.wijken),
            "content_type": doc.content_type,
            "soort": doc.soort,
            "sha256": doc.sha256,
            "created_at": doc.created_at.isoformat(),
            "pages": [{"number": p.number, "text": p.text} for p in doc.pages],
        }

    def index(self, documents: Sequence[SearchDocument], *, refresh: bool = False) -> None:
        actions = (
            {"_index": self.alias, "_id": d.record_id, "_source": self._source(d)}
            for d in documents
        )
        try:
            # A refresh at once, not wait_for: a worker must not wait for the
            # periodic refresh, and asks only when nothing else is on its way.
            helpers.bulk(self.client, actions, refresh=refresh, chunk_size=200)
        except _ERRORS as exc:
            raise PortError("search", f"bulk indexing failed: {exc}") from exc

    def delete(self, record_ids: Sequence[str], *, refresh: bool = False) -> None:
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in record_ids)
        try:
            helpers.bulk(
                self.client,
                actions,
                refresh="wait_for" if refresh else False,
                raise_on_error=False,
            )
        except _ERRORS as exc:
            raise PortError("search", f"bulk delete failed: {exc}") from exc

    def expunge_deleted(self, *, wait_seconds: float = 120.0) -> int:
        """Merge away deleted documents, flush, and count what is left deleted.

        Deletes in Lucene only mark a document; its text stays in the segment
        files until a merge rewrites them. `only_expunge_deletes` merges just
        the segments with deletions (cheap, unlike a full force merge), once
        `expunge_deletes_allowed` is 0 (by default a segment needs 10%
        deletions). The flush trims the translog, which held the operations.

        Elasticsearch keeps soft-deleted documents for as long as a peer
        recovery retention lease still needs them; the lease moves on with
        the background sync (every 30 s by default). So this merges again
        until nothing deleted is left, or `wait_seconds` pass.
        """
        deadline = time.monotonic() + wait_seconds
        try:
            self.client.indices.put_settings(
                index=self.alias, settings={"index.merge.policy.expunge_deletes_allowed": 0}
            )
            while True:
                self.client.indices.refresh(index=self.alias)
                self.client.indices.forcemerge(
                    index=self.alias,
                    only_expunge_deletes=True,
                    flush=True,
                    wait_for_completion=True,
                )
                self.client.indices.flush(index=self.alias, force=True, wait_if_ongoing=True)
                stats = self.client.indices.stats(index=self.alias, metric="docs")
                left = sum(
                    int(s["primaries"]["docs"]["deleted"]) for s in stats["indices"].values()
                )
                if left == 0 or time.monotonic() >= deadline:
                    return left
                time.sleep(EXPUNGE_POLL_SECONDS)
        except _ERRORS as exc:
            raise PortError("search", f"expunging deletes from {self.alias} failed: {exc}") from exc

    def search(self, query: SearchQuery) -> SearchResult:
        """One page of permitted records, with facets counted over the same filters.

        The permission is one of the `bool.filter` clauses, so hits, the total,
        the facet counts and the highlights all pass it; nothing is dropped
        afterwards. Sort values of each hit are `search_after` for the next page.
        """
        text = query.text.strip()
        filters = [dict(query.permission), *_narrowing(query)]
        order = query.sort if text or query.sort != "relevance" else "newest"
        body: dict[str, Any] = {
            "query": _text_query(text, filters) if text else {"bool": {"filter": filters}},
            "sort": _SORTS[order],
            "size": query.size,
            "source_includes": _HIT_FIELDS,
            "track_total_hits": True,
            # Scores are worth showing for a text search in any order.
            "track_scores": bool(text),
        }
        if query.search_after is not None:
            body["search_after"] = list(query.search_after)
        if query.offset:
            body["from"] = query.offset
        if query.facets:
            body["aggregations"] = _facet_aggregations()
        try:
            resp = self.client.search(index=self.alias, **body)
        except _ERRORS as exc:
            raise PortError("search", f"search failed: {exc}") from exc
        return SearchResult(
            total=int(resp["hits"]["total"]["value"]),
            hits=[_hit(h) for h in resp["hits"]["hits"]],
            facets=_facets(resp.get("aggregations", {})) if query.facets else {},
        )

    def suggest(self, prefix: str, *, permission: Mapping[str, Any], size: int = 8) -> list[str]:
        """Distinct titles of permitted records with a word starting with each word typed.

        Titles that start with the prefix come first. Completion suggesters and
        terms_enum are not used on purpose: they read per-index structures that
        cannot be filtered per document, so they would reveal titles of records
        the caller may not see. A query with the permission as filter can.
        """
        words = _suggest_words(prefix)
        if not words:
            return []
        query = {
            "bool": {
                "must": [{"match": {"title.suggest": {"query": words, "operator": "and"}}}],
                "should": [{"prefix": {"title.sort": {"value": prefix.strip(), "boost": 2.0}}}],
                "filter": [dict(permission)],
            }
        }
        try:
            resp = self.client.search(
                index=self.alias,
                query=query,
                size=size,
                # One hit per normalised title: distinct suggestions, in one request.
                collapse={"field": "title.sort"},
                sort=[{"_score": "desc"}, {"title.sort": "asc"}],
                source_includes=["title"],
                track_total_hits=False,
            )
        except _ERRORS as exc:
            raise PortError("search", f"suggest failed: {exc}") from exc
        # Titles longer than title.sort's ignore_above have no key and share
        # one group, so at most one of those is suggested at a time.
        return [str(h["_source"]["title"]) for h in resp["hits"]["hits"]]

    def set_layer(self, record_id: str, layer: str) -> None:
        """Move a record to another layer; the next search already sees the move."""
        self._partial(record_id, {"layer": layer}, "move")

    def set_metadata(self, record_id: str, *, title: str, soort: str | None) -> None:
        """Retitle or reclassify a record; the next search already sees it."""
        self._partial(record_id, {"title": title, "soort": soort}, "update")

    def _partial(self, record_id: str, doc: dict[str, Any], what: str) -> None:
        try:
            self.client.update(
                index=self.alias,
                id=record_id,
                doc=doc,
                # Never create a stray index named like the alias.
                require_alias=True,
                retry_on_conflict=3,
                refresh="wait_for",
            )
        except NotFoundError as exc:
            if exc.message == "document_missing_exception":
                raise NotFound(f"record {record_id} is not in the search index") from exc
            raise PortError("search", f"cannot {what} {record_id}: {exc}") from exc
        except _ERRORS as exc:
            raise PortError("search", f"cannot {what} {record_id}: {exc}") from exc

    def analyze(self, text: str, analyzer: str = "dutch") -> list[str]:
        # Custom analyzers live in the index settings; built-in ones do not.
        index = self.alias if analyzer.startswith("nl_") else None
        try:
            resp = self.client.indices.analyze(index=index, analyzer=analyzer, text=text)
        except _ERRORS as exc:
            raise PortError("search", f"analyze with {analyzer} failed: {exc}") from exc
        return [t["token"] for t in resp["tokens"]]

    def check(self) -> str:
        try:
            health = self.client.cluster.health(timeout="2s")
            version = self.client.nodes.info(node_id="_local", metric="settings")
        except _ERRORS as exc:
            raise PortError("search", f"unreachable: {exc}") from exc
        if health["status"] == "red":
            raise PortError("search", "cluster health is red")
        node = next(iter(version["nodes"].values()))
        return f"elasticsearch {node['version']} {health['status']}"


def _terms(field: str, values: Sequence[str]) -> list[dict[str, Any]]:
    return [{"terms": {field: list(values)}}] if values else []


def _narrowing(query: SearchQuery) -> list[dict[str, Any]]:
    """The filters the caller chose, on top of the permission."""
    clauses = [
        *_terms("dossier_id", query.dossiers),
        *_terms("layer", query.layers),
        *_terms("afdeling", query.afdelingen),
        *_terms("wijken", query.wijken),
        *_terms("soort", query.soorten),
        *_terms("content_type", query.media_types),
    ]
    period: dict[str, Any] = {}
    if query.date_from is not None:
        period["gte"] = query.date_from.isoformat()
    if query.date_to is not None:
        # The whole last day counts: everything before the next midnight.
        period["lt"] = (query.date_to + timedelta(days=1)).isoformat()
    if period:
        period |= {"format": "strict_date", "time_zone": _TIME_ZONE}
        clauses.append({"range": {"created_at": period}})
    return clauses


def _sqs(text: str, fields: list[str], operator: str) -> dict[str, Any]:
    # simple_query_string never fails on user syntax ("phrases", +, |, -), and
    # quoted phrases go to the unstemmed .exact fields.
    return {
        "simple_query_string": {
            "query": text,
            "fields": fields,
            "default_operator": operator,
            "quote_field_suffix": ".exact",
        }
    }


def _text_query(text: str, filters: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "bool": {
            # The record matches as a whole (title and all its pages)...
            "must": [_sqs(text, ["title^3", "text"], "and")],
            "should": [
                # ...and the pages that carry any of the terms are named.
                {
                    "nested": {
                        "path": "pages",
                        "score_mode": "max",
                        "query": _sqs(text, ["pages.text"], "or"),
                        "inner_hits": {
                            "size": 3,
                            "_source": ["pages.number"],
                            "highlight": {
                                "fields": {"pages.text": {}, "pages.text.exact": {}},
                                "number_of_fragments": 2,
                                "fragment_size": 160,
                            },
                        },
                    }
                },
            ],
            "filter": filters,
        }
    }


def _facet_aggregations() -> dict[str, Any]:
    return {name: {"terms": {"field": FACET_FIELDS[name], "size": FACET_SIZE}} for name in FACETS}


def _facets(aggregations: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    return {
        name: {
            str(b["key"]): int(b["doc_count"])
            for b in aggregations.get(name, {}).get("buckets", [])
        }
        for name in FACETS
    }


def _hit(h: Mapping[str, Any]) -> SearchHit:
    source = h["_source"]
    inner = h.get("inner_hits", {}).get("pages", {}).get("hits", {}).get("hits", [])
    # A page is named for what it contains: under "a -b" the nested query also
    # matches pages that merely lack b, and those have nothing to highlight.
    named = [i for i in inner if any(i.get("highlight", {}).values())]
    return SearchHit(
        record_id=source["record_id"],
        dossier_id=source["dossier_id"],
        title=source["title"],
        score=float(h.get("_score") or 0.0),
        pages=[int(i["_source"]["number"]) for i in named],
        highlights=[frag for i in named for frags in i["highlight"].values() for frag in frags],
        layer=str(source.get("layer") or ""),
        sort=list(h.get("sort", [])),
    )


def _suggest_words(prefix: str) -> str:
    """The typed words, each cut to the longest prefix the index holds of a word."""
    longest = int(mappings.load("records")["settings"]["analysis"]["filter"]["nl_edge"]["max_gram"])
    return " ".join(word[:longest] for word in prefix.split())
