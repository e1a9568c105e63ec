# SPDX-License-Identifier: EUPL-1.2
"""HTTP endpoints for vernietiging."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["bewaring"])
