# SPDX-License-Identifier: EUPL-1.2
"""The pipeline through Redis and real worker processes, as in production."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from archief.composition import Container, build_container
from archief.intake import batches, bulk
from archief.intake.service import ensure_dossier
from archief.ports import TASK_EXTRACT_BATCH, SearchQuery
from archief.settings import QueueSettings, Settings
from tests.conftest import settings_env
from tests.ingest.documents import pdf, scan
from tests.ingest.hostile import text_pdf


@pytest.fixture(scope="module")
def queued(settings: Settings, container: Container) -> Iterator[Container]:
    # Redis database 13 is this module's own, so stray tasks of other runs stay away.
    broker = (settings.queue.broker_url or "").rsplit("/", 1)[0] + "/13"
    c = build_container(settings.model_copy(update={"queue": QueueSettings(broker_url=broker)}))
    c.queue.app.control.purge()  # type: ignore[attr-defined]
    yield c
    c.close()


@pytest.fixture(scope="module")
def workers(queued: Container) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = {**os.environ, **settings_env(queued.settings)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "archief.cli", "worker", "--concurrency", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    queued.queue.ping(timeout=90)  # waits until a worker listens
    yield procs
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=60)


def test_scans_are_read_by_worker_processes(
    queued: Container, workers: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    pages = [scan([f"Pagina {i} van het verslag over de Wilgenhof."]) for i in range(1, 4)]
    pdf(pages, tmp_path / "verslag.pdf")
    (tmp_path / "kapot.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog")
    dossier = ensure_dossier(
        queued.sessions, queued.clock, kenmerk="T-WORKER", titel="w", afdeling="wijkzaken"
    )
    summary = bulk.ingest_paths(
        queued, list(bulk.walk([tmp_path])), dossier_id=dossier.id, laag="afdeling"
    )
    assert summary.stored == 2
    final = bulk.wait(queued, summary.shas, lambda _p: None, timeout=240)
    assert final.contents_done == final.contents_total == 2
    assert (final.pages_done, final.pages_known) == (3, 3)
    outcomes = {
        name: (status, code) for name, status, code, _ in bulk.outcomes(queued, summary.item_ids)
    }
    assert outcomes["verslag.pdf"] == ("indexed", None)
    assert outcomes["kapot.pdf"] == ("failed", "corrupt_pdf")
    assert all(w.poll() is None for w in workers), "a hostile file must not kill a worker"
    assert queued.index is not None
    time.sleep(1.2)  # the index refreshes every second: searchable within seconds
    hits = queued.index.search(SearchQuery(permission={"match_all": {}}, text="Wilgenhof verslag"))
    assert sorted(hits.hits[0].pages) == [1, 2, 3]


def test_a_batch_is_read_by_a_worker_process_and_a_broken_file_fails_alone(
    queued: Container,
    workers: list[subprocess.Popen[bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One batch of all five, through Redis as `archief ingest` sends it.
    monkeypatch.setattr(batches, "SPREAD", 1)
    sent: list[tuple[str, int]] = []
    enqueue = queued.queue.enqueue

    def spy(task: str, *args: str) -> None:
        sent.append((task, len(args)))
        enqueue(task, *args)

    monkeypatch.setattr(queued.queue, "enqueue", spy)
    # Bytes of this run's own: content read before is not handed on again.
    run = uuid.uuid4().hex
    for n in range(4):
        (tmp_path / f"brief-{n}.pdf").write_bytes(
            text_pdf([f"Brief {n} over de Berkenhof aan de bewoners {run}"])
        )
    (tmp_path / "brief-2-kapot.pdf").write_bytes(
        b"%PDF-1.7\n%" + run.encode() + b"\n1 0 obj << /Type /Catalog"
    )
    dossier = ensure_dossier(
        queued.sessions, queued.clock, kenmerk="T-WORKER-BATCH", titel="w", afdeling="wijkzaken"
    )
    summary = bulk.ingest_paths(
        queued, list(bulk.walk([tmp_path])), dossier_id=dossier.id, laag="afdeling"
    )
    assert summary.stored == 5
    assert sent == [(TASK_EXTRACT_BATCH, 5)]
    final = bulk.wait(queued, summary.shas, lambda _p: None, timeout=240)
    assert final.contents_done == final.contents_total == 5
    outcomes = {
        name: (status, code) for name, status, code, _ in bulk.outcomes(queued, summary.item_ids)
    }
    assert outcomes.pop("brief-2-kapot.pdf") == ("failed", "corrupt_pdf")
    assert set(outcomes.values()) == {("indexed", None)}
    assert all(w.poll() is None for w in workers)
