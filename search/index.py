# SPDX-License-Identifier: EUPL-1.2
"""The SearchIndex port on a real Elasticsearch 8 node."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers

from archief.errors import PortError
from archief.ports import SearchDocument, SearchHit, SearchResult
from archief.settings import SearchSettings
from search import mappings

_ERRORS = (ApiError, TransportError, helpers.BulkIndexError)


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
        return {
            "record_id": doc.record_id,
            "dossier_id": doc.dossier_id,
            "title": doc.title,
            "layer": doc.layer,
            "afdeling": doc.afdeling,
            "wijken": list(doc.wijken),
            "content_type": doc.content_type,
            "sha256": doc.sha256,
            "created_at": doc.created_at.isoformat(),
            "pages": [{"number": p.number, "text": p.text} for p in doc.pages],
            # All pages as one field, so a query matches a record whose terms
            # fall on different pages; excluded from _source, as it repeats pages.
            "text": "\n\f".join(p.text for p in doc.pages),
        }

    def index(self, documents: Sequence[SearchDocument], *, refresh: bool = False) -> None:
        actions = (
            {"_index": self.alias, "_id": d.record_id, "_source": self._source(d)}
            for d in documents
        )
        try:
            helpers.bulk(
                self.client, actions, refresh="wait_for" if refresh else False, chunk_size=200
            )
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

    def search(
        self,
        text: str,
        *,
        filters: Sequence[Mapping[str, Any]] = (),
        size: int = 10,
        offset: int = 0,
    ) -> SearchResult:
        # simple_query_string never fails on user syntax, and quoted phrases go
        # to the unstemmed .exact fields.
        def sqs(fields: list[str], operator: str = "and") -> dict[str, Any]:
            return {
                "simple_query_string": {
                    "query": text,
                    "fields": fields,
                    "default_operator": operator,
                    "quote_field_suffix": ".exact",
                }
            }

        query = {
            "bool": {
                # The record matches as a whole (title and all its pages)...
                "must": [sqs(["title^3", "text"])],
                "should": [
                    # ...and the pages that carry any of the terms are named.
                    {
                        "nested": {
                            "path": "pages",
                            "score_mode": "max",
                            "query": sqs(["pages.text"], "or"),
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
                "filter": list(filters),
            }
        }
        try:
            resp = self.client.search(
                index=self.alias,
                query=query,
                size=size,
                from_=offset,
                source_includes=["record_id", "dossier_id", "title"],
                track_total_hits=True,
            )
        except _ERRORS as exc:
            raise PortError("search", f"search failed: {exc}") from exc
        hits = []
        for h in resp["hits"]["hits"]:
            inner = h.get("inner_hits", {}).get("pages", {}).get("hits", {}).get("hits", [])
            hits.append(
                SearchHit(
                    record_id=h["_source"]["record_id"],
                    dossier_id=h["_source"]["dossier_id"],
                    title=h["_source"]["title"],
                    score=float(h["_score"] or 0.0),
                    pages=[int(i["_source"]["number"]) for i in inner],
                    highlights=[
                        frag
                        for i in inner
                        for frags in i.get("highlight", {}).values()
                        for frag in frags
                    ],
                )
            )
        return SearchResult(total=int(resp["hits"]["total"]["value"]), hits=hits)

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
