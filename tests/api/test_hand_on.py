# SPDX-License-Identifier: EUPL-1.2
"""Uploads over HTTP go to the workers in batches once a broker is configured.

The real Redis broker, on a database of this module's own that no worker
consumes: what is checked is what the API hands the queue, and when.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import SecretStr

from archief.app import create_app
from archief.composition import Container, build_container
from archief.intake.batches import BatchingQueue
from archief.intake.service import ensure_dossier
from archief.ports import TASK_EXTRACT, TASK_EXTRACT_BATCH
from archief.settings import QueueSettings, Settings
from tests.ingest.hostile import text_pdf

TOKEN = "test-hand-on-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

Sent = list[tuple[str, tuple[str, ...]]]


@pytest.fixture
def served(settings: Settings, container: Container) -> Iterator[tuple[Container, Sent]]:
    """A container queueing on Redis database 10, with every task it sends recorded."""
    broker = (settings.queue.broker_url or "").rsplit("/", 1)[0] + "/10"
    c = build_container(
        settings.model_copy(
            update={
                "queue": QueueSettings(broker_url=broker),
                "api": settings.api.model_copy(update={"service_tokens": [SecretStr(TOKEN)]}),
            }
        )
    )
    ensure_dossier(c.sessions, c.clock, kenmerk="T-HAND-ON", titel="h", afdeling="wijkzaken")
    sent: Sent = []
    enqueue = c.queue.enqueue

    def spy(task: str, *args: str) -> None:
        sent.append((task, args))
        enqueue(task, *args)

    c.queue.enqueue = spy  # type: ignore[method-assign]  # the instance's, for this test only
    try:
        yield c, sent
    finally:
        redis.Redis.from_url(broker).flushdb()  # nobody will ever consume these
        c.close()


def _app(c: Container, *, size: int, linger: float) -> TestClient:
    """The API on `c`, handing uploads on `size` at a time or after `linger` seconds."""
    c.settings = c.settings.model_copy(
        update={
            "ingest": c.settings.ingest.model_copy(
                update={"hand_on_batch": size, "api_hand_on_linger_seconds": linger}
            )
        }
    )
    return TestClient(create_app(c.settings, lambda _s: c))


def _upload(client: TestClient) -> str:
    resp = client.post(
        "/ingest",
        headers=AUTH,
        data={"dossier": "T-HAND-ON", "laag": "afdeling"},
        files={"file": ("brief.pdf", text_pdf([f"Brief {uuid.uuid4().hex}"]), "application/pdf")},
    )
    assert resp.status_code == 202, resp.text
    sha: str = resp.json()["sha256"]
    return sha


def test_uploads_in_quick_succession_go_as_one_batch(served: tuple[Container, Sent]) -> None:
    c, sent = served
    # Never due by time: the batch is cut by its size.
    with _app(c, size=3, linger=3600) as client:
        first = [_upload(client), _upload(client)]
        # Stored and waiting for company: nothing handed on yet.
        assert sent == []
        third = _upload(client)
        assert sent == [(TASK_EXTRACT_BATCH, (*first, third))]
        assert isinstance(c.queue, BatchingQueue)
    # The container's own queue again once the app stops.
    assert not isinstance(c.queue, BatchingQueue)


def test_a_lone_upload_goes_once_it_has_waited_its_linger(
    served: tuple[Container, Sent],
) -> None:
    c, sent = served
    with _app(c, size=8, linger=0.2) as client:
        sha = _upload(client)
        # No second upload comes: the flusher sends it on its own.
        deadline = time.monotonic() + 30
        while not sent and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sent == [(TASK_EXTRACT, (sha,))]


def test_what_waits_when_the_app_stops_is_handed_on(served: tuple[Container, Sent]) -> None:
    c, sent = served
    with _app(c, size=8, linger=3600) as client:
        sha = _upload(client)
        assert sent == []
    assert sent == [(TASK_EXTRACT, (sha,))]
