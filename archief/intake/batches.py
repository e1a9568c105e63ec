# SPDX-License-Identifier: EUPL-1.2
"""A backlog's hand-on: extracts go to the workers a few contents at a time.

Why: every task costs the same whatever it carries. For a born-digital
document of a few pages the fixed part (the Celery round trip, a catalog
transaction, an Elasticsearch request, the question whether more is on its
way) cost more CPU than reading its text. A batch pays it once
(`ingest.worker` `extract_batch`, `ingest.process.index_read`).

The bulk CLI batches, and so does the API once a broker is configured:
uploads in quick succession (a DMS handing over a folder) go together, and
a `Flusher` thread sends a batch that has waited its linger (0.2 s by
default, `ARCHIEF_INGEST__API_HAND_ON_LINGER_SECONDS`), so a lone upload is
read that much later, not after the next one.

Nothing is lost while a content waits here: it is stored and catalogued
(`stored`) before it is added, so a crash leaves it for `archief resume`,
or for the same `archief ingest` again, as a broker away does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

from archief.errors import PortError
from archief.ports import TASK_EXTRACT, TASK_EXTRACT_BATCH, TaskQueue

log = structlog.get_logger(__name__)


# Near the end of a backlog a batch holds at most a quarter of what is left,
# so the last contents are spread over the workers, not left to one of them.
SPREAD = 4


def cap(size: int, remaining: int | None) -> int:
    """How many a batch that starts now may hold: a quarter of what is left, up to `size`."""
    left = size if remaining is None else -(-remaining // SPREAD)
    return max(1, min(size, left))


class BatchingQueue:
    """A TaskQueue that sends extracts `size` at a time, or when the oldest has waited `linger`.

    Every other task goes on at once. `expect` says how many contents are
    still to come; `close` sends what waits: call it when the last file is in.
    Safe to share between threads: the API's request threads hand in while
    a `Flusher` sends what has waited long enough.
    """

    def __init__(
        self,
        queue: TaskQueue,
        *,
        size: int,
        linger: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue = queue
        self.size = size
        self.linger = linger
        self._clock = clock
        self._waiting: list[str] = []
        self._since = 0.0
        self._cap = size
        self._remaining: int | None = None
        self._lock = threading.RLock()

    def expect(self, remaining: int) -> None:
        """Say that `remaining` contents are still to come, the next one included."""
        self._remaining = remaining

    def enqueue(self, task: str, *args: str) -> None:
        if task != TASK_EXTRACT or self.size <= 1:
            self.queue.enqueue(task, *args)
            return
        with self._lock:
            if not self._waiting:
                self._since = self._clock()
                self._cap = cap(self.size, self._remaining)
            self._waiting.extend(args)
            if len(self._waiting) >= self._cap:
                self.flush()
            else:
                self.flush_if_due()

    def flush_if_due(self) -> None:
        """Send what waits if the oldest has waited `linger` (a slow file must not hold it).

        With the broker away it says so rather than raise: called between
        files and from a timer, it has nobody to hand the error to, and the
        contents are stored (they wait for `archief resume`).
        """
        with self._lock:
            if self._waiting and self._clock() - self._since >= self.linger:
                self.close()

    def flush(self) -> None:
        """Send what waits; raises PortError with the broker away (the contents stay stored)."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
            # Under the lock, so batches reach the broker in the order they were cut.
            if len(waiting) == 1:
                self.queue.enqueue(TASK_EXTRACT, *waiting)
            elif waiting:
                self.queue.enqueue(TASK_EXTRACT_BATCH, *waiting)

    def close(self) -> None:
        """Send what waits; with the broker away, say so (they wait for `archief resume`)."""
        with self._lock:
            waiting = list(self._waiting)
            try:
                self.flush()
            except PortError:
                log.warning("ingest.intake.enqueue_failed", sha256s=waiting)

    def ping(self, timeout: float = 10.0) -> str:
        return self.queue.ping(timeout)

    def check(self) -> str:
        return self.queue.check()


class Flusher:
    """Sends a BatchingQueue's batch once it has waited its linger, from a thread of its own.

    For the API, where nothing else would: a request thread only runs when
    the next upload comes. `stop` sends what still waits.
    """

    def __init__(self, batches: BatchingQueue) -> None:
        self.batches = batches
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hand-on", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        self.batches.close()

    def _run(self) -> None:
        # A quarter of the linger: a batch goes at most that much past it.
        while not self._stopping.wait(self.batches.linger / 4):
            try:
                self.batches.flush_if_due()
            except Exception:
                # The thread must outlive any one failure: later batches still go.
                log.exception("ingest.intake.flush_failed")
