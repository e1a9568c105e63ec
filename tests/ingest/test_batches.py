# SPDX-License-Identifier: EUPL-1.2
"""A backlog goes to the workers a few contents at a time, and loses nothing by it.

`archief ingest` hands extracts on in batches (archief.intake.batches); a
worker reads each content of a batch under its own guard and indexes those
read whole in one transaction and one bulk request (`extract_batch`,
`process.index_read`). Run in eager mode, on the real catalog, store,
sandbox and index: what is checked is each content's status and whether a
search finds it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from archief.audit.chain import SYSTEEM
from archief.catalog.models import IngestItem
from archief.composition import Container, build_container
from archief.intake import batches, bulk
from archief.intake.batches import BatchingQueue
from archief.intake.service import ensure_dossier
from archief.ports import TASK_EXTRACT, TASK_EXTRACT_BATCH, SearchDocument
from archief.settings import Settings
from ingest.worker import MAX_RETRIES
from search.index import ElasticsearchIndex
from tests.ingest.hostile import _encrypt, text_pdf
from tests.ingest.inhoud import content_row
from tests.ingest.zoeken import hit_records

SIZE = 4


def _dossier(c: Container, kenmerk: str) -> str:
    return ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    ).id


def _letters(directory: Path, count: int) -> dict[Path, str]:
    """`count` one-page PDFs, each with a word of its own; the word by file."""
    words = {}
    for n in range(count):
        word = f"linde{uuid.uuid4().hex[:8]}"
        path = directory / f"brief-{n:02d}.pdf"
        path.write_bytes(text_pdf([f"Brief over de {word} aan de Dorpsstraat"]))
        words[path] = word
    return words


@pytest.fixture
def sent(eager: Container, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[str, ...]]]:
    """Every task the container's (real, eager) queue is handed, in order."""
    seen: list[tuple[str, tuple[str, ...]]] = []
    enqueue = eager.queue.enqueue

    def spy(task: str, *args: str) -> None:
        seen.append((task, args))
        enqueue(task, *args)

    monkeypatch.setattr(eager.queue, "enqueue", spy)
    return seen


@pytest.fixture
def bulk_requests(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The records of every bulk request to Elasticsearch, in order."""
    seen: list[list[str]] = []
    original = ElasticsearchIndex.index

    def spy(self: ElasticsearchIndex, documents: Sequence[SearchDocument], **kw: Any) -> None:
        seen.append([d.record_id for d in documents])
        original(self, documents, **kw)

    monkeypatch.setattr(ElasticsearchIndex, "index", spy)
    return seen


def test_a_backlog_is_handed_on_in_batches_and_every_file_is_found(
    eager: Container,
    tmp_path: Path,
    sent: list[tuple[str, tuple[str, ...]]],
    bulk_requests: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(eager.settings.ingest, "hand_on_batch", SIZE)
    # Never due by time: the batches are cut by size and by the end of the run.
    monkeypatch.setattr(eager.settings.ingest, "hand_on_linger_seconds", 3600.0)
    words = _letters(tmp_path, 16)
    # Sorted in with the first batch: brief-00, this one, brief-01, brief-02.
    locked = tmp_path / "brief-01-vergrendeld.pdf"
    locked.write_bytes(
        _encrypt(
            text_pdf([f"Vertrouwelijk {uuid.uuid4().hex}"]),
            user="geheim",
            owner="eigenaar",
            algorithm="AES-128",
        )
    )
    files = sorted([*words, locked])
    summary = bulk.ingest_paths(
        eager, files, dossier_id=_dossier(eager, "T-BATCH"), laag="afdeling"
    )

    assert summary.stored == len(files) == 17
    extracts = [args for task, args in sent if task in (TASK_EXTRACT, TASK_EXTRACT_BATCH)]
    # Full batches while more than 4 x SIZE are left; then a quarter of what
    # is left (rounded up), so the last ones spread over the workers: of 17,
    # 4, 4, then 3 of 9, 2 of 6, and the last four one by one.
    assert [len(args) for args in extracts] == [4, 4, 3, 2, 1, 1, 1, 1]
    assert all(task == TASK_EXTRACT_BATCH for task, args in sent if len(args) > 1)
    assert sorted(sha for args in extracts for sha in args) == sorted(summary.shas)
    # The encrypted file fails alone; its batch's other contents are indexed.
    outcomes = {
        name: (status, code) for name, status, code, _ in bulk.outcomes(eager, summary.item_ids)
    }
    assert outcomes.pop(locked.name) == ("failed", "encrypted_pdf")
    assert set(outcomes.values()) == {("indexed", None)}
    for path, word in words.items():
        assert len(hit_records(eager, word)) == 1, path.name
    # One bulk request a batch, however many of its contents were read whole.
    assert [len(records) for records in bulk_requests] == [3, 4, 3, 2, 1, 1, 1, 1]


def test_a_content_the_index_refuses_fails_alone(
    eager: Container,
    tmp_path: Path,
    sent: list[tuple[str, tuple[str, ...]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(eager.settings.ingest, "hand_on_batch", SIZE)
    # No spreading at the end: the four go in one batch.
    monkeypatch.setattr(batches, "SPREAD", 1)
    words = _letters(tmp_path, SIZE)
    refused = words[sorted(words)[1]]
    original = ElasticsearchIndex.index

    def picky(self: ElasticsearchIndex, documents: Sequence[SearchDocument], **kw: Any) -> None:
        # A deterministic refusal, tied to one document: not a service away.
        if any(refused in p.text for d in documents for p in d.pages):
            raise ValueError("this document cannot be indexed")
        original(self, documents, **kw)

    monkeypatch.setattr(ElasticsearchIndex, "index", picky)
    summary = bulk.ingest_paths(
        eager, sorted(words), dossier_id=_dossier(eager, "T-BATCH-REFUSED"), laag="afdeling"
    )

    assert [len(args) for task, args in sent if task == TASK_EXTRACT_BATCH] == [SIZE]
    statuses = {
        name: (status, code) for name, status, code, _ in bulk.outcomes(eager, summary.item_ids)
    }
    assert statuses.pop(sorted(words)[1].name) == ("failed", "internal_error")
    assert set(statuses.values()) == {("indexed", None)}
    for path, word in words.items():
        assert len(hit_records(eager, word)) == (0 if word == refused else 1), path.name


def test_a_batch_waits_no_longer_than_its_linger(eager: Container, tmp_path: Path) -> None:
    now = [0.0]
    waiting = BatchingQueue(eager.queue, size=SIZE, linger=0.5, clock=lambda: now[0])
    intake = eager.intake_for(SYSTEEM, queue=waiting)
    dossier = _dossier(eager, "T-BATCH-LINGER")
    path = next(iter(_letters(tmp_path, 1)))
    with path.open("rb") as f:
        item: IngestItem = intake.receive(f, name=path.name, dossier_id=dossier, laag="afdeling")
    assert item.sha256 is not None
    # Stored and catalogued, waiting for company: not yet read.
    assert content_row(eager, item.sha256).status == "stored"
    now[0] = 0.4
    waiting.flush_if_due()
    assert content_row(eager, item.sha256).status == "stored"
    now[0] = 0.5
    waiting.flush_if_due()
    assert content_row(eager, item.sha256).status == "indexed"


def test_a_batch_with_the_index_away_is_retried_and_then_waits_for_it(
    eager_settings: Settings, tmp_path: Path
) -> None:
    # Nothing listens on the discard port: every bulk request is refused at once.
    away = eager_settings.model_copy(
        update={
            "search": eager_settings.search.model_copy(update={"url": "http://127.0.0.1:9"}),
            "ingest": eager_settings.ingest.model_copy(update={"hand_on_batch": 2}),
        }
    )
    c = build_container(away)
    try:
        words = _letters(tmp_path, 2)
        summary = bulk.ingest_paths(
            c, sorted(words), dossier_id=_dossier(c, "T-BATCH-AWAY"), laag="afdeling"
        )
        assert summary.stored == 2
        for sha in summary.shas:
            content = content_row(c, sha)
            # Failed for the service, not for its bytes: resumable, not quarantined.
            assert (content.status, content.reason_code, content.quarantined) == (
                "failed",
                "service_unavailable",
                False,
            )
            # The batch was tried again as a whole, each content claimed each time.
            assert content.attempts == MAX_RETRIES + 1
    finally:
        c.close()
