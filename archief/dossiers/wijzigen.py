# SPDX-License-Identifier: EUPL-1.2
"""Changing a dossier's metadata: each change a new version, audited.

Only callers who may add records to the dossier (its own afdeling, by the
policy's write grants) may change it; a caller who cannot see the dossier
gets 404, one who can see but not write gets 403.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor
from archief.bewaring import categorie, selectielijst
from archief.catalog.models import Afdeling, Dossier, DossierVersie
from archief.clock import AMSTERDAM
from archief.errors import Forbidden, NotFound
from archief.toegang.access import Access, visible_dossiers
from archief.toegang.deps import CurrentAccess
from archief.versies import dossier_changed, dossier_state

router = APIRouter(prefix="/dossiers", tags=["dossiers"])


class DossierPatch(BaseModel):
    model_config = {"extra": "forbid"}

    titel: str | None = Field(default=None, min_length=1, max_length=500)
    # afgesloten: the matter is done; retention counts from here.
    status: Literal["open", "afgesloten"] | None = None


class DossierVersieOut(BaseModel):
    versie: int
    at: datetime
    door: str
    actie: str
    kenmerk: str
    titel: str
    afdeling: str
    wijken: list[str]
    status: str
    categorie: str | None
    afgehandeld_op: date | None


def _allowed(session: Session, access: Access, dossier_id: str, act: str) -> bool:
    if act == "read":
        return bool(visible_dossiers(session, access, [dossier_id]))
    query = (
        select(Dossier.id)
        .join(Afdeling, Dossier.afdeling == Afdeling.code)
        .where(Dossier.id == dossier_id, access.dossier_filter(act))
    )
    return session.scalar(query) is not None


def _require(session: Session, access: Access, dossier_id: str, act: str) -> Dossier:
    dossier = session.get(Dossier, dossier_id, with_for_update=act == "write")
    if dossier is None or not _allowed(session, access, dossier_id, "read"):
        raise NotFound(f"no dossier {dossier_id}")
    if act == "write" and not _allowed(session, access, dossier_id, "write"):
        raise Forbidden(f"you may not change dossier {dossier.kenmerk}")
    return dossier


@router.patch("/{dossier_id}")
def change(
    request: Request, access: CurrentAccess, dossier_id: str, body: DossierPatch
) -> DossierVersieOut:
    """Retitle, close or reopen a dossier; answers the new version."""
    container = request.app.state.container
    with container.sessions.begin() as session:
        dossier = _require(session, access, dossier_id, "write")
        voor = dossier_state(dossier)
        if body.titel is not None:
            dossier.titel = body.titel.strip()
        if body.status is not None and body.status != dossier.status:
            dossier.status = body.status
            # Closing sets the brondatum most selectielijst categories count
            # from (afleidingswijze "afgehandeld"); reopening clears it.
            now = container.clock.now().astimezone(AMSTERDAM)
            dossier.afgehandeld_op = now.date() if body.status == "afgesloten" else None
        session.flush()
        actor, now = Actor.of(access.subject), container.clock.now()
        dossier_changed(session, dossier, voor, actor=actor, at=now)
        if dossier.afgehandeld_op != voor["afgehandeld_op"]:
            # The brondatum moved: every record's archiefactiedatum follows.
            categorie.derive_dossier(session, dossier, selectielijst.default(), actor=actor, at=now)
        latest = session.scalars(
            select(DossierVersie)
            .where(DossierVersie.dossier_id == dossier_id)
            .order_by(DossierVersie.versie.desc())
            .limit(1)
        ).one()
        return _out(latest)


def _out(v: DossierVersie) -> DossierVersieOut:
    return DossierVersieOut(
        versie=v.versie,
        at=v.at,
        door=v.door,
        actie=v.actie,
        kenmerk=v.kenmerk,
        titel=v.titel,
        afdeling=v.afdeling,
        wijken=list(v.wijken or []),
        status=v.status,
        categorie=v.categorie,
        afgehandeld_op=v.afgehandeld_op,
    )


@router.get("/{dossier_id}/versies")
def versions(request: Request, access: CurrentAccess, dossier_id: str) -> list[DossierVersieOut]:
    """Every state the dossier's own metadata has been in."""
    with request.app.state.container.sessions() as session:
        _require(session, access, dossier_id, "read")
        rows = session.scalars(
            select(DossierVersie)
            .where(DossierVersie.dossier_id == dossier_id)
            .order_by(DossierVersie.versie)
        )
        return [_out(v) for v in rows]
