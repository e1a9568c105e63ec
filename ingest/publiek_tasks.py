# SPDX-License-Identifier: EUPL-1.2
"""The rappelsysteem on the Celery app: remind officials of public dossiers going stale.

`register` adds the task and its beat entry (`rappel.cron`); the entry only
fires where a beat process runs. A run mails each overdue dossier's
official at most once per review interval (archief.publiek.rappel).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archief.settings import Settings
from ingest.bewaring_tasks import crontab_of
from ingest.priorities import SCHEDULED_PRIORITY

if TYPE_CHECKING:
    from ingest.worker import ArchiefCelery

TASK_RAPPEL = "archief.publiek.rappel"
# A run that could not start within a few hours is superseded by the next one.
EXPIRES_SECONDS = 6 * 3600


def register(app: ArchiefCelery) -> None:
    """Add the reminder task to `app` and its beat entry to the schedule."""

    @app.task(name=TASK_RAPPEL, shared=False, acks_late=False)
    def rappel() -> dict[str, int]:
        # Imported here: it pulls in the web stack, which every process that
        # builds the Celery app (the CLI too) would otherwise load at start.
        from archief.publiek.rappel import stuur_rappels  # noqa: PLC0415

        return stuur_rappels(app.container())

    app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **beat_schedule(app.settings)}


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """The beat entry: reminders (`rappel.cron`)."""
    return {
        "publiek-rappel": {
            "task": TASK_RAPPEL,
            "schedule": crontab_of(settings.rappel.cron),
            "options": {"expires": EXPIRES_SECONDS, "priority": SCHEDULED_PRIORITY},
        },
    }
