# SPDX-License-Identifier: EUPL-1.2
"""Parse the date forms the platforms use into aware UTC datetimes, or None."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

# Parsed by hand: strptime's %a and %b follow the process locale.
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_TWITTER = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2}) "
    r"([+-])(\d{2})(\d{2}) (\d{4})"
)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))"
)


def twitter(value: object) -> datetime | None:
    """Parse "Wed Oct 10 20:19:24 +0000 2018"."""
    if not isinstance(value, str):
        return None
    m = _TWITTER.fullmatch(value.strip())
    if not m or m[1] not in _MONTHS:
        return None
    month, day, hh, mm, ss, sign, oh, om, year = m.groups()
    offset = timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == "-" else 1)
    try:
        moment = datetime(
            int(year), _MONTHS[month], int(day), int(hh), int(mm), int(ss), tzinfo=timezone(offset)
        )
    except ValueError:
        return None
    return moment.astimezone(UTC)


def iso(value: object) -> datetime | None:
    """Parse an RFC 3339 timestamp; one without a zone is refused, not guessed."""
    if not isinstance(value, str):
        return None
    m = _ISO.fullmatch(value.strip())
    if not m:
        return None
    year, month, day, hh, mm, ss, frac, zulu, sign, oh, om = m.groups()
    if zulu:
        tz = UTC
    else:
        offset = timedelta(hours=int(oh), minutes=int(om))
        tz = timezone(-offset if sign == "-" else offset)
    micro = int((frac or ".0")[1:7].ljust(6, "0"))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hh), int(mm), int(ss), micro, tzinfo=tz
        )
    except ValueError:
        return None
    return moment.astimezone(UTC)


def rfc822(value: object) -> datetime | None:
    """Parse an RSS pubDate ("Tue, 10 Jun 2003 04:00:00 GMT")."""
    if not isinstance(value, str):
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        # RFC 5322 "-0000" means UTC with unknown local zone.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def epoch(value: object) -> datetime | None:
    """Parse Unix seconds, as Facebook exports them."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
