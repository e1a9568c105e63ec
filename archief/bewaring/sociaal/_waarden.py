# SPDX-License-Identifier: EUPL-1.2
"""Typed reads from parsed JSON whose shape nobody promised."""

from __future__ import annotations

from typing import Any


def dict_(value: object) -> dict[str, Any]:
    """Return `value` if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def dicts(value: object) -> list[dict[str, Any]]:
    """Return the objects in `value` (a list, or one object standing for a list of one)."""
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def str_(value: object) -> str | None:
    """Return `value` if it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def int_(value: object) -> int:
    """Return `value` as an integer (numbers or digit strings), else 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 20:
        return int(value)
    return 0


def link(value: object) -> str | None:
    """Return the URI an ActivityStreams property points at (string, Link or object, or a list)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        return str_(value.get("href")) or str_(value.get("id"))
    if isinstance(value, list):
        for item in value:
            found = link(item)
            if found:
                return found
    return None
