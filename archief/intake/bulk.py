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
from archief.intake.batches import BatchingQueue
from archief.intake.schemas import effective_status
from archief.intake.service import Intake


@dataclass
class Summary:
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # name, code, reason
    item_ids: list[str] = field(default_factory=list)
    shas: set[str] = field(default_factory=set)


def walk(paths: Iterable[Path]) -> Iterator[Path]:
    """Every regular file under the given paths, in a stable order; symlinks are not followed."""
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
    for n, path in enumerate(files):
        # A file that is slow to store must not keep the last ones waiting.
        batches.flush_if_due()
        batches.expect(len(files) - n)
        key = source_key(path)
        with container.sessions() as session:
            earlier = repository.item_by_source(session, dossier_id, key)
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
                item = intake.receive(
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
        summary.item_ids.append(item.id)
        if item.status == "failed":
            summary.failed.append((item.display_name, item.reason_code or "", item.reason or ""))
        elif item.status == "duplicate":
            summary.duplicates += 1
        else:
            summary.stored += 1
        if item.sha256 and item.status != "failed":
            summary.shas.add(item.sha256)
        on_file(path, item)


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
