# SPDX-License-Identifier: EUPL-1.2
"""Moments as people give them: a date means the end of that day in the Netherlands."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from archief.clock import AMSTERDAM
from archief.errors import ArchiefError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class OngeldigMoment(ArchiefError):
    code = "invalid_as_of"
    status = 422
    title = "Ongeldig moment"


def aware(moment: datetime) -> datetime:
    """A moment without an offset is Dutch local time (what a clerk types)."""
    return moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment


def end_of_day(day: date) -> datetime:
    """The last microsecond of `day` in Europe/Amsterdam (DST-safe: midnight next day minus 1µs)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=AMSTERDAM) - timedelta(
        microseconds=1
    )


def parse_as_of(text: str, now: datetime) -> datetime:
    """`2024-03-01` (end of that day, or now if that is today) or an ISO date-time; never future.

    Today's date means "up to now": the end of today has not happened yet,
    and a reconstruction may only show what has.
    """
    text = text.strip()
    try:
        if _DATE.match(text):
            moment = end_of_day(date.fromisoformat(text))
            if moment > now and date.fromisoformat(text) == now.astimezone(AMSTERDAM).date():
                return now
        else:
            moment = aware(datetime.fromisoformat(text))
    except ValueError as exc:
        raise OngeldigMoment(
            f"as_of {text!r} is neither a date (2024-03-01) nor an ISO date-time "
            "(2024-03-01T14:30:00+01:00)"
        ) from exc
    if moment > now:
        raise OngeldigMoment(
            f"as_of {text!r} lies in the future; a reconstruction shows what has happened"
        )
    return moment


def shown(moment: datetime) -> str:
    """A moment as the report shows it: Dutch local time with its offset."""
    return moment.astimezone(AMSTERDAM).isoformat(timespec="seconds")
