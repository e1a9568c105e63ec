# SPDX-License-Identifier: EUPL-1.2
"""HTTP endpoints for records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from archief.errors import PortError
from archief.records import PUBLIC_FILTER
from archief.records.schemas import SearchHitOut, SearchOut

router = APIRouter(tags=["records"])


@router.get("/search")
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Zoektekst")],
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> SearchOut:
    """Search the records the caller may see; hits name their pages."""
    index = request.app.state.container.index
    if index is None:
        raise PortError("search", "no search index configured (ARCHIEF_SEARCH__URL)")
    result = await run_in_threadpool(
        index.search, q, filters=[PUBLIC_FILTER], size=size, offset=offset
    )
    return SearchOut(
        total=result.total,
        hits=[
            SearchHitOut(
                record_id=h.record_id,
                dossier_id=h.dossier_id,
                title=h.title,
                score=h.score,
                pages=list(h.pages),
                highlights=list(h.highlights),
            )
            for h in result.hits
        ],
    )
