# SPDX-License-Identifier: EUPL-1.2
"""The TaskQueue port on Celery with a Redis broker."""

from __future__ import annotations

import uuid

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeout
from kombu.exceptions import OperationalError

from archief.errors import PortError
from ingest.worker import PING, PRIORITIES


class CeleryQueue:
    def __init__(self, app: Celery) -> None:
        self.app = app

    def enqueue(self, task: str, *args: str) -> None:
        try:
            if self.app.conf.task_always_eager:
                self.app.tasks[task].apply(args=args).get()
            else:
                # By name, so the task's own options do not apply: name its
                # priority, and that nobody reads its result (else the result
                # backend subscribes to a channel for every task sent).
                self.app.send_task(
                    task, args=args, priority=PRIORITIES.get(task), ignore_result=True
                )
        except OperationalError as exc:
            raise PortError("queue", f"broker unreachable: {exc}") from exc

    def ping(self, timeout: float = 10.0) -> str:
        payload = uuid.uuid4().hex
        try:
            if self.app.conf.task_always_eager:
                # send_task bypasses eager mode; run the registered task inline.
                result = self.app.tasks[PING].apply(args=(payload,)).get()
            else:
                result = self.app.send_task(PING, args=[payload]).get(timeout=timeout)
        except CeleryTimeout as exc:
            raise PortError("queue", f"no worker answered within {timeout}s") from exc
        except OperationalError as exc:
            raise PortError("queue", f"broker unreachable: {exc}") from exc
        if result.get("pong") != payload:
            raise PortError("queue", f"worker answered {result!r}, not our ping")
        return str(result["worker"])

    def check(self) -> str:
        if self.app.conf.task_always_eager:
            return "in-process (no broker configured)"
        try:
            with self.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
                return f"celery {conn.as_uri()}"
        except (OperationalError, OSError) as exc:
            raise PortError("queue", f"broker unreachable: {exc}") from exc
