# SPDX-License-Identifier: EUPL-1.2
"""Index mappings are data files; this module only loads them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "mappings"


@cache
def load(name: str) -> dict[str, Any]:
    """Return the settings and mappings of index `name` (search/mappings/NAME.json)."""
    data: dict[str, Any] = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    return data
