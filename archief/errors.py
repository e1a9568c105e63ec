# SPDX-License-Identifier: EUPL-1.2
"""Errors with a stable code, rendered as RFC 9457 problem details by the API."""

from __future__ import annotations

from typing import Any


class ArchiefError(Exception):
    """Base of every error archief raises on purpose.

    `code` is stable and what clients and tests match on; the message is for
    people and may change.
    """

    code = "archief_error"
    status = 500
    title = "Interne fout"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class PortError(ArchiefError):
    """A backing service (database, store, index, queue, OCR) failed or is unreachable."""

    code = "service_unavailable"
    status = 503
    title = "Dienst niet beschikbaar"

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(f"{service}: {detail}", service=service)
        self.service = service


class NotFound(ArchiefError):
    code = "not_found"
    status = 404
    title = "Niet gevonden"


class IntegrityError(ArchiefError):
    """Content did not match the checksum it was stored or announced under."""

    code = "integrity_error"
    status = 422
    title = "Controlegetal klopt niet"


class Forbidden(ArchiefError):
    """The caller may see the object but not do this to it."""

    code = "forbidden"
    status = 403
    title = "Geen toegang"
