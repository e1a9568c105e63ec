# SPDX-License-Identifier: EUPL-1.2
"""Warm Elasticsearch's JIT before a clock starts: the bench measures a node that has run a while.

The JVM compiles Elasticsearch's analysis and indexing code while it runs.
On this 2-core machine a freshly started node spent 3.5 ms of CPU a page on
its first 1000 born-digital pages, 1.8 on the next thousand, and about 1.2
after six thousand (2026-11-24, `make down up`, the records mapping, bulk
requests of eight records). That is more than raw pypdf's whole 2.6-3.4 ms a
page, so a bench run straight after `make up` mostly measured the JIT
compiler: a running archive's node is long past it.

`warm_search` indexes the corpus's own ground truth eight times, a thousand
pages at a time, each time into a scratch index that it then drops. The
bench prints what each pass cost, so a cold node is visible in the output
rather than hidden in a figure. The rest of a cold stack (a new bucket,
database and index, the workers' first batches, the refresh and search paths
of the JVM) is warmed by an untimed ingest of other pages before each
archive's runs (bench.ingest).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime

import elastic_transport
import elasticsearch

from archief.errors import PortError
from archief.ports import SearchDocument, SearchPage
from archief.settings import SearchSettings
from bench import cpu
from bench.corpus import CorpusDoc
from search.index import ElasticsearchIndex

PASS_PAGES = 1000
# A fixed count, not a rule that stops when a pass gets no cheaper: the cost
# a page falls for more than ten thousand pages, unevenly (2.6, 1.7, 1.5,
# 1.3, 1.4 ms over five passes after a restart), and a pass that happens to
# write more segments costs more without the JIT being done.
PASSES = 8
# Records per bulk request, as a worker sends a batch.
BULK = 8


def _records(docs: Sequence[CorpusDoc], pages: int, run: int) -> list[SearchDocument]:
    """New records of the corpus's pages, cycled until they hold at least `pages` pages.

    New ones each pass (`run`): a worker adds records, it does not overwrite them.
    """
    now = datetime.now(UTC)
    out: list[SearchDocument] = []
    count = 0
    for i, doc in enumerate(itertools.cycle(docs)):
        if count >= pages:
            break
        out.append(
            SearchDocument(
                record_id=f"warm-{run}-{i}",
                dossier_id="WARM",
                title=f"Opwarmen {i}",
                layer="afdeling",
                content_type="application/pdf",
                sha256=f"{i:064x}",
                created_at=now,
                pages=[SearchPage(n, text) for n, text in enumerate(doc.pages, start=1)],
                afdeling="wijkzaken",
            )
        )
        count += len(doc.pages)
    return out


def _refresh(index: ElasticsearchIndex) -> None:
    try:
        index.client.indices.refresh(index=index.alias)
    except (elasticsearch.ApiError, elastic_transport.TransportError) as exc:
        raise PortError("search", f"refresh of {index.alias} failed: {exc}") from exc


def warm_search(url: str, docs: Sequence[CorpusDoc], prefix: str) -> list[float]:
    """Index `docs` into a scratch index of each pass's own, `PASSES` times over.

    An index of its own each pass, as each bench archive has: one index
    growing pass after pass would merge ever larger segments, and its passes
    would cost more for that. Returns what each pass cost Elasticsearch, in
    ms of CPU a page; empty when there is nothing to index. Raises
    PortError when the node cannot be reached.
    """
    docs = [d for d in docs if d.pages]
    costs: list[float] = []
    for run in range(PASSES if docs else 0):
        index = ElasticsearchIndex.from_settings(
            SearchSettings(url=url, index_prefix=f"{prefix}-{run}")
        )
        try:
            index.ensure_index()
            records = _records(docs, PASS_PAGES, run)
            pages = sum(len(r.pages) for r in records)
            before = cpu.services_cpu()["Elasticsearch"]
            for start in range(0, len(records), BULK):
                index.index(records[start : start + BULK])
            _refresh(index)
            costs.append((cpu.services_cpu()["Elasticsearch"] - before) / pages * 1000)
        finally:
            # A node that went away is reported where it matters, by the runs.
            with contextlib.suppress(PortError):
                index.drop()
    return costs
