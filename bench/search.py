# SPDX-License-Identifier: EUPL-1.2
"""Search benchmark: what the permission filter costs, and how often the policy is asked.

One run, one generated archive (bench.dutch: 100,000 records of municipal
Dutch by default), in a scratch PostgreSQL database `bench_<run>` and a
scratch index prefix `bench-<run>`, removed afterwards (also on Ctrl-C)
unless --keep. It prints:

- load: records, docs/s, refresh and force-merge time, index size;
- Elasticsearch level: p50/p95/mean of `index.search(SearchQuery(...))` for
  a mix of typical queries, each run WITH the subject's compiled permission
  filter and WITHOUT it (`match_all`), interleaved A/B/B/A;
- API level: p50/p95 of `GET /search` through the real FastAPI app, per
  subject, with policy resolutions (`Policy.grants`) and casbin `enforce`
  calls per request;
- targets: filtered p95 <= 1.2 x unfiltered p95, and exactly one policy
  resolution per request. PASS/FAIL is printed; timings are never asserted.

    python -m bench.search [--records 100000] [--queries 240] [--keep]

See bench/README.md ("search") for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import os
import platform
import queue
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from types import FrameType
from typing import Any
from unittest import mock

import psycopg
from elastic_transport import ObjectApiResponse
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from archief.app import create_app
from archief.catalog.models import Afdeling, Content, Dossier, Record
from archief.composition import Container, build_container
from archief.logging import configure_logging
from archief.ports import SearchDocument, SearchPage, SearchQuery, SortOrder
from archief.settings import (
    DatabaseSettings,
    ObjectStoreSettings,
    QueueSettings,
    Settings,
    load_settings,
)
from archief.toegang.deps import caller
from bench.dutch import GENRES, STOPWORDS, WIJKEN, DutchGenerator, Topic, tokens
from policies.compile import search_filter
from policies.engine import Policy
from policies.subject import ANONIEM, Subject
from search.index import ElasticsearchIndex

REPO_ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
TARGET_RATIO = 1.2
UNFILTERED: dict[str, Any] = {"match_all": {}}
PAGE_SIZE = 10
DEEP_PAGE = 5

# Where records sit, by layer: most in the working layers, ~15 % public.
LAYER_WEIGHTS = {
    "afdeling": 35,
    "organisatie": 27,
    "openbaar": 15,
    "college": 9,
    "raad": 8,
    "leiding": 6,
}
# What kind of document a record in each layer tends to be.
GENRES_BY_LAYER = {
    "afdeling": ("notitie", "brief", "verslag", "projectplan", "vergunning", "besluitnota"),
    "organisatie": ("projectplan", "verslag", "brief", "notitie", "vergunning"),
    "openbaar": ("brief", "raadsinformatiebrief", "vergunning", "raadsvoorstel", "besluitnota"),
    "college": ("besluitnota", "besluitnota", "notitie"),
    "raad": ("raadsvoorstel", "raadsinformatiebrief", "verslag"),
    "leiding": ("notitie", "verslag"),
}
START = date(2016, 1, 1)
END = date(2025, 12, 31)
SPAN_DAYS = (END - START).days
QUERY_KINDS = (
    "one word",
    "two words",
    "phrase",
    "boolean -",
    "date range",
    "browse newest",
    "facet-heavy",
    "deep page 5",
)


# --------------------------------------------------------------------------
# The generated archive
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Org:
    """The organisation the catalog was seeded with: afdeling -> dienst, and names."""

    dienst_of: Mapping[str, str]
    naam: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class DossierSpec:
    id: str
    kenmerk: str
    titel: str
    afdeling: str
    wijken: tuple[str, ...]
    start: date
    topic: Topic


@dataclass(slots=True)
class Batch:
    contents: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    documents: list[SearchDocument] = field(default_factory=list)


@dataclass
class Vocabulary:
    """Word statistics of the first records generated: what query builders draw from."""

    docs: int = 0
    df: Counter[str] = field(default_factory=Counter)
    bigram_df: Counter[str] = field(default_factory=Counter)
    samples: list[list[str]] = field(default_factory=list)

    def add(self, text: str) -> None:
        words = tokens(text)
        self.docs += 1
        self.df.update(set(words))
        self.bigram_df.update(
            {
                f"{a} {b}"
                for a, b in itertools.pairwise(words)
                if len(a) > 2 and len(b) > 2 and a not in STOPWORDS and b not in STOPWORDS
            }
        )
        self.samples.append(words)


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Archive:
    """Dossiers and records, each a pure function of (seed, number)."""

    def __init__(self, seed: int, records: int, org: Org) -> None:
        self.seed = seed
        self.records = records
        self.org = org
        self.text = DutchGenerator(seed)
        codes = sorted(org.dienst_of)
        rng = random.Random(f"org:{seed}")
        rng.shuffle(codes)
        # Some afdelingen own far more dossiers than others.
        self.afdeling_weights = {code: 1.0 / (rank + 1.5) for rank, code in enumerate(codes)}
        self.dossiers = [self._dossier(n) for n in range(max(records // 50, 20))]

    def _dossier(self, number: int) -> DossierSpec:
        rng = random.Random(f"dossier:{self.seed}:{number}")
        topic = self.text.topic(number)
        afdeling = _weighted(rng, self.afdeling_weights)
        start = START + timedelta(days=rng.randrange(SPAN_DAYS - 180))
        wijken = [topic.wijk]
        if rng.random() < 0.3:
            wijken.append(rng.choice(WIJKEN))
        return DossierSpec(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            kenmerk=f"D-{start.year}-{number:05d}",
            titel=topic.onderwerp[:1].upper() + topic.onderwerp[1:],
            afdeling=afdeling,
            wijken=tuple(dict.fromkeys(wijken)),
            start=start,
            topic=topic,
        )

    def record(self, number: int) -> tuple[dict[str, Any], dict[str, Any], SearchDocument, str]:
        """Content row, record row, index document and full text of record `number`."""
        rng = random.Random(f"meta:{self.seed}:{number}")
        # A skewed pick: low-numbered dossiers grow big, most stay small.
        dossier = self.dossiers[int(len(self.dossiers) * rng.random() ** 1.6)]
        laag = _weighted(rng, LAYER_WEIGHTS)
        soort = rng.choice(GENRES_BY_LAYER[laag])
        day = min(dossier.start + timedelta(days=int(rng.expovariate(1 / 240))), END)
        created = datetime.combine(day, dtime(rng.randint(7, 18), rng.randrange(60)), UTC)
        text = self.text.record(
            number,
            genre=soort,
            topic=dossier.topic,
            when=day,
            afdeling=self.org.naam.get(dossier.afdeling, dossier.afdeling),
        )
        sha = hashlib.sha256(f"bench-search:{self.seed}:{number}".encode()).hexdigest()
        record_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        size = rng.randint(40_000, 2_500_000)
        content = {
            "sha256": sha,
            "media_type": "application/pdf",
            "size": size,
            "status": "indexed",
            "reason_code": None,
            "reason": None,
            "quarantined": False,
            "page_count": len(text.pages),
            "attempts": 1,
            "created_at": created,
            "updated_at": created,
        }
        row = {
            "id": record_id,
            "dossier_id": dossier.id,
            "titel": text.title,
            "laag": laag,
            "vorige_laag": None,
            "soort": soort,
            "sha256": sha,
            "object_key": f"originals/{sha[:2]}/{sha}",
            "media_type": "application/pdf",
            "size": size,
            "filename": f"{soort}-{number:06d}.pdf",
            "status": "actief",
            "created_at": created,
        }
        document = SearchDocument(
            record_id=record_id,
            dossier_id=dossier.id,
            title=text.title,
            layer=laag,
            content_type="application/pdf",
            sha256=sha,
            created_at=created,
            pages=[SearchPage(i, page) for i, page in enumerate(text.pages, start=1)],
            afdeling=dossier.afdeling,
            dienst=self.org.dienst_of[dossier.afdeling],
            wijken=list(dossier.wijken),
            soort=soort,
        )
        return content, row, document, f"{text.title}\n{' '.join(text.pages)}"

    def dossier_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": d.id,
                "kenmerk": d.kenmerk,
                "titel": d.titel,
                "afdeling": d.afdeling,
                "wijken": list(d.wijken),
                "status": "open",
                "created_at": datetime.combine(d.start, dtime(9), UTC),
            }
            for d in self.dossiers
        ]


def produce(
    archive: Archive,
    *,
    batch_size: int,
    vocabulary: Vocabulary,
    sample: int,
    out: queue.Queue[Batch | None],
    stop: threading.Event,
) -> None:
    """Generate the records in batches onto `out`; None marks the end."""
    batch = Batch()
    for number in range(archive.records):
        if stop.is_set():
            return
        content, row, document, text = archive.record(number)
        if number < sample:
            vocabulary.add(text)
        batch.contents.append(content)
        batch.records.append(row)
        batch.documents.append(document)
        if len(batch.documents) == batch_size or number == archive.records - 1:
            while not stop.is_set():
                try:
                    out.put(batch, timeout=0.5)
                    break
                except queue.Full:
                    continue
            batch = Batch()
    while not stop.is_set():  # the end mark, unless the load was called off
        try:
            out.put(None, timeout=0.5)
            break
        except queue.Full:
            continue


@dataclass
class Load:
    records: int
    wall_s: float
    es_bulk_s: float
    db_s: float
    refresh_s: float
    merge_s: float | None


class Loader:
    """Fill the catalog and the index: one generating thread, `index_threads` writers."""

    def __init__(
        self, container: Container, index: ElasticsearchIndex, archive: Archive, args: Any
    ) -> None:
        self.container, self.index, self.archive, self.args = container, index, archive, args
        self.vocabulary = Vocabulary()
        self.batches: queue.Queue[Batch | None] = queue.Queue(maxsize=4)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.failures: list[Exception] = []
        self.es_s = self.db_s = 0.0
        self.done = 0

    def _consume(self) -> None:
        """Take batches until the end mark: catalog rows first (FKs), then one bulk call."""
        try:
            while not self.stop.is_set():
                try:
                    batch = self.batches.get(timeout=0.5)
                except queue.Empty:
                    continue
                if batch is None:
                    self.batches.put(None)  # for the other writers
                    return
                t0 = time.perf_counter()
                with self.container.engine.begin() as conn:
                    conn.execute(insert(Content), batch.contents)
                    conn.execute(insert(Record), batch.records)
                t1 = time.perf_counter()
                self.index.index(batch.documents)
                t2 = time.perf_counter()
                with self.lock:
                    self.db_s += t1 - t0
                    self.es_s += t2 - t1
                    self.done += len(batch.documents)
        except Exception as exc:  # noqa: BLE001  # the main thread re-raises it
            self.failures.append(exc)
            self.stop.set()

    def _produce(self, archive: Archive, **kwargs: Any) -> None:
        try:
            produce(archive, **kwargs)
        except Exception as exc:  # noqa: BLE001  # the main thread re-raises it
            self.failures.append(exc)
            self.stop.set()

    def run(self) -> tuple[Load, Vocabulary]:
        """Load everything, refresh_interval -1 meanwhile; then refresh and force-merge."""
        client, alias, args = self.index.client, self.index.alias, self.args
        start = time.perf_counter()
        with self.container.engine.begin() as conn:
            conn.execute(insert(Dossier), self.archive.dossier_rows())
        client.indices.put_settings(index=alias, settings={"index": {"refresh_interval": "-1"}})
        producer = threading.Thread(
            target=self._produce,
            args=(self.archive,),
            kwargs={
                "batch_size": args.batch,
                "vocabulary": self.vocabulary,
                "sample": min(args.sample, self.archive.records),
                "out": self.batches,
                "stop": self.stop,
            },
            daemon=True,
        )
        # Two bulk requests in flight keep both of Elasticsearch's write threads
        # busy; one at a time leaves a core idle (one shard, one request, one thread).
        writers = [
            threading.Thread(target=self._consume, daemon=True) for _ in range(args.index_threads)
        ]
        for thread in (producer, *writers):
            thread.start()
        try:
            while alive := [w for w in writers if w.is_alive()]:
                alive[0].join(timeout=15)
                if alive[0].is_alive():
                    rate = self.done / (time.perf_counter() - start)
                    print(
                        f"  loaded {self.done}/{self.archive.records} ({rate:.0f} records/s)",
                        file=sys.stderr,
                    )
        finally:
            self.stop.set()
            for thread in (producer, *writers):
                thread.join(timeout=60)
        if self.failures:
            raise self.failures[0]
        wall = time.perf_counter() - start
        client.indices.put_settings(index=alias, settings={"index": {"refresh_interval": None}})
        t0 = time.perf_counter()
        client.options(request_timeout=600).indices.refresh(index=alias)
        refresh_s = time.perf_counter() - t0
        merge_s = None
        if not args.no_force_merge:
            t0 = time.perf_counter()
            client.options(request_timeout=3600).indices.forcemerge(index=alias, max_num_segments=1)
            merge_s = time.perf_counter() - t0
        return Load(self.done, wall, self.es_s, self.db_s, refresh_s, merge_s), self.vocabulary


# --------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BenchQuery:
    kind: str
    text: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: SortOrder = "relevance"
    wijken: tuple[str, ...] = ()
    soorten: tuple[str, ...] = ()
    afdelingen: tuple[str, ...] = ()
    page: int = 1

    def search_query(
        self, permission: Mapping[str, Any], search_after: Sequence[Any] | None = None
    ) -> SearchQuery:
        return SearchQuery(
            permission=permission,
            text=self.text,
            wijken=self.wijken,
            soorten=self.soorten,
            afdelingen=self.afdelingen,
            date_from=self.date_from,
            date_to=self.date_to,
            sort=self.sort,
            size=PAGE_SIZE,
            search_after=search_after,
        )

    def params(self, cursor: str | None = None, size: int = PAGE_SIZE) -> dict[str, Any]:
        params: dict[str, Any] = {"q": self.text, "sort": self.sort, "size": size}
        if self.date_from:
            params["van"] = self.date_from.isoformat()
        if self.date_to:
            params["tot"] = self.date_to.isoformat()
        if self.wijken:
            params["wijk"] = list(self.wijken)
        if self.soorten:
            params["soort"] = list(self.soorten)
        if self.afdelingen:
            params["afdeling"] = list(self.afdelingen)
        if cursor is not None:
            params["cursor"] = cursor
        return params

    def describe(self) -> str:
        bits = [f'q="{self.text}"' if self.text else "q=''"]
        if self.date_from or self.date_to:
            bits.append(f"{self.date_from or ''}..{self.date_to or ''}")
        bits += [f"wijk={w}" for w in self.wijken]
        bits += [f"soort={s}" for s in self.soorten]
        bits += [f"afdeling={a}" for a in self.afdelingen]
        if self.sort != "relevance":
            bits.append(f"sort={self.sort}")
        if self.page > 1:
            bits.append(f"page {self.page}")
        return " ".join(bits)


class QueryBuilder:
    """Typical queries, with words drawn from the archive's own vocabulary by frequency band."""

    def __init__(self, vocabulary: Vocabulary, archive: Archive, seed: int) -> None:
        self.rng = random.Random(f"queries:{seed}")
        self.vocabulary = vocabulary
        self.archive = archive
        n = max(vocabulary.docs, 1)
        usable = {
            w: d
            for w, d in vocabulary.df.items()
            if w not in STOPWORDS and len(w) > 3 and "-" not in w
        }
        # Common: in >= 10 % of records; mid: 0.5-10 %; rare: seen in 2 samples up to 0.5 %.
        self.bands: dict[str, list[str]] = {
            "common": sorted(w for w, d in usable.items() if d / n >= 0.10),
            "mid": sorted(w for w, d in usable.items() if 0.005 <= d / n < 0.10),
            "rare": sorted(w for w, d in usable.items() if d >= 2 and d / n < 0.005),
        }
        self.phrases = sorted(
            p for p, d in vocabulary.bigram_df.items() if 0.002 <= d / n < 0.2 and "-" not in p
        )
        self.usable = usable
        self.n = n

    def band_of(self, word: str) -> str:
        share = self.usable.get(word, 0) / self.n
        return "common" if share >= 0.10 else "mid" if share >= 0.005 else "rare"

    def word(self, band: str) -> str:
        return self.rng.choice(self.bands[band] or self.bands["mid"])

    def _cooccurring(self, bands: tuple[str, str]) -> tuple[str, str]:
        """Two words of one sampled record, from the given bands when it has them."""
        for _ in range(50):
            words = [w for w in self.rng.choice(self.vocabulary.samples) if w in self.usable]
            first = [w for w in words if self.band_of(w) == bands[0]]
            second = [w for w in words if self.band_of(w) == bands[1]]
            if first and second:
                a, b = self.rng.choice(first), self.rng.choice(second)
                if a != b:
                    return a, b
        return self.word(bands[0]), self.word(bands[1])

    def _period(self) -> tuple[date, date]:
        years = self.rng.randint(1, 3)
        first = START + timedelta(days=self.rng.randrange(SPAN_DAYS - 365 * years))
        return first, first + timedelta(days=365 * years)

    def one(self, kind: str, i: int) -> BenchQuery:  # noqa: PLR0911  # one return per kind
        rng = self.rng
        band = ("common", "mid", "mid", "rare", "common")[i % 5]
        if kind == "one word":
            return BenchQuery(kind, self.word(band))
        if kind == "two words":
            pair = self._cooccurring((("common", "mid"), ("mid", "mid"), ("mid", "rare"))[i % 3])
            return BenchQuery(kind, " ".join(pair))
        if kind == "phrase":
            return BenchQuery(kind, f'"{rng.choice(self.phrases)}"')
        if kind == "boolean -":
            keep = self.word(("common", "mid")[i % 2])
            return BenchQuery(kind, f"{keep} -{self.word('mid')}")
        if kind == "date range":
            first, last = self._period()
            return BenchQuery(kind, self.word(band), first, last)
        if kind == "browse newest":
            choice = i % 4
            return BenchQuery(
                kind,
                sort="newest",
                wijken=(rng.choice(self.wijken),) if choice == 1 else (),
                soorten=(rng.choice(GENRES),) if choice == 2 else (),
                afdelingen=(rng.choice(self.afdelingen),) if choice == 3 else (),
                date_from=self._period()[0] if choice == 0 else None,
            )
        if kind == "facet-heavy":
            first, last = self._period()
            return BenchQuery(
                kind,
                self.word("common"),
                first if i % 2 else None,
                last if i % 2 else None,
                wijken=tuple(rng.sample(self.wijken, rng.randint(1, 3))),
                soorten=tuple(rng.sample(GENRES, 2)),
            )
        # Common words: page 5 exists even for the public, who sees ~15 %.
        return BenchQuery(kind, self.word("common"), page=DEEP_PAGE)

    @property
    def wijken(self) -> list[str]:
        return sorted({w for d in self.archive.dossiers for w in d.wijken})

    @property
    def afdelingen(self) -> list[str]:
        return sorted(self.archive.org.dienst_of)

    def build(self, count: int, avoid: set[BenchQuery] | None = None) -> list[BenchQuery]:
        """`count` distinct queries, the kinds in equal shares, shuffled."""
        seen: set[BenchQuery] = set(avoid or ())
        out: list[BenchQuery] = []
        i = 0
        while len(out) < count and i < count * 20:
            kind = QUERY_KINDS[i % len(QUERY_KINDS)]
            q = self.one(kind, i // len(QUERY_KINDS))
            i += 1
            if q not in seen:
                seen.add(q)
                out.append(q)
        self.rng.shuffle(out)
        return out


# --------------------------------------------------------------------------
# Subjects
# --------------------------------------------------------------------------


def subjects(org: Org, archive: Archive) -> dict[str, Subject]:
    """The six callers: one of each kind the policy treats differently."""
    by_dienst: dict[str, list[str]] = defaultdict(list)
    for afdeling, dienst in org.dienst_of.items():
        by_dienst[dienst].append(afdeling)
    # The medewerker sits in the afdeling with the most dossiers; the manager
    # leads the dienst with the most afdelingen.
    owners = Counter(d.afdeling for d in archive.dossiers)
    afdeling = owners.most_common(1)[0][0]
    dienst = max(sorted(by_dienst), key=lambda d: len(by_dienst[d]))
    return {
        "medewerker": Subject(
            "bench:medewerker", ("medewerker",), afdeling=afdeling, dienst=org.dienst_of[afdeling]
        ),
        "leidinggevende": Subject(
            "bench:leidinggevende",
            ("leidinggevende",),
            afdeling=sorted(by_dienst[dienst])[0],
            dienst=dienst,
        ),
        "collegelid": Subject("bench:collegelid", ("collegelid",)),
        "raadslid": Subject("bench:raadslid", ("raadslid",)),
        "publiek": ANONIEM,
        "archivaris": Subject("bench:archivaris", ("archivaris",)),
    }


def describe_subject(s: Subject) -> str:
    where = ", ".join(
        x for x in (s.afdeling and f"afdeling {s.afdeling}", s.dienst and f"dienst {s.dienst}") if x
    )
    return f"{'/'.join(s.rollen)}" + (f" ({where})" if where else "")


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


class TookClient(Elasticsearch):
    """An Elasticsearch client that remembers the server-side `took` of each search."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.took: list[float] = []

    def search(self, *args: Any, **kwargs: Any) -> ObjectApiResponse[Any]:
        resp = super().search(*args, **kwargs)
        self.took.append(float(resp["took"]))
        return resp


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile, linear between closest ranks; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Sample:
    pair: int
    query: BenchQuery
    subject: str
    kind: str
    filtered: bool
    ms: float
    took_ms: float
    total: int
    hits: int


def cursors(
    index: ElasticsearchIndex,
    queries: Sequence[BenchQuery],
    permissions: Mapping[str, Mapping[str, Any]],
) -> dict[tuple[BenchQuery, str], list[Any] | None]:
    """For each deep-page query and filter: the sort values of the last hit of page 4."""
    out: dict[tuple[BenchQuery, str], list[Any] | None] = {}
    before = (DEEP_PAGE - 1) * PAGE_SIZE
    for q in queries:
        if q.page == 1:
            continue
        for name, permission in permissions.items():
            probe = SearchQuery(
                permission=permission,
                text=q.text,
                sort=q.sort,
                size=before,
                facets=False,
            )
            hits = index.search(probe).hits
            out[q, name] = list(hits[-1].sort) if hits else None
    return out


def run_es(
    index: TookIndex,
    queries: Sequence[BenchQuery],
    people: Mapping[str, Subject],
    permissions: Mapping[str, Mapping[str, Any]],
    deep: Mapping[tuple[BenchQuery, str], list[Any] | None],
    *,
    seed: int,
    record: bool = True,
) -> list[Sample]:
    """Every (query, subject) pair, filtered and unfiltered back to back, order alternating."""
    pairs = [(q, s) for q in queries for s in people]
    random.Random(f"pairs:{seed}").shuffle(pairs)
    samples: list[Sample] = []
    for k, (q, s) in enumerate(pairs):
        order = (True, False) if k % 2 == 0 else (False, True)
        for filtered in order:
            name = s if filtered else "unfiltered"
            permission = permissions[name]
            after = deep.get((q, name)) if q.page > 1 else None
            sq = q.search_query(permission, after)
            t0 = time.perf_counter()
            result = index.index.search(sq)
            ms = (time.perf_counter() - t0) * 1000
            if record:
                samples.append(
                    Sample(
                        k,
                        q,
                        s,
                        q.kind,
                        filtered,
                        ms,
                        index.took[-1],
                        result.total,
                        len(result.hits),
                    )
                )
    return samples


@dataclass
class TookIndex:
    index: ElasticsearchIndex
    client: TookClient

    @property
    def took(self) -> list[float]:
        return self.client.took


@dataclass
class ApiSample:
    query: BenchQuery
    subject: str
    kind: str
    ms: float
    status: int
    resolutions: int
    enforce: int
    enforce_ms: float
    search_ms: float
    hits: int
    total: int


class Timed:
    """Stands in for a callable: counts the calls and the time spent in them."""

    def __init__(self, inner: Callable[..., Any]) -> None:
        self.inner = inner
        self.calls = 0
        self.seconds = 0.0
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return self.inner(*args, **kwargs)
        finally:
            with self._lock:
                self.calls += 1
                self.seconds += time.perf_counter() - t0


class ApiBench:
    """GET /search through the real app, as each subject in turn, counting policy work."""

    def __init__(
        self,
        client: TestClient,
        overrides: dict[Callable[..., Any], Callable[..., Any]],
        policy: Policy,
        people: Mapping[str, Subject],
        *,
        enforce: Timed,
        search: Timed,
    ) -> None:
        self.client = client
        self.overrides = overrides
        self.policy = policy
        self.enforce = enforce
        self.search = search
        self.people = people
        self.deep: dict[tuple[BenchQuery, str], str | None] = {}

    def _get(self, name: str, params: Mapping[str, Any]) -> Any:
        subject = self.people[name]
        self.overrides[caller] = lambda: subject
        return self.client.get("/search", params=params)

    def cursors(self, queries: Sequence[BenchQuery]) -> None:
        """For each deep-page query and subject, the API's own cursor after hit 40 (page 4)."""
        for q in queries:
            if q.page == 1:
                continue
            for name in self.people:
                resp = self._get(name, q.params(size=(DEEP_PAGE - 1) * PAGE_SIZE))
                self.deep[q, name] = resp.json().get("next_cursor") if resp.is_success else None

    def run(self, queries: Sequence[BenchQuery], *, seed: int) -> list[ApiSample]:
        """Every (query, subject) once, in a shuffled order; per-request policy counters."""
        pairs = [(q, s) for q in queries for s in self.people]
        random.Random(f"api:{seed}").shuffle(pairs)
        out: list[ApiSample] = []
        for q, name in pairs:
            params = q.params(self.deep.get((q, name)) if q.page > 1 else None)
            resolutions, calls = self.policy.resolutions, self.enforce.calls
            enforce_s, search_s = self.enforce.seconds, self.search.seconds
            t0 = time.perf_counter()
            resp = self._get(name, params)
            ms = (time.perf_counter() - t0) * 1000
            body = resp.json() if resp.status_code == 200 else {}
            if resp.status_code != 200 and all(a.status == 200 for a in out):
                print(f"  GET /search {params} -> {resp.status_code}: {resp.text[:300]}")
            out.append(
                ApiSample(
                    q,
                    name,
                    q.kind,
                    ms,
                    resp.status_code,
                    self.policy.resolutions - resolutions,
                    self.enforce.calls - calls,
                    (self.enforce.seconds - enforce_s) * 1000,
                    (self.search.seconds - search_s) * 1000,
                    len(body.get("hits", [])),
                    int(body.get("total", 0)),
                )
            )
        return out


# --------------------------------------------------------------------------
# Scratch resources
# --------------------------------------------------------------------------


def _admin_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(url: str, name: str) -> str:
    """Create database `name` next to the one in `url`; return its SQLAlchemy URL."""
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# --------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------


def table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        print(indent + "  ".join(cells).rstrip())


def ms(value: float) -> str:
    return f"{value:.1f}"


def _stats(values: Sequence[float]) -> tuple[str, str, str]:
    return (
        ms(pct(values, 50)),
        ms(pct(values, 95)),
        ms(statistics.fmean(values) if values else float("nan")),
    )


def machine_facts(client: Elasticsearch) -> list[str]:
    stats = client.nodes.stats(metric="jvm,os")
    node = next(iter(stats["nodes"].values()))
    # Not client.info(): GET / is refused by this node; the nodes API answers.
    about = next(iter(client.nodes.info(node_id="_local", metric="os")["nodes"].values()))
    os_info = about["os"]
    heap = node["jvm"]["mem"]["heap_max_in_bytes"] / MIB
    used = node["jvm"]["mem"]["heap_used_in_bytes"] / MIB
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / MIB / 1024
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    return [
        f"machine: {os.cpu_count()} cores, {mem:.1f} GiB RAM, load average {load}; "
        f"Python {platform.python_version()}",
        f"elasticsearch {about['version']}: heap {heap:.0f} MiB max "
        f"({used:.0f} used), {os_info.get('allocated_processors', '?')} processors",
    ]


def index_facts(client: Elasticsearch, alias: str) -> str:
    stats = client.indices.stats(index=alias, metric="store,docs,segments")
    total = stats["_all"]["primaries"]
    records = client.count(index=alias)["count"]
    return (
        f"index: {records} records ({total['docs']['count']} Lucene docs with the nested pages), "
        f"{total['store']['size_in_bytes'] / MIB:.0f} MiB on disk, "
        f"{total['segments']['count']} segment(s)"
    )


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:  # the run, top to bottom
    parser = argparse.ArgumentParser(
        prog="python -m bench.search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--records", type=int, default=100_000, help="default: 100000")
    parser.add_argument("--queries", type=int, default=240, help="distinct queries; default: 240")
    parser.add_argument(
        "--warmup", type=int, default=None, help="warm-up queries; default: queries / 5"
    )
    parser.add_argument("--seed", type=int, default=20260414)
    parser.add_argument(
        "--batch", type=int, default=500, help="records per bulk call; default: 500"
    )
    parser.add_argument(
        "--index-threads", type=int, default=2, help="bulk requests in flight; default: 2"
    )
    parser.add_argument(
        "--sample", type=int, default=3000, help="records read for query words; default: 3000"
    )
    parser.add_argument(
        "--env-file", type=Path, default=REPO_ROOT / "var" / "archief.env", help="stack settings"
    )
    parser.add_argument(
        "--no-force-merge", action="store_true", help="measure the segments as loaded"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and index")
    args = parser.parse_args(argv)

    configure_logging("WARNING")
    stack = load_settings(args.env_file)
    if not stack.search.url or not stack.database.url.startswith("postgresql"):
        print(
            f"search bench: needs the stack (make up) and its settings in {args.env_file}: "
            "an Elasticsearch URL and a PostgreSQL catalog"
        )
        return 2
    run = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    database = f"bench_{run}".replace("-", "_")
    scratch = Path(tempfile.mkdtemp(prefix="archief-bench-search-"))
    settings = stack.model_copy(
        update={
            "database": DatabaseSettings(url=create_database(stack.database.url, database)),
            "search": stack.search.model_copy(update={"index_prefix": f"bench-{run}"}),
            # Nothing is stored and nothing queued: no bucket, no broker.
            "objectstore": ObjectStoreSettings(backend="filesystem", root=scratch),
            "queue": QueueSettings(),
        }
    )
    previous = signal.signal(signal.SIGTERM, _interrupt)
    container: Container | None = None
    index: ElasticsearchIndex | None = None
    started = time.perf_counter()
    try:
        container = build_container(settings)
        container.prepare()
        assert settings.search.url is not None
        client = TookClient(settings.search.url, request_timeout=120)
        index = ElasticsearchIndex(client, settings.search.index_prefix)
        timed = TookIndex(index, client)
        return _run(args, settings, container, timed, database=database, started=started)
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        if container is not None:
            container.close()
        if args.keep:
            print(f"kept: database {database}, index alias bench-{run}-records")
        else:
            with contextlib.suppress(Exception):
                (index or ElasticsearchIndex.from_settings(settings.search)).drop()
            drop_database(stack.database.url, database)
        shutil.rmtree(scratch, ignore_errors=True)


def _org(container: Container) -> Org:
    with container.sessions() as session:
        rows = session.execute(select(Afdeling.code, Afdeling.dienst_code, Afdeling.naam)).all()
    return Org({c: d for c, d, _ in rows}, {c: n for c, _, n in rows})


def _run(  # noqa: PLR0915  # one report, printed in order
    args: Any,
    settings: Settings,
    container: Container,
    timed: TookIndex,
    *,
    database: str,
    started: float,
) -> int:
    index, client = timed.index, timed.client
    print("search bench: permission filter cost and policy resolutions per request")
    for fact in machine_facts(client):
        print(fact)
    print(f"scratch: database {database}, index alias {index.alias}\n")

    org = _org(container)
    archive = Archive(args.seed, args.records, org)
    print(
        f"generating and loading {args.records} records in {len(archive.dossiers)} dossiers "
        f"over {len(org.dienst_of)} afdelingen (seed {args.seed}) ...",
        file=sys.stderr,
    )
    loaded, vocabulary = Loader(container, index, archive, args).run()
    merge = (
        f"force-merge to 1 segment {loaded.merge_s:.1f} s"
        if loaded.merge_s is not None
        else "not force-merged"
    )
    print(
        f"load: {loaded.records} records in {loaded.wall_s:.1f} s = "
        f"{loaded.records / loaded.wall_s:.0f} records/s end to end (generate, catalog insert, "
        f"bulk index; {args.index_threads} bulk calls of {args.batch} in flight); time inside "
        f"bulk calls {loaded.es_bulk_s:.1f} s, catalog inserts {loaded.db_s:.1f} s (summed "
        f"over threads); refresh {loaded.refresh_s:.1f} s, {merge}"
    )
    print(index_facts(client, index.alias))
    layers = Counter(
        {
            b["key"]: b["doc_count"]
            for b in client.search(
                index=index.alias, size=0, aggs={"l": {"terms": {"field": "layer"}}}
            )["aggregations"]["l"]["buckets"]
        }
    )
    print("layers: " + ", ".join(f"{k} {v / loaded.records:.0%}" for k, v in layers.most_common()))

    people = subjects(org, archive)
    policy = Policy.default()
    before = policy.resolutions
    permissions: dict[str, Mapping[str, Any]] = {
        name: search_filter(policy.grants(s)) for name, s in people.items()
    }
    assert policy.resolutions - before == len(people)
    permissions["unfiltered"] = UNFILTERED
    print("\nsubjects (share of the archive each may read):")
    for name, s in people.items():
        visible = client.count(index=index.alias, query=permissions[name])["count"]
        print(f"  {name:<15} {describe_subject(s):<60} {visible / loaded.records:6.1%}")

    builder = QueryBuilder(vocabulary, archive, args.seed)
    queries = builder.build(args.queries)
    warm = builder.build(
        args.warmup if args.warmup is not None else args.queries // 5, avoid=set(queries)
    )
    print(
        f"\nqueries: {len(queries)} distinct ({len(queries) // len(QUERY_KINDS)} per kind), "
        f"+{len(warm)} warm-up; words from {vocabulary.docs} sampled records: "
        f"{len(builder.bands['common'])} common (>=10 % of records), "
        f"{len(builder.bands['mid'])} mid (0.5-10 %), {len(builder.bands['rare'])} rare "
        f"(<0.5 %), {len(builder.phrases)} phrases"
    )
    for kind in QUERY_KINDS:
        examples = [q.describe() for q in queries if q.kind == kind][:2]
        print(f"  {kind:<14} e.g. {' | '.join(examples)}")

    # -- Elasticsearch level -----------------------------------------------
    print("\nElasticsearch level ...", file=sys.stderr)
    deep = cursors(index, [*warm, *queries], permissions)
    run_es(timed, warm, people, permissions, deep, seed=args.seed + 1, record=False)
    t0 = time.perf_counter()
    samples = run_es(timed, queries, people, permissions, deep, seed=args.seed)
    es_wall = time.perf_counter() - t0
    fil = [s for s in samples if s.filtered]
    unf = [s for s in samples if not s.filtered]
    print(
        f"\nElasticsearch level: index.search(SearchQuery(...)), {len(fil)} (query, subject) "
        f"pairs, each WITH the compiled filter and WITHOUT (match_all), interleaved A/B/B/A; "
        f"ms ({es_wall:.0f} s)"
    )
    table(
        ("variant", "n", "p50", "p95", "mean", "took p50", "took p95"),
        [
            (
                name,
                str(len(group)),
                *_stats([s.ms for s in group]),
                ms(pct([s.took_ms for s in group], 50)),
                ms(pct([s.took_ms for s in group], 95)),
            )
            for name, group in (("filtered", fil), ("unfiltered", unf))
        ],
    )
    ratio = pct([s.ms for s in fil], 95) / pct([s.ms for s in unf], 95)
    print("\n  per subject (the unfiltered column runs the same queries, paired):")
    rows: list[tuple[str, ...]] = []
    for name in people:
        f = [s.ms for s in fil if s.subject == name]
        u = [s.ms for s in unf if s.subject == name]
        hits_f = statistics.fmean(s.total for s in fil if s.subject == name)
        hits_u = statistics.fmean(s.total for s in unf if s.subject == name)
        rows.append(
            (
                name,
                ms(pct(f, 50)),
                ms(pct(f, 95)),
                ms(pct(u, 50)),
                ms(pct(u, 95)),
                f"{pct(f, 95) / pct(u, 95):.2f}x",
                f"{hits_f:.0f}",
                f"{hits_u:.0f}",
            )
        )
    table(
        (
            "subject",
            "filt p50",
            "filt p95",
            "unf p50",
            "unf p95",
            "p95 ratio",
            "mean total f",
            "mean total u",
        ),
        rows,
    )
    print("\n  per query kind:")
    rows.clear()
    for kind in QUERY_KINDS:
        f = [s.ms for s in fil if s.kind == kind]
        u = [s.ms for s in unf if s.kind == kind]
        rows.append(
            (
                kind,
                ms(pct(f, 50)),
                ms(pct(f, 95)),
                ms(pct(u, 50)),
                ms(pct(u, 95)),
                f"{pct(f, 95) / pct(u, 95):.2f}x",
            )
        )
    table(("kind", "filt p50", "filt p95", "unf p50", "unf p95", "p95 ratio"), rows)
    over = sum(1 for a, b in _paired(fil, unf) if a.total > b.total)

    # -- API level ---------------------------------------------------------
    print("\nAPI level ...", file=sys.stderr)
    app = create_app(settings, lambda _settings: container)
    with TestClient(app) as http:
        with container.sessions() as session:
            live = container.policies.current(session)
        # Both stand-ins only count and time; they call the real thing.
        enforce, search = Timed(live.enforce), Timed(index_of(container).search)
        with (
            mock.patch.object(live, "enforce", new=enforce),
            mock.patch.object(index_of(container), "search", new=search),
        ):
            bench = ApiBench(
                http, app.dependency_overrides, live, people, enforce=enforce, search=search
            )
            bench.cursors([*warm, *queries])
            bench.run(warm, seed=args.seed + 1)
            r0, e0 = live.resolutions, enforce.calls
            t0 = time.perf_counter()
            api = bench.run(queries, seed=args.seed)
            api_wall = time.perf_counter() - t0
            resolutions, enforce_calls = live.resolutions - r0, enforce.calls - e0
        with container.sessions() as session:
            same = container.policies.current(session) is live
    errors = sum(1 for a in api if a.status != 200)
    print(
        f"\nAPI level: GET /search through the FastAPI app (TestClient, in process), "
        f"{len(api)} requests, caller overridden per subject; ms ({api_wall:.0f} s)"
    )
    rows.clear()
    for name in [*people, "all"]:
        group = [a for a in api if name in ("all", a.subject)]
        rows.append(
            (
                name,
                str(len(group)),
                *_stats([a.ms for a in group]),
                ms(statistics.fmean(a.search_ms for a in group)),
                ms(statistics.fmean(a.enforce_ms for a in group)),
                f"{sum(a.resolutions for a in group) / len(group):.3f}",
                f"{sum(a.enforce for a in group) / len(group):.2f}",
                f"{sum(a.hits for a in group) / len(group):.1f}",
            )
        )
    table(
        (
            "subject",
            "n",
            "p50",
            "p95",
            "mean",
            "in search",
            "in enforce",
            "resolutions/req",
            "enforce/req",
            "hits/req",
        ),
        rows,
    )
    print(
        "  in search / in enforce: mean ms per request inside index.search and inside "
        "Policy.enforce (the catalog re-check: casbin, or the decision the policy version "
        "remembers); the rest is FastAPI, the catalog queries and TestClient"
    )
    per_request = Counter(a.resolutions for a in api)
    hits_total = sum(a.hits for a in api)
    print(
        f"  policy resolutions: {resolutions} for {len(api)} requests returning {hits_total} hits "
        f"(per request: {dict(sorted(per_request.items()))}); Policy.enforce calls: "
        f"{enforce_calls} ({enforce_calls / max(hits_total, 1):.2f} per hit, memoised per "
        f"position); same Policy object throughout: {same}; non-200 answers: {errors}"
    )
    dropped = _rechecked(api, fil)
    print(
        f"  hits dropped by the catalog re-check: {dropped} (0 expected: index and catalog agree)"
    )

    # -- targets -----------------------------------------------------------
    print("\ntargets (measured, not asserted)")
    one_each = resolutions == len(api) and set(per_request) == {1}
    lines = [
        (
            "filtered p95 / unfiltered p95 (Elasticsearch level)",
            f"{ratio:.2f}x",
            f"<= {TARGET_RATIO:.1f}x",
            "PASS" if ratio <= TARGET_RATIO else "FAIL",
        ),
        (
            "policy resolutions per request (API)",
            f"{resolutions / len(api):.3f}",
            "== 1, never per hit",
            "PASS" if one_each else "FAIL",
        ),
        (
            "filtered totals never above unfiltered",
            f"{over} over",
            "0",
            "PASS" if over == 0 else "FAIL",
        ),
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    for line in lines:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")
    return 0


def index_of(container: Container) -> ElasticsearchIndex:
    """The container's index adapter (the API's own client, not the bench's)."""
    if not isinstance(container.index, ElasticsearchIndex):
        raise TypeError(f"expected an ElasticsearchIndex, got {container.index!r}")
    return container.index


def _paired(fil: Sequence[Sample], unf: Sequence[Sample]) -> Iterator[tuple[Sample, Sample]]:
    """Filtered and unfiltered samples of the same (query, subject)."""
    unfiltered = {s.pair: s for s in unf}
    for s in fil:
        yield s, unfiltered[s.pair]


def _rechecked(api: Sequence[ApiSample], fil: Sequence[Sample]) -> int:
    """Hits the API dropped after the search: fewer than the same filtered search returned."""
    es = {(s.query, s.subject): s.hits for s in fil}
    return sum(max(es[a.query, a.subject] - a.hits, 0) for a in api if a.status == 200)


if __name__ == "__main__":
    raise SystemExit(main())
