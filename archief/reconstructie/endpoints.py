# SPDX-License-Identifier: EUPL-1.2
"""Case grants and reconstruction over HTTP.

- `POST /machtigingen`, `DELETE /machtigingen/{id}`, `GET /machtigingen`:
  granting needs system action `machtiging_verlenen`; an ombudsman lists
  their own grants.
- `GET /dossiers/{id}?as_of=` (in `archief.dossiers.endpoints`, delegating
  to `as_json`) and `GET /dossiers/{id}/reconstructie?as_of=&format=`:
  system action `reconstrueren` plus an active grant for this dossier;
  every use is in the audit trail before the answer leaves.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from archief.audit.chain import Actor
from archief.errors import Forbidden
from archief.reconstructie import machtiging, report, service
from archief.reconstructie.schemas import Formaat, MachtigingIn, MachtigingOut
from archief.reconstructie.tijd import parse_as_of
from archief.toegang.access import Access
from archief.toegang.deps import CurrentAccess

router = APIRouter(tags=["reconstructie"])

AsOf = Annotated[
    str,
    Query(
        min_length=10,
        max_length=64,
        description="ISO date-time, or a date (the end of that day, Europe/Amsterdam); "
        "not in the future",
    ),
]


@router.post("/machtigingen", status_code=201)
def grant(request: Request, access: CurrentAccess, body: MachtigingIn) -> MachtigingOut:
    """Grant an ombudsman reconstruction of one dossier for one complaint (at most 90 days)."""
    access.require_system("machtiging_verlenen")
    container = request.app.state.container
    now = container.clock.now()
    with container.sessions.begin() as session:
        row = machtiging.verleen(
            session,
            by=Actor.of(access.subject),
            ombudsman=body.ombudsman,
            dossier=body.dossier,
            zaak=body.zaak,
            reden=body.reden,
            geldig_van=body.geldig_van,
            geldig_tot=body.geldig_tot,
            now=now,
        )
        return MachtigingOut.of(row, now)


@router.delete("/machtigingen/{grant_id}")
def revoke(request: Request, access: CurrentAccess, grant_id: str) -> MachtigingOut:
    """Revoke a grant from now on; it stays listed, marked ingetrokken."""
    access.require_system("machtiging_verlenen")
    container = request.app.state.container
    now = container.clock.now()
    with container.sessions.begin() as session:
        row = machtiging.trek_in(session, grant_id, by=Actor.of(access.subject), now=now)
        return MachtigingOut.of(row, now)


@router.get("/machtigingen")
def list_grants(
    request: Request,
    access: CurrentAccess,
    dossier: Annotated[str | None, Query(max_length=36, description="dossier id")] = None,
) -> list[MachtigingOut]:
    """Every grant for those who grant; an ombudsman sees their own."""
    if access.may("machtiging_verlenen"):
        ombudsman = None
    elif access.may("reconstrueren"):
        ombudsman = access.subject.id
    else:
        raise Forbidden(f"your roles ({', '.join(access.subject.rollen)}) may not list grants")
    container = request.app.state.container
    now = container.clock.now()
    with container.sessions() as session:
        rows = machtiging.lijst(session, ombudsman=ombudsman, dossier_id=dossier)
        return [MachtigingOut.of(row, now) for row in rows]


def _rapport(
    request: Request, access: Access, dossier_id: str, as_of: str, *, via: str, fmt: str
) -> service.Rapport:
    container = request.app.state.container
    now = container.clock.now()
    moment = parse_as_of(as_of, now)
    with container.sessions() as session:
        allowed = service.authorise(session, access, dossier_id, now)
    return service.produce(
        container.sessions,
        container.clock.now,
        dossier_id=dossier_id,
        as_of=moment,
        grant=allowed,
        actor=Actor.of(access.subject),
        via=via,
        fmt=fmt,
    )


def as_json(request: Request, access: Access, dossier_id: str, as_of: str) -> JSONResponse:
    """GET /dossiers/{id}?as_of=: the reconstruction as JSON (audited)."""
    rapport = _rapport(request, access, dossier_id, as_of, via="api", fmt="json")
    return JSONResponse(rapport.as_json(), headers={"Cache-Control": "no-store"})


@router.get(
    "/dossiers/{dossier_id}/reconstructie",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/json": {}}}},
)
def export(
    request: Request,
    access: CurrentAccess,
    dossier_id: str,
    as_of: AsOf,
    format: Annotated[Formaat, Query()] = Formaat.html,  # the public parameter name
) -> Response:
    """The reconstruction as one self-contained file to keep with the complaint (audited)."""
    rapport = _rapport(request, access, dossier_id, as_of, via="export", fmt=format.value)
    if format is Formaat.html:
        body, media_type = report.html(rapport).encode(), "text/html; charset=utf-8"
    else:
        body = service.export_bytes(rapport)
        media_type = "application/json"
    name = report.filename(rapport, format.value)
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
