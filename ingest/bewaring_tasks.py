# SPDX-License-Identifier: EUPL-1.2
"""Scheduled retention work on the Celery app: the fixity check and due destruction.

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

from archief.settings import Settings
from ingest.priorities import SCHEDULED_PRIORITY

if TYPE_CHECKING:
    from ingest.worker import ArchiefCelery

TASK_FIXITEIT = "archief.bewaring.fixiteit"
TASK_VERNIETIGING = "archief.bewaring.vernietiging"
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
        # Imported here, as the tasks run: every process that builds the
        # Celery app (each CLI command, the API) would otherwise load the
        # retention stack at start, about a tenth of a second.
        from archief.bewaring.fixiteit import check  # noqa: PLC0415

        cfg = app.settings.bewaring.fixiteit
        report = check(
            app.container(),
            limit=cfg.limiet,
            older_than=timedelta(days=cfg.ouder_dan_dagen),
            webhook_url=cfg.webhook_url,
        )
        return {**report.counts(), "afwijkingen": len(report.afwijkingen)}

    # Approved lists whose cooling-off period is over are executed by the
    # archive itself, in the night, as Open Archiefbeheer plans them.
    @app.task(name=TASK_VERNIETIGING, shared=False, acks_late=False)
    def vernietiging() -> dict[str, int]:
        from archief.audit.chain import SYSTEEM  # noqa: PLC0415
        from archief.bewaring.vernietiging import due, uitvoering, verklaring  # noqa: PLC0415

        container = app.container()
        done: dict[str, int] = {}
        for lijst_id in due(container):
            row, telling = uitvoering.voer_uit(
                container,
                lijst_id,
                actor=SYSTEEM,
                verklaar=lambda lst, t: verklaring.archiveer(container, SYSTEEM, lst, t),
            )
            done[row.kenmerk] = telling.vernietigd
        return done

    app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **beat_schedule(app.settings)}


def crontab_of(cron: str) -> crontab:
    # The settings refuse anything but five fields.
    minute, hour, day_of_month, month_of_year, day_of_week = cron.split()
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """The beat entries: fixity (`bewaring.fixiteit.cron`), destruction (`.vernietiging.cron`)."""
    return {
        "bewaring-fixiteit": {
            "task": TASK_FIXITEIT,
            "schedule": crontab_of(settings.bewaring.fixiteit.cron),
            "options": {"expires": EXPIRES_SECONDS, "priority": SCHEDULED_PRIORITY},
        },
        "bewaring-vernietiging": {
            "task": TASK_VERNIETIGING,
            "schedule": crontab_of(settings.bewaring.vernietiging.cron),
            "options": {"expires": EXPIRES_SECONDS, "priority": SCHEDULED_PRIORITY},
        },
    }
