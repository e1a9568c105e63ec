# SPDX-License-Identifier: EUPL-1.2
"""Sample documents for the demo: Dutch texts written for archief, not real cases."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"
