# SPDX-License-Identifier: EUPL-1.2
"""The ports: what the core needs from the outside world, and nothing more.

Each port is a Protocol whose docstring is its contract. Adapters translate
vendor errors into `PortError` (or a more specific `ArchiefError`) so that the
core never sees a vendor exception. Every port has a `check()` used by
/health/ready; it MUST raise `PortError` when the service cannot serve.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int
    sha256: str
    content_type: str
    version_id: str | None = None


@runtime_checkable
class ObjectStore(Protocol):
    """Immutable blobs addressed by key.

    - `put` MUST hash what it stores with SHA-256 while streaming it. When
      `sha256` is given and the bytes do not match it, `put` MUST raise
      `IntegrityError` and leave no trace of the attempt under `key`.
    - `put` MUST NOT hold the whole stream in memory.
    - `put` on a key that already holds the same bytes MUST succeed without a
      second copy when `sha256` is given (ingest is idempotent).
    - `open` and `stat` MUST raise `NotFound` for a missing key.
    - `delete` MUST remove every stored version of the key, so destruction
      leaves no remnant; deleting a missing key is not an error.
    - `purge` MUST remove every stored version of every key under a prefix,
      including keys whose current version is already deleted (a delete
      marker hides older versions from `list_keys`, not from the disk);
      it returns how many versions it removed.
    - Keys are relative, '/'-separated, without '..' or empty segments; a bad
      key MUST raise `ValueError`.
    """

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        content_type: str = "application/octet-stream",
        sha256: str | None = None,
        size: int | None = None,
    ) -> ObjectInfo: ...

    def open(self, key: str) -> BinaryIO: ...

    def stat(self, key: str) -> ObjectInfo: ...

    def delete(self, key: str) -> None: ...

    def purge(self, prefix: str) -> int: ...

    def list_keys(self, prefix: str = "") -> Iterator[str]: ...

    def check(self) -> str: ...


@dataclass(frozen=True, slots=True)
class SearchPage:
    number: int
    text: str


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What the index holds of one record: metadata plus per-page text."""

    record_id: str
    dossier_id: str
    title: str
    layer: str
    content_type: str
    sha256: str
    created_at: datetime
    pages: Sequence[SearchPage] = ()
    afdeling: str | None = None
    wijken: Sequence[str] = ()
    # The dienst the owning afdeling belongs to: policies grant per dienst too.
    dienst: str | None = None
    # Kind of document (besluitnota, brief, verslag, ...), when known.
    soort: str | None = None


# What a result can be sorted on; "relevance" is the score, ties broken by id.
SortOrder = Literal["relevance", "newest", "oldest", "title"]
# Fields a search can be narrowed on and counted by (facets), by API name.
FACETS = ("dossier", "layer", "afdeling", "wijk", "soort", "media_type")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One search, with the caller's permission filter built in.

    `permission` is the Elasticsearch filter compiled from the policy for the
    caller (policies.compile); it has no default, so no caller can forget it.
    """

    permission: Mapping[str, Any]
    text: str = ""  # empty: every permitted record (browse)
    dossiers: Sequence[str] = ()
    layers: Sequence[str] = ()
    afdelingen: Sequence[str] = ()
    wijken: Sequence[str] = ()
    soorten: Sequence[str] = ()
    media_types: Sequence[str] = ()
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    sort: SortOrder = "relevance"
    size: int = 10
    # The `sort` values of the last hit of the previous page (deep paging).
    search_after: Sequence[Any] | None = None
    # Hits to skip (numbered pages). offset + size MUST stay within the
    # index's max_result_window (10,000 by default); search_after has no limit.
    offset: int = 0
    facets: bool = True


@dataclass(frozen=True, slots=True)
class SearchHit:
    record_id: str
    dossier_id: str
    title: str
    score: float
    pages: Sequence[int] = ()
    highlights: Sequence[str] = ()
    layer: str = ""
    # The values this hit sorted on; pass them as `search_after` for the next page.
    sort: Sequence[Any] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    hits: Sequence[SearchHit]
    # facet name (see FACETS) -> value -> count, over permitted records only.
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


class SearchIndex(Protocol):
    """The full-text index of records.

    - `ensure_index` MUST be idempotent and leave an alias pointing at a
      concrete index created from the production mappings.
    - `rebuild` MUST fill a fresh index and swap the alias to it atomically;
      searches during the rebuild see the old index.
    - `is_current` MUST say whether the live index was built from the current
      mappings; when it was not, the caller rebuilds from the stores.
    - `index` MUST be a bulk write; `refresh=True` makes the writes visible to
      the next search before it returns, without waiting for a periodic
      refresh (the worker asks for it when nothing else is on its way to the
      index; tests and the demo use it).
    - `search` MUST apply `query.permission` and the other filters inside
      the query, so totals, facets and highlights only ever count documents
      that pass them; it MUST NOT fetch first and drop afterwards.
    - `suggest` completes a title prefix under the same permission filter.
    - `set_layer` MUST change a record's layer so the next search sees it.
    - `set_metadata` MUST change a record's title and kind likewise.
    - `expunge_deleted` MUST make deletions physical: a deleted document
      lingers in its segment (and is still on disk) until a merge drops it.
      It returns how many deleted documents the live index still holds
      afterwards (0 when the expunge worked).
    """

    def ensure_index(self) -> str: ...

    def rebuild(self, documents: Iterable[SearchDocument]) -> str: ...

    def is_current(self) -> bool: ...

    def index(self, documents: Sequence[SearchDocument], *, refresh: bool = False) -> None: ...

    def delete(self, record_ids: Sequence[str], *, refresh: bool = False) -> None: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def suggest(
        self, prefix: str, *, permission: Mapping[str, Any], size: int = 8
    ) -> list[str]: ...

    def expunge_deleted(self, *, wait_seconds: float = 120.0) -> int: ...

    def set_layer(self, record_id: str, layer: str) -> None: ...

    def set_metadata(self, record_id: str, *, title: str, soort: str | None) -> None: ...

    def analyze(self, text: str, analyzer: str = "dutch") -> list[str]: ...

    def check(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OcrWord:
    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class OcrResult:
    text: str
    words: Sequence[OcrWord]
    mean_confidence: float
    # hOCR: the words with their boxes and confidences, kept as a derivative.
    hocr: str = ""


class OcrEngine(Protocol):
    """Optical character recognition of one page image.

    - `recognize` and `recognize_file` MUST produce text, word boxes and
      confidence in one engine pass.
    - `recognize_file` MUST read the file as it is (no re-encoding) and MUST
      give up after `timeout` seconds with an `ArchiefError` coded `ocr_timeout`.
    - Both MUST raise `PortError` when the engine or a language model is missing.
    - `orientation` MUST return how many degrees (0, 90, 180 or 270) the
      image must be turned clockwise to be read upright, and 0 when it cannot
      tell with confidence (too little text, a timeout): it never guesses.
    """

    def recognize(self, image: bytes) -> OcrResult: ...

    def recognize_file(self, path: Path, timeout: float = 180.0) -> OcrResult: ...

    def orientation(self, path: Path, timeout: float = 60.0) -> int: ...

    def check(self) -> str: ...


# The tasks the core hands to workers; ingest/tasks.py registers them.
TASK_EXTRACT = "archief.ingest.extract"
# Several contents at once, each SHA-256 an argument: a backlog's hand-on.
TASK_EXTRACT_BATCH = "archief.ingest.extract_batch"
TASK_FINALIZE = "archief.ingest.finalize"


class TaskQueue(Protocol):
    """Hands work to background workers.

    - `enqueue` MUST only be called after the catalog change that the task
      reads has been committed; it MUST raise `PortError` when the broker is
      unreachable (the work is then picked up by `archief resume`).
    - `ping` MUST make a round trip through the broker and a worker and return
      what the worker answered, or raise `PortError` after `timeout` seconds.
    """

    def enqueue(self, task: str, *args: str) -> None: ...

    def ping(self, timeout: float = 10.0) -> str: ...

    def check(self) -> str: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
