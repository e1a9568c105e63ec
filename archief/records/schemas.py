# SPDX-License-Identifier: EUPL-1.2
"""Request and response bodies for records."""

from __future__ import annotations

from pydantic import BaseModel


class SearchHitOut(BaseModel):
    record_id: str
    dossier_id: str
    title: str
    score: float
    pages: list[int]
    highlights: list[str]


class SearchOut(BaseModel):
    total: int
    hits: list[SearchHitOut]
