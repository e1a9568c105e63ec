# SPDX-License-Identifier: EUPL-1.2
"""Time comes from a port so that tests and reconstruction can fix it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# The municipality's own days: dates people see and type are Dutch dates.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
