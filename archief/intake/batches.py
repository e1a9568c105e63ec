# SPDX-License-Identifier: EUPL-1.2
"""A backlog's hand-on: extracts go to the workers a few contents at a time.

Why: every task costs the same whatever it carries. For a born-digital
document of a few pages the fixed part (the Celery round trip, a catalog
transaction, an Elasticsearch request, the question whether more is on its
way) cost more CPU than reading its text. A batch pays it once
(`ingest.worker` `extract_batch`, `ingest.process.index_read`).

Only the bulk CLI batches. An upload over HTTP is handed on at once: a
person waits for that one, and a batch would keep it until the next came.

Nothing is lost while a content waits here: it is stored and catalogued
(`stored`) before it is added, so a crash leaves it for `archief resume`,
or for the same `archief ingest` again, as a broker away does.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog

from archief.errors import PortError
from archief.ports import TASK_EXTRACT, TASK_EXTRACT_BATCH, TaskQueue

log = structlog.get_logger(__name__)


# Near the end of a backlog a batch holds at most a quarter of what is left,
# so the last contents are spread over the workers, not left to one of them.
SPREAD = 4


class BatchingQueue:
    """A TaskQueue that sends extracts `size` at a time, or when the oldest has waited `linger`.

    Every other task goes on at once. `expect` says how many contents are
    still to come; `close` sends what waits: call it when the last file is in.
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

    def expect(self, remaining: int) -> None:
        """Say that `remaining` contents are still to come, the next one included."""
        self._remaining = remaining

    def enqueue(self, task: str, *args: str) -> None:
        if task != TASK_EXTRACT or self.size <= 1:
            self.queue.enqueue(task, *args)
            return
        if not self._waiting:
            self._since = self._clock()
            # A batch starts: it may hold a quarter of what is left, up to `size`.
            left = self.size if self._remaining is None else -(-self._remaining // SPREAD)
            self._cap = max(1, min(self.size, left))
        self._waiting.extend(args)
        if len(self._waiting) >= self._cap:
            self.flush()
        else:
            self.flush_if_due()

    def flush_if_due(self) -> None:
        """Send what waits if the oldest has waited `linger` (a slow file must not hold it)."""
        if self._waiting and self._clock() - self._since >= self.linger:
            self.flush()

    def flush(self) -> None:
        """Send what waits; raises PortError with the broker away (the contents stay stored)."""
        waiting, self._waiting = self._waiting, []
        if len(waiting) == 1:
            self.queue.enqueue(TASK_EXTRACT, *waiting)
        elif waiting:
            self.queue.enqueue(TASK_EXTRACT_BATCH, *waiting)

    def close(self) -> None:
        """Send what waits; with the broker away, say so (they wait for `archief resume`)."""
        waiting = list(self._waiting)
        try:
            self.flush()
        except PortError:
            log.warning("ingest.intake.enqueue_failed", sha256s=waiting)

    def ping(self, timeout: float = 10.0) -> str:
        return self.queue.ping(timeout)

    def check(self) -> str:
        return self.queue.check()
