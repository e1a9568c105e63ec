# SPDX-License-Identifier: EUPL-1.2
"""Request and response bodies of the grant and reconstruction endpoints."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from archief.catalog.models import Machtiging
from archief.reconstructie.machtiging import status
from archief.reconstructie.tijd import aware


class Formaat(StrEnum):
    html = "html"
    json = "json"


class MachtigingIn(BaseModel):
    ombudsman: str = Field(
        min_length=1, max_length=255, description="Subject id as the API sees it: oidc:<sub>"
    )
    dossier: str = Field(min_length=1, max_length=64, description="Dossier kenmerk or id")
    zaak: str = Field(min_length=1, max_length=255, description="The complaint reference")
    reden: str = Field(min_length=1, max_length=2000)
    geldig_van: datetime | None = Field(default=None, description="Default: now")
    geldig_tot: datetime = Field(description="Exclusive; at most 90 days after geldig_van")


class MachtigingOut(BaseModel):
    id: str
    ombudsman: str
    dossier_id: str
    zaak: str
    reden: str
    geldig_van: datetime
    geldig_tot: datetime
    verleend_door: str
    created_at: datetime
    ingetrokken_at: datetime | None
    ingetrokken_door: str | None
    status: str = Field(description="actief, nog_niet_geldig, verlopen or ingetrokken")

    @classmethod
    def of(cls, grant: Machtiging, now: datetime) -> MachtigingOut:
        return cls(
            id=grant.id,
            ombudsman=grant.ombudsman,
            dossier_id=grant.dossier_id,
            zaak=grant.zaak,
            reden=grant.reden,
            geldig_van=aware(grant.geldig_van),
            geldig_tot=aware(grant.geldig_tot),
            verleend_door=grant.verleend_door,
            created_at=grant.created_at,
            ingetrokken_at=grant.ingetrokken_at,
            ingetrokken_door=grant.ingetrokken_door,
            status=status(grant, now),
        )
