# SPDX-License-Identifier: EUPL-1.2
"""How every public response leaves: security headers, caching, and HTML errors.

`PubliekRoute` wraps each handler under /publiek, so no page can forget a
header:

- Content-Security-Policy without inline scripts (there are no scripts at
  all) and framing denied; only the widget sets its own policy, which
  allows framing from anywhere and its one inline style by hash.
- X-Content-Type-Options and Referrer-Policy.
- `Cache-Control: public, no-cache` with an ETag: caches may keep a copy
  but must ask again every time, so a withdrawal is never hidden behind a
  copy (ours or anyone's); an unchanged page costs a 304.
- A missing or hidden page is one and the same HTML 404.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from archief.errors import NotFound
from archief.publiek.weergave import render

log = structlog.get_logger(__name__)

PAGINA_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
VEILIG = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# Stored, but revalidated on every use: see the module docstring.
OPNIEUW_VRAGEN = "public, no-cache"
LANG_BEWAREN = "public, max-age=31536000, immutable"
HTML = "text/html; charset=utf-8"


def widget_csp(style: str) -> str:
    """The widget's policy: framable from anywhere, its one <style> allowed by hash."""
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'self'; form-action 'none'; "
        "base-uri 'none'; frame-ancestors *"
    )


def html(body: str, *, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type=HTML, headers=headers)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(
        tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted for tag in header.split(",")
    )


def afwerken(request: Request, response: Response) -> Response:
    """Add the public headers; answer 304 when the client's copy is still right."""
    headers = response.headers
    if "content-security-policy" not in headers:
        headers["Content-Security-Policy"] = PAGINA_CSP
        headers["X-Frame-Options"] = "DENY"
    for name, value in VEILIG.items():
        headers[name] = value
    if "cache-control" not in headers:
        headers["Cache-Control"] = OPNIEUW_VRAGEN if response.status_code == 200 else "no-store"
    if response.status_code != 200:
        return response
    body = getattr(response, "body", None)
    if "etag" not in headers and isinstance(body, bytes):
        headers["ETag"] = _etag(body)
    etag = headers.get("etag")
    if etag and _matches(request.headers.get("if-none-match"), etag):
        keep = {k: v for k, v in headers.items() if k not in ("content-length", "content-type")}
        return Response(status_code=304, headers=keep)
    return response


def niet_gevonden(request: Request) -> Response:
    """The one 404 page: a hidden dossier and a missing one look exactly alike."""
    settings = request.app.state.container.settings.publiek
    body = render("niet_gevonden.html", organisatie=settings.organisatie)
    return html(body, status=404)


def ongeldig(request: Request) -> Response:
    settings = request.app.state.container.settings.publiek
    body = render("ongeldig.html", organisatie=settings.organisatie)
    return html(body, status=400)


class PubliekRoute(APIRoute):
    """A route under /publiek: HTML errors and the public headers on every response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except NotFound:
                response = niet_gevonden(request)
            except RequestValidationError:
                response = ongeldig(request)
            return afwerken(request, response)

        return handler
