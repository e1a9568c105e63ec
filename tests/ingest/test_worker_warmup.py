# SPDX-License-Identifier: EUPL-1.2
"""A worker process is warm before its first task: container built, sandbox zygote running."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import redis
from celery import signals
from structlog.testing import capture_logs

from archief.composition import Container, build_container
from archief.intake import bulk
from archief.intake.service import ensure_dossier
from archief.settings import DatabaseSettings, QueueSettings, Settings
from ingest import pages
from ingest.worker import create_celery, warm_up
from tests.conftest import settings_env
from tests.ingest.documents import pdf
from tests.ingest.workers import stop

# Redis database 8 is this module's own (bench/ingest uses 12, other tests 9, 11, 13-15).
DB = "/8"
# `archief worker` runs prefork; the solo pool runs tasks in the worker process itself.
SOLO = (
    "from archief.logging import configure_logging; from archief.settings import Settings;"
    "from ingest.worker import create_celery; configure_logging();"
    "create_celery(Settings()).worker_main(['worker', '--pool=solo', '--loglevel=INFO'])"
)


@pytest.fixture
def queued(settings: Settings, container: Container) -> Iterator[Container]:
    broker = (settings.queue.broker_url or "").rsplit("/", 1)[0] + DB
    r = redis.Redis.from_url(broker)
    r.flushdb()
    c = build_container(settings.model_copy(update={"queue": QueueSettings(broker_url=broker)}))
    yield c
    c.close()
    r.flushdb()


def _zygotes(root: psutil.Process) -> list[psutil.Process]:
    """The sandbox zygotes under `root` (not the job children they fork, which share the name)."""
    found = []
    for proc in root.children(recursive=True):
        try:
            parent = proc.parent()
            if "ingest.sandbox" in proc.cmdline() and not (
                parent is not None and "ingest.sandbox" in parent.cmdline()
            ):
                found.append(proc)
        except psutil.NoSuchProcess:
            continue  # a job child that ended meanwhile
    return found


def _wait_until_warm(root: psutil.Process, log: Path, timeout: float) -> psutil.Process:
    """The worker's one sandbox zygote, once its warm-up has said it is done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        zygotes = _zygotes(root)
        if zygotes and "ingest.warmup.done" in log.read_text():
            (zygote,) = zygotes
            return zygote
        assert root.is_running(), log.read_text()[-3000:]
        time.sleep(0.1)
    raise AssertionError(f"not warm after {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.mark.parametrize("pool", ["prefork", "solo"])
def test_a_worker_process_is_warm_before_its_first_task(
    queued: Container, tmp_path: Path, pool: str
) -> None:
    log = tmp_path / "worker.log"
    command = (
        [sys.executable, "-m", "archief.cli", "worker", "--concurrency", "1"]
        if pool == "prefork"
        else [sys.executable, "-c", SOLO]
    )
    with log.open("wb") as out:
        worker = subprocess.Popen(
            command,
            env={**os.environ, **settings_env(queued.settings)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        main = psutil.Process(worker.pid)
        # No task has been sent, so only the warm-up can have started it.
        zygote = _wait_until_warm(main, log, timeout=90)
        # In the process that runs the tasks: the prefork child, or the solo worker itself.
        runner = zygote.parent()
        assert runner is not None
        if pool == "prefork":
            assert runner.ppid() == main.pid
        else:
            assert runner.pid == main.pid

        # The first task (an extraction, in the sandbox) uses that zygote.
        dossier = ensure_dossier(
            queued.sessions, queued.clock, kenmerk="T-WARM", titel="w", afdeling="wijkzaken"
        )
        path = pdf([f"Notitie over het warm starten ({pool})."], tmp_path / "warm.pdf")
        with path.open("rb") as f:
            item = queued.intake.receive(f, name=path.name, dossier_id=dossier.id, laag="afdeling")
        assert item.sha256 is not None
        done = bulk.wait(queued, {item.sha256}, lambda _p: None, timeout=120)
        (status,) = [s for _name, s, _code, _ in bulk.outcomes(queued, [item.id])]
        assert (done.contents_done, status) == (1, "indexed")
        assert [z.pid for z in _zygotes(main)] == [zygote.pid]
    finally:
        stop(worker)


class _Worker:
    """What `worker_init` is sent by: a worker of some app, on some node."""

    def __init__(self, app: object, hostname: str) -> None:
        self.app, self.hostname = app, hostname


def test_only_the_app_run_as_a_worker_warms(settings: Settings) -> None:
    mine, other = create_celery(settings), create_celery(settings)
    with capture_logs() as logs:
        # An app that only sends tasks (the API, the CLI, an eager test) never warms.
        signals.worker_process_init.send(sender="celery@elders")
        signals.worker_init.send(sender=_Worker(mine, "celery@hier"))
        signals.worker_process_init.send(sender="celery@hier")
    warmed = [e for e in logs if e["event"] == "ingest.warmup.done"]
    assert [e["failed"] for e in warmed] == [[]]
    assert mine._container is not None
    assert other._container is None


def test_a_warm_up_that_fails_logs_and_carries_on(settings: Settings) -> None:
    broken = settings.model_copy(update={"database": DatabaseSettings(url="geen-database://x")})
    with capture_logs() as logs:
        warm_up(create_celery(broken))  # must not raise
    failed = [e["part"] for e in logs if e["event"] == "ingest.warmup.failed"]
    (done,) = [e for e in logs if e["event"] == "ingest.warmup.done"]
    assert failed == done["failed"] == ["container"]
    # The rest was still warmed: this process has its sandbox zygote.
    assert _zygotes(psutil.Process())


def test_the_zygote_warm_up_reads_every_font_it_carries() -> None:
    # A font pypdf cannot read here would leave its code path cold in every
    # forked child without anyone noticing: the warm-up swallows failures.
    text = pages.warm()

    assert text.splitlines() == [
        "Besluitnota",  # standard Type1, WinAnsi
        "Onderwerp",  # simple TrueType with a ToUnicode range
        "Besluitnota",  # Type0, Identity-H, two-byte bfchar ToUnicode
        "Onderwerp: coördinatie,",  # a TJ array whose kerning reads as a space
        "€ 12.500,00",  # the ' operator
        "Pagina 2",
    ]
