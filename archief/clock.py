# SPDX-License-Identifier: EUPL-1.2
"""Time comes from a port so that tests and reconstruction can fix it."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
