# SPDX-License-Identifier: EUPL-1.2
"""Bulk import of a backlog: walk paths, hand each file in, wait for processing.

Resumable: every file is remembered by path, size and modification time, so a
second run over the same paths skips what is already in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from archief.audit.chain import SYSTEEM, Actor
from archief.catalog.models import IngestItem
from archief.composition import Container
from archief.errors import ArchiefError
from archief.intake import repository
from archief.intake.batches import BatchingQueue, cap
from archief.intake.schemas import effective_status
from archief.intake.service import Intake, Ontvangen
from archief.settings import IngestSettings


@dataclass
class Summary:
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # name, code, reason
    item_ids: list[str] = field(default_factory=list)
    shas: set[str] = field(default_factory=set)


def walk(paths: Iterable[Path]) -> Iterator[Path]:
    """Every regular file under the given paths, in a stable order; symlinks are not followed.

    A file named twice (a folder and a file in it, or one folder given as
    `a` and `./a`) comes once: the source keys of earlier runs are read
    before the first file, so a second visit in the same run would be taken
    in again, as a duplicate of the first.
    """
    seen: set[Path] = set()
    for path in _each(paths):
        real = path.resolve()
        if real not in seen:
            seen.add(real)
            yield path


def _each(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_symlink():
            continue
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file() and not p.is_symlink())
        elif path.is_file():
            yield path


def source_key(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


def ingest_paths(
    container: Container,
    files: list[Path],
    *,
    dossier_id: str,
    laag: str,
    on_file: Callable[[Path, IngestItem | None], None] = lambda _p, _i: None,
    actor: Actor = SYSTEEM,
) -> Summary:
    """Hand in every file; a bad file is reported and the batch goes on."""
    summary = Summary()
    settings = container.settings.ingest
    batches = BatchingQueue(
        container.queue, size=settings.hand_on_batch, linger=settings.hand_on_linger_seconds
    )
    intake = container.intake_for(actor, queue=batches)
    try:
        _hand_in(
            container,
            intake,
            batches,
            files,
            summary=summary,
            dossier_id=dossier_id,
            laag=laag,
            on_file=on_file,
        )
    finally:
        # The last batch, also when a file broke off the loop.
        batches.close()
    return summary


def _hand_in(
    container: Container,
    intake: Intake,
    batches: BatchingQueue,
    files: list[Path],
    *,
    summary: Summary,
    dossier_id: str,
    laag: str,
    on_file: Callable[[Path, IngestItem | None], None],
) -> None:
    """Store each file's original; catalog and hand them on a group at a time (`_Group`)."""
    keys = [_key(path) for path in files]
    earlier_items = _earlier(container, dossier_id, [key for key in keys if key is not None])
    group = _Group(container.settings.ingest, intake, batches, summary, on_file)
    for n, (path, key) in enumerate(zip(files, keys, strict=True)):
        if group.due():
            group.settle()
        # A file that is slow to store must not keep the last ones waiting.
        batches.flush_if_due()
        batches.expect(len(files) - n)
        if key is None:
            summary.failed.append((path.name, "unreadable_file", "the file is gone or unreadable"))
            on_file(path, None)
            continue
        earlier = earlier_items.get(key)
        if earlier is not None:
            summary.skipped += 1
            summary.item_ids.append(earlier.id)
            if earlier.sha256:
                summary.shas.add(earlier.sha256)
                intake.resume(earlier.sha256)  # in, but never read: read it now
            on_file(path, None)
            continue
        try:
            with path.open("rb") as f:
                got = intake.put_original(
                    f, name=path.name, dossier_id=dossier_id, laag=laag, source_key=key
                )
        except ArchiefError as exc:
            summary.failed.append((path.name, exc.code, exc.detail))
            on_file(path, None)
            continue
        except OSError as exc:
            summary.failed.append((path.name, "unreadable_file", str(exc)))
            on_file(path, None)
            continue
        if isinstance(got, IngestItem):
            # Finished at once (an empty file): nothing to catalog.
            _tally(summary, path, got)
            on_file(path, got)
        else:
            group.add(path, got, left=len(files) - n)
    group.settle()


@dataclass
class _Group:
    """Files whose originals are stored, to be catalogued and handed on together.

    A group is what goes to the workers as one batch (`BatchingQueue`): up to
    `hand_on_batch` files, a quarter of what is left near the end, or fewer
    once the oldest has waited `hand_on_linger_seconds`. It is catalogued in
    one transaction (`Intake.catalog`). Until then its originals are stored
    but not catalogued: should the run break off there, the next run over
    the same paths takes them in again, since no item remembers them.
    """

    settings: IngestSettings
    intake: Intake
    batches: BatchingQueue
    summary: Summary
    on_file: Callable[[Path, IngestItem | None], None]
    files: list[tuple[Path, Ontvangen]] = field(default_factory=list)
    since: float = 0.0
    most: int = 1
    left: int = 0

    def add(self, path: Path, got: Ontvangen, *, left: int) -> None:
        """Add a stored file; `left` counts the files still to come, this one included."""
        if not self.files:
            self.since, self.left = time.monotonic(), left
            self.most = cap(self.settings.hand_on_batch, left)
        self.files.append((path, got))

    def due(self) -> bool:
        waited = time.monotonic() - self.since
        return bool(self.files) and (
            len(self.files) >= self.most or waited >= self.settings.hand_on_linger_seconds
        )

    def settle(self) -> None:
        if not self.files:
            return
        # The batch the group becomes is cut as the group was.
        self.batches.expect(self.left)
        outcomes = self.intake.catalog([got for _path, got in self.files])
        self.batches.close()
        for (path, _got), outcome in zip(self.files, outcomes, strict=True):
            _tally(self.summary, path, outcome)
            self.on_file(path, outcome if isinstance(outcome, IngestItem) else None)
        self.files.clear()


def _key(path: Path) -> str | None:
    try:
        return source_key(path)
    except OSError:
        return None


# Source keys looked up in one statement.
SLICE = 5000


def _earlier(container: Container, dossier_id: str, keys: list[str]) -> dict[str, IngestItem]:
    """The newest item of each of these source keys in the dossier: what a run before took in."""
    found: dict[str, IngestItem] = {}
    with container.sessions() as session:
        # In slices: an IN takes a parameter per key, and SQLite allows 32766.
        for start in range(0, len(keys), SLICE):
            found.update(
                repository.items_by_source(session, dossier_id, keys[start : start + SLICE])
            )
    return found


def _tally(summary: Summary, path: Path, outcome: IngestItem | ArchiefError) -> None:
    if isinstance(outcome, ArchiefError):
        summary.failed.append((path.name, outcome.code, outcome.detail))
        return
    item = outcome
    summary.item_ids.append(item.id)
    if item.status == "failed":
        summary.failed.append((item.display_name, item.reason_code or "", item.reason or ""))
    elif item.status == "duplicate":
        summary.duplicates += 1
    else:
        summary.stored += 1
    if item.sha256 and item.status != "failed":
        summary.shas.add(item.sha256)


@dataclass(frozen=True)
class Progress:
    contents_done: int
    contents_total: int
    pages_done: int
    pages_known: int


def progress(container: Container, shas: set[str]) -> Progress:
    # Counted in the catalog: asked ten times a second while workers need the CPU.
    with container.sessions() as session:
        done, total = repository.content_progress(session, sorted(shas))
        pages_done, pages_known = repository.page_progress(session, sorted(shas))
    return Progress(done, total, pages_done, pages_known)


def taken_up(container: Container, shas: set[str], since: datetime) -> bool:
    """Whether a worker took up any of these contents since `since`: then one is running."""
    with container.sessions() as session:
        return repository.taken_up(session, sorted(shas), since)


def wait(
    container: Container,
    shas: set[str],
    on_progress: Callable[[Progress], None],
    *,
    # Short: a backlog import ends soon after its last document, and one
    # progress query is a millisecond.
    poll: float = 0.1,
    timeout: float | None = None,
    stall: float | None = None,
) -> Progress:
    """Poll until every content is indexed or failed, the timeout passes, or nothing moves.

    `stall` gives up after that many seconds without any document or page
    finishing, so a missing worker never leaves a bulk import hanging.
    """
    started = moved = time.monotonic()
    last: tuple[int, int] | None = None
    while True:
        p = progress(container, shas)
        on_progress(p)
        if p.contents_done >= p.contents_total:
            return p
        now = time.monotonic()
        if (p.contents_done, p.pages_done) != last:
            last, moved = (p.contents_done, p.pages_done), now
        if timeout is not None and now - started > timeout:
            return p
        if stall is not None and now - moved > stall:
            return p
        time.sleep(poll)


def outcomes(
    container: Container, item_ids: list[str]
) -> list[tuple[str, str, str | None, str | None]]:
    """(name, status, reason code, reason) of each item, as the client sees it, in order."""
    with container.sessions() as session:
        # One statement: a closing summary of a large backlog is not a query per file.
        found = repository.items_with_content(session, item_ids)
    out = []
    for item_id in item_ids:
        if item_id not in found:
            continue
        item, content = found[item_id]
        status, code, reason = effective_status(item, content)
        out.append((item.display_name, status, code, reason))
    return out
