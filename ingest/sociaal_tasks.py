# SPDX-License-Identifier: EUPL-1.2
"""Scheduled social media capture on the Celery app: poll every followed account.

`register` adds the task to an app and, when accounts are configured
(`bewaring.sociaal.accounts`), a beat entry on `bewaring.sociaal.cron`;
the schedule only fires where a beat process runs (`archief worker
--beat`). Each run polls each account's outbox once and files the new
posts (archief.bewaring.sociaal.volgen); an account that fails is logged
and named in the result, and the others still run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from celery.schedules import crontab

from archief.settings import Settings
from ingest.priorities import SCHEDULED_PRIORITY

if TYPE_CHECKING:
    from archief.bewaring.sociaal.archiveren import Poorten
    from ingest.worker import ArchiefCelery

TASK_SOCIAAL = "archief.bewaring.sociaal.volg"


def volg_alle(poorten: Poorten, settings: Settings) -> list[dict[str, Any]]:
    """Poll every followed account once; what the scheduled task runs."""
    # Imported here, as the task runs: the capture stack would otherwise load
    # in every process that builds the Celery app (each CLI command, the API).
    from archief.bewaring.sociaal.volgen import volg_accounts  # noqa: PLC0415

    return volg_accounts(poorten, settings.bewaring.sociaal)


def register(app: ArchiefCelery) -> None:
    """Add the capture task to `app` and its beat entry to the schedule."""

    # acks_late off: a poll lost with its worker is simply the next poll's
    # work; a redelivered one would only find everything filed already.
    @app.task(name=TASK_SOCIAAL, shared=False, acks_late=False)
    def volg() -> list[dict[str, Any]]:
        return volg_alle(app.container(), app.settings)

    if app.settings.bewaring.sociaal.accounts:
        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **beat_schedule(app.settings)}


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """The beat entry for the capture task, from `bewaring.sociaal.cron`."""
    # SociaalSettings refuses anything but five fields.
    minute, hour, day_of_month, month_of_year, day_of_week = settings.bewaring.sociaal.cron.split()
    return {
        "bewaring-sociaal": {
            "task": TASK_SOCIAAL,
            "schedule": crontab(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month_of_year,
                day_of_week=day_of_week,
            ),
            # A poll that could not start before the next one is superseded by it.
            "options": {"expires": 600, "priority": SCHEDULED_PRIORITY},
        }
    }
