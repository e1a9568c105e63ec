# SPDX-License-Identifier: EUPL-1.2
"""Server-rendered public pages under /publiek."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/publiek", tags=["publiek"], include_in_schema=False)
