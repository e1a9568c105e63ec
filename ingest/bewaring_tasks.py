# SPDX-License-Identifier: EUPL-1.2
"""Scheduled retention work on the Celery app: the daily fixity check.

`register` adds the task to an app and a beat entry to its schedule; the
schedule only fires where a beat process runs (`celery beat`, or a worker
started with `--beat`). Each run checks the originals that are due (not
checked for `ouder_dan_dagen`), at most `limiet` of them, carrying on where
the previous run stopped (see archief.bewaring.fixiteit).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from celery.schedules import crontab

from archief.bewaring.fixiteit import check
from archief.settings import Settings

if TYPE_CHECKING:
    from ingest.worker import ArchiefCelery

TASK_FIXITEIT = "archief.bewaring.fixiteit"
# A run that could not start within a day is superseded by the next one.
EXPIRES_SECONDS = 23 * 3600


def register(app: ArchiefCelery) -> None:
    """Add the fixity task to `app` and its beat entry to the schedule."""

    # acks_late off: a worker lost mid-run is not worth a redelivery that
    # starts the whole run again; the next scheduled run carries on from the
    # last summary. A run longer than the broker's visibility timeout would
    # otherwise be handed out twice.
    @app.task(name=TASK_FIXITEIT, shared=False, acks_late=False)
    def fixiteit() -> dict[str, int]:
        cfg = app.settings.bewaring.fixiteit
        report = check(
            app.container(),
            limit=cfg.limiet,
            older_than=timedelta(days=cfg.ouder_dan_dagen),
            webhook_url=cfg.webhook_url,
        )
        return {**report.counts(), "afwijkingen": len(report.afwijkingen)}

    app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **beat_schedule(app.settings)}


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """The beat entry for the fixity check, from `bewaring.fixiteit.cron`."""
    # FixiteitSettings refuses anything but five fields.
    minute, hour, day_of_month, month_of_year, day_of_week = settings.bewaring.fixiteit.cron.split()
    return {
        "bewaring-fixiteit": {
            "task": TASK_FIXITEIT,
            "schedule": crontab(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month_of_year,
                day_of_week=day_of_week,
            ),
            "options": {"expires": EXPIRES_SECONDS},
        }
    }
