# SPDX-License-Identifier: EUPL-1.2
"""The Celery app: ingest work runs in workers, never in a request."""

from __future__ import annotations

import socket
from typing import Any

from celery import Celery

from archief.settings import Settings

PING = "archief.ping"


def create_celery(settings: Settings) -> Celery:
    """Build the Celery app for these settings; no broker means run tasks inline."""
    broker = settings.queue.broker_url
    app = Celery("archief", broker=broker or "memory://")
    app.conf.update(
        result_backend=settings.queue.result_backend or broker or "cache+memory://",
        task_always_eager=broker is None,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # A task is acknowledged after it ran, and a worker that dies mid-task
        # gives it back: a batch is never lost to a crash.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # OCR tasks are long; prefetching would park work behind a busy process.
        worker_prefetch_multiplier=1,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )

    # shared=False: each app (tests build several) keeps its own task registry.
    @app.task(name=PING, shared=False)
    def ping(payload: str) -> dict[str, Any]:
        return {"pong": payload, "worker": socket.gethostname()}

    return app
