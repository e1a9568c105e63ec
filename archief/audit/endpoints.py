# SPDX-License-Identifier: EUPL-1.2
"""HTTP endpoints (being built)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["audit"])
