# SPDX-License-Identifier: EUPL-1.2
"""The Celery app: ingest work runs in workers, never in a request.

Retries: a `PortError` (a service briefly away) is retried with exponential
backoff; any other `ArchiefError` is a property of the file and is final, and
the content is quarantined. A bug (any other exception) is recorded as
`internal_error` on the content, never crashes the worker, and is logged with
its traceback.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import structlog
from celery import Celery, Task, chord

from archief.errors import ArchiefError, PortError
from archief.ports import TASK_EXTRACT, TASK_FINALIZE
from archief.settings import Settings
from ingest.bewaring_tasks import register as register_bewaring
from ingest.publiek_tasks import register as register_publiek
from ingest.sociaal_tasks import register as register_sociaal

if TYPE_CHECKING:
    from archief.composition import Container

PING = "archief.ping"
TASK_OCR_PAGE = "archief.ingest.ocr_page"
MAX_RETRIES = 6
log = structlog.get_logger(__name__)


class ArchiefCelery(Celery):
    """A Celery app that knows its settings and builds adapters once per process."""

    settings: Settings
    _container: Container | None = None
    _pid: int | None = None

    def container(self) -> Container:
        # Connection pools must not cross a fork: each worker child builds its own.
        if self._container is None or self._pid != os.getpid():
            from archief.composition import build_container  # noqa: PLC0415  # import cycle

            self._container, self._pid = build_container(self.settings), os.getpid()
        return self._container


class _InternalError(ArchiefError):
    code = "internal_error"


def create_celery(settings: Settings) -> ArchiefCelery:
    """Build the Celery app for these settings; no broker means run tasks inline."""
    broker = settings.queue.broker_url
    app = ArchiefCelery("archief", broker=broker or "memory://")
    app.settings = settings
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
        # Redis redelivers unacknowledged tasks after this; it must exceed the
        # longest task (a sandboxed extraction of a huge PDF).
        broker_transport_options={"visibility_timeout": 3600},
    )

    # shared=False: each app (tests build several) keeps its own task registry.
    @app.task(name=PING, shared=False)
    def ping(payload: str) -> dict[str, Any]:
        return {"pong": payload, "worker": socket.gethostname()}

    def guarded(task: Task[Any, Any], sha256: str, step: Callable[[], None]) -> None:
        from ingest import process  # noqa: PLC0415  # keeps worker start-up light

        try:
            step()
        except PortError as exc:
            if task.request.retries >= MAX_RETRIES:
                process.fail(app.container(), sha256, exc, quarantine=False)
                return
            raise task.retry(exc=exc, countdown=min(300, 5 * 2**task.request.retries)) from exc
        except ArchiefError as exc:
            process.fail(app.container(), sha256, exc, quarantine=True)
        except Exception as exc:
            log.exception("ingest.internal_error", sha256=sha256)
            process.fail(
                app.container(),
                sha256,
                _InternalError(f"{type(exc).__name__}: {exc}"),
                quarantine=True,
            )

    @app.task(name=TASK_EXTRACT, bind=True, shared=False, max_retries=MAX_RETRIES)
    def extract(self: Task[Any, Any], sha256: str) -> None:
        from ingest import process  # noqa: PLC0415

        def step() -> None:
            pages = process.extract(app.container(), sha256)
            if not pages:
                return  # skipped, or indexed already (no page needed OCR)
            # One task per page spreads a long scan over every worker process;
            # finalize runs when the last page is done.
            chord(ocr.si(sha256, n) for n in pages)(finish.si(sha256))

        guarded(self, sha256, step)

    @app.task(name=TASK_OCR_PAGE, bind=True, shared=False, max_retries=MAX_RETRIES)
    def ocr(self: Task[Any, Any], sha256: str, number: int) -> None:
        from ingest import process  # noqa: PLC0415

        guarded(self, sha256, lambda: process.ocr_page(app.container(), sha256, number))

    @app.task(name=TASK_FINALIZE, bind=True, shared=False, max_retries=MAX_RETRIES)
    def finish(self: Task[Any, Any], sha256: str) -> None:
        from ingest import process  # noqa: PLC0415

        guarded(self, sha256, lambda: process.finalize(app.container(), sha256))

    # Retention work on a schedule (fires where a beat process runs).
    register_bewaring(app)
    register_sociaal(app)
    register_publiek(app)
    return app
