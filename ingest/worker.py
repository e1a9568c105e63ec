# SPDX-License-Identifier: EUPL-1.2
"""The Celery app: ingest work runs in workers, never in a request.

Retries: a `PortError` (a service briefly away) is retried with exponential
backoff; any other `ArchiefError` is a property of the file and is final, and
the content is quarantined. A bug (any other exception) is recorded as
`internal_error` on the content, never crashes the worker, and is logged with
its traceback. Thumbnails are drawn after indexing, at the lowest priority,
and their failures are only logged: the content is searchable already.

Priorities (Redis serves 0 first; the steps are in ingest.priorities): a
record must be searchable within seconds of its OCR finishing, so the path to
searchable outranks the bulk work on it. Extract and finalize (which
indexes) go at 0, each OCR page at `OCR_PRIORITY` (6), thumbnails at 9. With
every task at 0, a content's finalize queued behind the OCR pages of every
document queued after it: with nine scans handed in at once, no record was
searchable before the last page of the last one was read. Every send names
its priority, a retry too (Celery keeps the one its message came with, but
an old message has none).

The finalize of a scanned content is queued by the OCR task of the page that
finds, in the catalog, that no page is left to read (process.ocr_page), not
by a Celery chord: the Redis backend counts finished tasks, so a page task
run twice (redelivered after its worker died between commit and ack) made
the count reach the total while a page was still unread, and the content was
indexed without that page and never again.

Warm-up: a worker process builds its container (imports, SQLAlchemy engine,
Elasticsearch and MinIO clients) and starts its sandbox zygote when it starts,
not when its first task arrives, which paid 1.5 to 2 s for them. It is done in
`worker_process_init`, which prefork sends in every child and the solo pool in
the worker process itself; `worker_init` is not used, since under prefork it
runs in the parent, which never runs a task. Only an app that is started as a
worker warms (tests build many apps): the receiver is connected when that
app's `worker_init` comes. A warm-up that fails only logs: the task builds
what it needs when it runs, and retries cover a service away. Celery's
`worker_proc_alive_timeout` is raised to cover it (see PROC_ALIVE_TIMEOUT).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import kombu.exceptions
import structlog
from celery import Celery, Task, signals

from archief.catalog.db import away_as_port_error
from archief.errors import ArchiefError, PortError
from archief.ports import TASK_EXTRACT, TASK_EXTRACT_BATCH, TASK_FINALIZE
from archief.settings import Settings
from ingest.bewaring_tasks import register as register_bewaring
from ingest.herstel_tasks import register as register_herstel
from ingest.priorities import INDEX_PRIORITY, OCR_PRIORITY, THUMBNAIL_PRIORITY
from ingest.publiek_tasks import register as register_publiek
from ingest.sociaal_tasks import register as register_sociaal

if TYPE_CHECKING:
    from archief.composition import Container
    from ingest.process import Gelezen, Klaargezet
    from ingest.sandbox import JSONable, SandboxError

PING = "archief.ping"
TASK_OCR_PAGE = "archief.ingest.ocr_page"
TASK_THUMBNAILS = "archief.ingest.thumbnails"
MAX_RETRIES = 6
# How much of a batch's originals may wait on disk to be read in one sandbox
# child: enough for a backlog of memos, and never more than one large scan.
SPOOL_BYTES = 64 * 2**20
PRIORITIES = {
    TASK_EXTRACT: INDEX_PRIORITY,
    TASK_EXTRACT_BATCH: INDEX_PRIORITY,
    TASK_FINALIZE: INDEX_PRIORITY,
    TASK_OCR_PAGE: OCR_PRIORITY,
    TASK_THUMBNAILS: THUMBNAIL_PRIORITY,
}
# Celery kills a prefork child that is not up after `worker_proc_alive_timeout`
# (4 s by default), and the warm-up runs before it reports up: on two busy
# cores the imports alone take seconds, and a zygote may take up to its start
# deadline (30 s) before it counts as failed. Killing the child would only
# start the same warm-up again.
PROC_ALIVE_TIMEOUT = 60.0
log = structlog.get_logger(__name__)


class ArchiefCelery(Celery):
    """A Celery app that knows its settings and builds adapters once per process."""

    settings: Settings
    _container: Container | None = None
    _pid: int | None = None
    # The node name of the worker this app runs as, once it does.
    _worker_hostname: str | None = None

    def container(self) -> Container:
        # Connection pools must not cross a fork: each worker child builds its own.
        if self._container is None or self._pid != os.getpid():
            from archief.composition import build_container  # noqa: PLC0415  # import cycle

            self._container, self._pid = build_container(self.settings), os.getpid()
        return self._container

    def warm_when_a_worker(self) -> None:
        """Warm each process of a worker that runs this app (and no other app's) as it starts."""
        # Weak (a bound method): an app that is dropped takes its receiver with it.
        signals.worker_init.connect(self._on_worker_init)

    def _on_worker_init(self, sender: object = None, **_: object) -> None:
        if getattr(sender, "app", None) is not self:
            return  # another app's worker
        self._worker_hostname = getattr(sender, "hostname", None)
        # Connected in the worker's main process, before the pool forks: a
        # prefork child inherits the receiver, the solo pool sends it here.
        signals.worker_process_init.connect(self._on_process_init)

    def _on_process_init(self, sender: object = None, **_: object) -> None:
        if sender == self._worker_hostname:
            warm_up(self)


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
        worker_proc_alive_timeout=PROC_ALIVE_TIMEOUT,
    )
    app.warm_when_a_worker()

    # shared=False: each app (tests build several) keeps its own task registry.
    @app.task(name=PING, shared=False)
    def ping(payload: str) -> dict[str, Any]:
        return {"pong": payload, "worker": socket.gethostname()}

    _register_ingest(app)
    # Retention work and recovery on a schedule (fires where a beat process runs).
    register_bewaring(app)
    register_herstel(app)
    register_sociaal(app)
    register_publiek(app)
    return app


def _register_ingest(app: ArchiefCelery) -> None:
    """The ingest tasks: extract (one content, or a batch), OCR per page, finalize, thumbnails."""

    # ignore_result: nothing waits for these; only ping's result is read, so
    # the rest save a round trip to Redis.
    @app.task(
        name=TASK_EXTRACT, bind=True, shared=False, max_retries=MAX_RETRIES, ignore_result=True
    )
    def extract(self: Task[Any, Any], sha256: str) -> None:
        from ingest import process  # noqa: PLC0415

        def step() -> None:
            carry_on(sha256, process.extract(app.container(), sha256))

        _guarded(app, self, sha256, step)

    def carry_on(sha256: str, pages: list[int] | None) -> None:
        """The next step of an extracted content: its thumbnails, or OCR of its pages."""
        if pages is None:
            return  # skipped: quarantined, indexed before, or gone
        if not pages:
            # Indexed already (no page needed OCR): now the pictures.
            thumbs.apply_async((sha256,), priority=THUMBNAIL_PRIORITY)
            return
        # One task per page spreads a long scan over every worker process;
        # the page that finds itself the last one read queues the finalize.
        for number in pages:
            ocr.apply_async((sha256, number), priority=OCR_PRIORITY)

    @app.task(
        name=TASK_EXTRACT_BATCH,
        bind=True,
        shared=False,
        max_retries=MAX_RETRIES,
        ignore_result=True,
    )
    def extract_batch(self: Task[Any, Any], *sha256s: str) -> None:
        """Extract several contents (a backlog's); index those read whole together.

        They are read in one sandbox child, one after another; each content
        is stored under its own guard, so a hostile file fails and is
        quarantined alone, as with `extract` (the sandbox judges a failing
        one again in a child of its own). A service away retries the whole
        batch; what is indexed by then is skipped the next time.
        """
        from ingest import process  # noqa: PLC0415

        read = _read_all(app, self, sha256s, carry_on)
        if not read:
            return

        def index(contents: list[process.Gelezen]) -> Callable[[], None]:
            def step() -> None:
                for sha256 in process.index_read(app.container(), contents):
                    carry_on(sha256, [])

            return step

        if not _guarded_together(app, self, [c.sha256 for c in read], index(read)):
            # One of them refused by the catalog or the index (or a bug):
            # each on its own, so that only that one fails.
            for content in read:
                _guarded(app, self, content.sha256, index([content]))

    @app.task(
        name=TASK_OCR_PAGE, bind=True, shared=False, max_retries=MAX_RETRIES, ignore_result=True
    )
    def ocr(self: Task[Any, Any], sha256: str, number: int) -> None:
        from ingest import process  # noqa: PLC0415

        def step() -> None:
            if process.ocr_page(app.container(), sha256, number):
                # Ahead of the pages of documents queued after this one.
                finish.apply_async((sha256,), priority=INDEX_PRIORITY)

        _guarded(app, self, sha256, step)

    @app.task(
        name=TASK_FINALIZE, bind=True, shared=False, max_retries=MAX_RETRIES, ignore_result=True
    )
    def finish(self: Task[Any, Any], sha256: str) -> None:
        from ingest import process  # noqa: PLC0415

        def step() -> None:
            if process.finalize(app.container(), sha256):
                thumbs.apply_async((sha256,), priority=THUMBNAIL_PRIORITY)

        _guarded(app, self, sha256, step)

    @app.task(
        name=TASK_THUMBNAILS, bind=True, shared=False, max_retries=MAX_RETRIES, ignore_result=True
    )
    def thumbs(self: Task[Any, Any], sha256: str, first: int = 1) -> None:
        """Draw the pages of an indexed content, a chunk per task; never fails the content."""
        draw_thumbnails(app, self, sha256, first)


def _guarded(
    app: ArchiefCelery, task: Task[Any, Any], sha256: str, step: Callable[[], None]
) -> None:
    """Run one stage of a content; retry a service away, fail (and maybe quarantine) the rest."""
    try:
        # A database that is away is a service away like any other: its
        # error is retried, never taken for a fault of the file. So is a
        # broker that will not take the next step's task.
        with away_as_port_error(), _broker_away_as_port_error():
            step()
    except PortError as exc:
        if task.request.retries >= MAX_RETRIES:
            _fail(app, sha256, exc, quarantine=False)
            return
        # Celery keeps the priority the message came with; a message
        # queued without one (before priorities) gets the task's own.
        raise task.retry(
            exc=exc,
            countdown=min(300, 5 * 2**task.request.retries),
            priority=PRIORITIES[task.name],
        ) from exc
    except ArchiefError as exc:
        _fail(app, sha256, exc, quarantine=True)
    except Exception as exc:
        log.exception("ingest.internal_error", sha256=sha256)
        _fail(app, sha256, _InternalError(f"{type(exc).__name__}: {exc}"), quarantine=True)


def _guarded_together(
    app: ArchiefCelery, task: Task[Any, Any], sha256s: list[str], step: Callable[[], None]
) -> bool:
    """Run a step of several contents at once; False if it failed for other than a service.

    A service away retries the task, or at the last try fails each content
    as `_guarded` would. Any other error is the caller's to split up: it
    may lie in one content only, which must not take the others with it.
    """
    try:
        with away_as_port_error(), _broker_away_as_port_error():
            step()
    except PortError as exc:
        if task.request.retries >= MAX_RETRIES:
            for sha256 in sha256s:
                _fail(app, sha256, exc, quarantine=False)
            return True
        raise task.retry(
            exc=exc,
            countdown=min(300, 5 * 2**task.request.retries),
            priority=PRIORITIES[task.name],
        ) from exc
    except Exception:
        log.exception("ingest.together_failed", sha256s=sha256s)
        return False
    return True


def _read_all(
    app: ArchiefCelery,
    task: Task[Any, Any],
    sha256s: Sequence[str],
    carry_on: Callable[[str, list[int] | None], None],
) -> list[Gelezen]:
    """Read a batch's contents, each under its own guard; those read whole, to index.

    The rest go on (`carry_on`) to OCR, or were done with already.
    """
    from ingest import process  # noqa: PLC0415

    read: list[Gelezen] = []
    started = _started(app, task, sha256s)
    waiting = list(sha256s)
    while waiting:
        with contextlib.ExitStack() as spool:
            ready: list[Klaargezet] = []
            # Downloaded until their originals fill the spool: a batch of
            # large scans is not all on disk at once.
            while waiting and sum(r.size for r in ready) < SPOOL_BYTES:
                sha256 = waiting.pop(0)
                if started is not None and sha256 not in started:
                    continue  # skipped: quarantined, indexed before, or gone

                def prepare(sha256: str = sha256, ready: list[Klaargezet] = ready) -> None:
                    media_type = None if started is None else started[sha256]
                    outcome = process.prepare(app.container(), sha256, spool, media_type)
                    if isinstance(outcome, process.Klaargezet):
                        ready.append(outcome)
                    else:
                        carry_on(sha256, outcome)

                _guarded(app, task, sha256, prepare)
            for content, plan in _analyzed(app, task, ready):

                def step(
                    content: Klaargezet = content, plan: JSONable | SandboxError | None = plan
                ) -> None:
                    if plan is None:
                        (plan,) = process.analyze(app.container(), [content])
                    outcome = process.take_in(app.container(), content, plan)
                    if isinstance(outcome, process.Gelezen):
                        read.append(outcome)
                    else:
                        carry_on(content.sha256, outcome)

                _guarded(app, task, content.sha256, step)
    return read


def _started(
    app: ArchiefCelery, task: Task[Any, Any], sha256s: Sequence[str]
) -> dict[str, str] | None:
    """Mark a batch's contents extracting in one statement; the media type of each to read.

    None when that failed for other than a service away: each content is
    then started under its own guard.
    """
    from ingest import process  # noqa: PLC0415

    started: dict[str, str] = {}

    def step() -> None:
        started.update(process.start(app.container(), sha256s))

    if not _guarded_together(app, task, list(sha256s), step):
        return None
    return started


def _analyzed(
    app: ArchiefCelery, task: Task[Any, Any], ready: list[Klaargezet]
) -> list[tuple[Klaargezet, JSONable | SandboxError | None]]:
    """Each content's page plan, read in one sandbox child; None: read it on its own.

    The sandbox away retries the task as any service would (at the last try
    every content fails); any other error leaves each to be read alone.
    """
    from ingest import process  # noqa: PLC0415

    plans: list[JSONable | SandboxError] = []

    def step() -> None:
        plans.extend(process.analyze(app.container(), ready))

    if not ready:
        return []
    if not _guarded_together(app, task, [r.sha256 for r in ready], step):
        return [(content, None) for content in ready]
    if not plans:
        return []  # failed for good with the sandbox away
    return list(zip(ready, plans, strict=True))


@contextlib.contextmanager
def _broker_away_as_port_error() -> Iterator[None]:
    try:
        yield
    except kombu.exceptions.OperationalError as exc:
        raise PortError("queue", f"broker unreachable: {exc}") from exc


def _fail(app: ArchiefCelery, sha256: str, error: ArchiefError, *, quarantine: bool) -> None:
    """Record the failure on the content; with a service away, log what could not be done."""
    from ingest import process  # noqa: PLC0415  # keeps worker start-up light

    try:
        with away_as_port_error():
            process.fail(app.container(), sha256, error, quarantine=quarantine)
    except PortError as away:
        # The catalog away: nothing can be written, and the content keeps the
        # status it had, which `archief ingest-status` counts as stuck and
        # `archief resume` hands on again; nothing is lost. The store away:
        # the failure is recorded, only the content's work files stay behind.
        event = "ingest.failure_unrecorded" if away.service == "database" else "ingest.work_left"
        log.exception(event, sha256=sha256, code=error.code, error=away.detail)


def warm_up(app: ArchiefCelery) -> None:
    """Build in this process what its first task would: container, OCR imports, zygote.

    Never raises: a worker must start even when a service is away; the task
    then builds what is missing itself, and its retries wait for the service.
    """
    started = time.monotonic()
    failed: list[str] = []
    for part, step in (("container", app.container), ("ocr", _import_ocr), ("sandbox", _zygote)):
        try:
            step()
        except Exception as exc:  # noqa: BLE001  # any failure: log it and start anyway
            failed.append(part)
            log.warning("ingest.warmup.failed", part=part, error=f"{type(exc).__name__}: {exc}")
    log.info(
        "ingest.warmup.done",
        pid=os.getpid(),
        seconds=round(time.monotonic() - started, 2),
        failed=failed,
    )


def _import_ocr() -> None:
    # What the first task would import: the stages (Pillow, the catalog
    # models), and pytesseract (with numpy), which the OCR engine imports lazily.
    import pytesseract  # noqa: F401, PLC0415

    from ingest import process  # noqa: F401, PLC0415


def _zygote() -> None:
    from ingest.sandbox import default_sandbox  # noqa: PLC0415

    default_sandbox().warm()


def draw_thumbnails(app: ArchiefCelery, task: Task[Any, Any], sha256: str, first: int) -> None:
    """The thumbnail task: one chunk, then the next one queued (all of them when eager)."""
    from ingest import process  # noqa: PLC0415

    following: int | None = first
    while following is not None:
        try:
            with away_as_port_error():
                following = process.thumbnails(app.container(), sha256, following)
        except PortError as exc:
            if task.request.retries >= MAX_RETRIES:
                log.warning("ingest.thumbnails.gave_up", sha256=sha256, code=exc.code)
                return
            raise task.retry(
                args=(sha256, following),
                exc=exc,
                countdown=min(300, 5 * 2**task.request.retries),
                priority=THUMBNAIL_PRIORITY,
            ) from exc
        except ArchiefError as exc:
            # The content is indexed and stays so: it only lacks pictures.
            log.warning("ingest.thumbnails.failed", sha256=sha256, code=exc.code)
            return
        except Exception:
            log.exception("ingest.thumbnails.internal_error", sha256=sha256)
            return
        if following is not None and not app.conf.task_always_eager:
            # The next chunk queues anew, behind whatever arrived meanwhile.
            task.apply_async((sha256, following), priority=THUMBNAIL_PRIORITY)
            return
