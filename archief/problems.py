# SPDX-License-Identifier: EUPL-1.2
"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from archief.catalog.db import unavailable
from archief.errors import ArchiefError

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://archief.example/problems/"  # stable identifiers, not fetched
log = structlog.get_logger(__name__)


def problem(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _plain(value: object) -> bool:
    """Extras that are safe to put in a problem body: scalars and lists of strings."""
    if isinstance(value, str | int | float | bool):
        return True
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into problem+json."""

    @app.exception_handler(ArchiefError)
    async def archief_error(request: Request, exc: ArchiefError) -> JSONResponse:
        if exc.status >= 500:
            log.error("api.error", code=exc.code, path=request.url.path, detail=exc.detail)
        return problem(
            request,
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            # RFC 6750: a rejected bearer token is answered with a challenge.
            headers={"WWW-Authenticate": f'Bearer error="{exc.code}"'}
            if exc.status == 401
            else None,
            **{k: v for k, v in exc.extra.items() if _plain(v)},
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        params = [
            {"name": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in exc.errors()
        ]
        return problem(
            request,
            status=422,
            code="invalid",
            title="Ongeldige invoer",
            detail="The request has invalid parameters.",
            invalid_params=params,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem(
            request,
            status=exc.status_code,
            code=code,
            title=str(exc.detail),
            detail=str(exc.detail),
        )

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        # The catalog restarting or a deadlock is a service away for a moment
        # (503, try again), not a fault of ours to log as one.
        away = unavailable(exc)
        if away is None:
            return await unexpected(request, exc)
        return await archief_error(request, away)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the log; the client gets no internals.
        log.error("api.unhandled", path=request.url.path, exc_info=exc)
        return problem(
            request,
            status=500,
            code="internal_error",
            title="Interne fout",
            detail="Something went wrong on our side; it has been logged.",
        )
