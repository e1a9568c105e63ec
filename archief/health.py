# SPDX-License-Identifier: EUPL-1.2
"""Liveness and readiness."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from archief.errors import PortError

router = APIRouter(prefix="/health", tags=["health"])


def run_checks(checks: dict[str, Callable[[], str] | None]) -> tuple[bool, dict[str, Any]]:
    """Run every check; report each service as ok, disabled or failing with a reason."""
    report: dict[str, Any] = {}
    ready = True
    for name, check in checks.items():
        if check is None:
            report[name] = {"status": "disabled"}
            continue
        try:
            report[name] = {"status": "ok", "detail": check()}
        except PortError as exc:
            ready = False
            report[name] = {"status": "failing", "detail": exc.detail}
    return ready, report


@router.get("/live")
async def live() -> dict[str, str]:
    """The process is up; says nothing about its dependencies."""
    return {"status": "ok"}


@router.get("/ready")
async def ready(request: Request) -> JSONResponse:
    """Every configured dependency answers."""
    ok, report = await run_in_threadpool(run_checks, request.app.state.container.checks())
    return JSONResponse(
        {"status": "ok" if ok else "failing", "checks": report}, status_code=200 if ok else 503
    )
