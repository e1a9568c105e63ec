# SPDX-License-Identifier: EUPL-1.2
"""A Celery round trip through the real Redis broker and a real worker process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from archief.errors import PortError
from archief.settings import QueueSettings, Settings
from ingest.queue import CeleryQueue
from ingest.worker import create_celery
from tests.ingest.workers import stop


@pytest.fixture
def isolated(stack_settings: Settings) -> Settings:
    # Redis database 15 is the tests' own, away from a demo's queue on 0.
    broker = (stack_settings.queue.broker_url or "").rsplit("/", 1)[0] + "/15"
    return stack_settings.model_copy(update={"queue": QueueSettings(broker_url=broker)})


@pytest.fixture
def worker(isolated: Settings) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "ARCHIEF_QUEUE__BROKER_URL": isolated.queue.broker_url or ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "archief.cli", "worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield proc
    stop(proc, grace=30)


def test_round_trip_through_redis(isolated: Settings, worker: subprocess.Popen[bytes]) -> None:
    queue = CeleryQueue(create_celery(isolated))
    assert queue.check().startswith("celery redis://")
    # The first ping waits for the worker process to start.
    answered_by = queue.ping(timeout=90)
    assert answered_by
    assert worker.poll() is None


def test_no_worker_is_a_clear_timeout(isolated: Settings) -> None:
    settings = isolated.model_copy(
        update={"queue": QueueSettings(broker_url=(isolated.queue.broker_url or "")[:-3] + "/14")}
    )
    app = create_celery(settings)
    try:
        with pytest.raises(PortError, match="no worker answered"):
            CeleryQueue(app).ping(timeout=2)
    finally:
        app.control.purge()  # nobody will ever consume that ping


def test_unreachable_broker_fails_the_check() -> None:
    settings = Settings(queue=QueueSettings(broker_url="redis://127.0.0.1:1/0"))
    with pytest.raises(PortError, match="broker unreachable"):
        CeleryQueue(create_celery(settings)).check()


def test_without_a_broker_tasks_run_in_process() -> None:
    queue = CeleryQueue(create_celery(Settings(queue=QueueSettings(broker_url=None))))
    assert queue.check().startswith("in-process")
    assert queue.ping()
