# SPDX-License-Identifier: EUPL-1.2
"""Scheduled recovery: content that failed while a service was away is read again.

A service that stays away past a task's retries (about five minutes: an
index upgrade, a store restart) fails the content without quarantining it,
since its bytes were never the problem (ingest.worker). Where a beat runs,
this hands such content on again every `ingest.herstel_cron`, once it has
rested `ingest.herstel_na_seconds` since the failure, until it has been
tried `ingest.herstel_max_attempts` times in all: a service away for a
night does not leave a morning of failed uploads, and one that never comes
back is not hammered for ever. `archief resume` does the same by hand, and
also hands on stored and stuck content, which this leaves alone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import structlog

from archief.ports import TASK_EXTRACT
from archief.settings import Settings
from ingest.bewaring_tasks import crontab_of
from ingest.priorities import SCHEDULED_PRIORITY

if TYPE_CHECKING:
    from ingest.worker import ArchiefCelery

TASK_HERSTEL = "archief.ingest.herstel"
# Handed on per run at most: a long outage is worked off over a few runs
# instead of flooding the queue ahead of new uploads.
PER_RUN = 500
# A run that could not start within the hour is dropped: later runs do its work.
EXPIRES_SECONDS = 3600
log = structlog.get_logger(__name__)


def register(app: ArchiefCelery) -> None:
    """Add the recovery task to `app` and its beat entry to the schedule."""

    # acks_late off: a run lost with its worker is simply the next run's work.
    @app.task(name=TASK_HERSTEL, shared=False, acks_late=False)
    def herstel() -> int:
        from archief.intake.repository import herstelbaar  # noqa: PLC0415

        container = app.container()
        cfg = app.settings.ingest
        rested = container.clock.now() - timedelta(seconds=cfg.herstel_na_seconds)
        with container.sessions() as session:
            todo = herstelbaar(session, rested, cfg.herstel_max_attempts, PER_RUN)
        for sha in todo:
            container.queue.enqueue(TASK_EXTRACT, sha)
        if todo:
            log.info("ingest.herstel", handed_on=len(todo))
        return len(todo)

    app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **beat_schedule(app.settings)}


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """The beat entry: recovery (`ingest.herstel_cron`)."""
    return {
        "ingest-herstel": {
            "task": TASK_HERSTEL,
            "schedule": crontab_of(settings.ingest.herstel_cron),
            "options": {"expires": EXPIRES_SECONDS, "priority": SCHEDULED_PRIORITY},
        },
    }
