# SPDX-License-Identifier: EUPL-1.2
"""What the besluiten API takes and gives."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from archief.besluiten.flow import STAPPEN

# The step kinds a client may send (`opgesteld` is written by creation itself).
SOORTEN = tuple(s.soort for s in STAPPEN)


class BesluitIn(BaseModel):
    dossier: str = Field(min_length=1, max_length=64, description="The dossier's kenmerk")
    onderwerp: str = Field(min_length=1, max_length=2000)
    nota: str = Field(min_length=1, max_length=36, description="The memo: a record id")
    kenmerk: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
        description="Default: the next BN-<year>-NNNN",
    )
    steller_naam: str | None = Field(
        default=None, min_length=1, max_length=255, description="Default: the name in your token"
    )
    datum: datetime | None = Field(
        default=None, description="When the memo was drafted (default now; naive = Dutch time)"
    )
    toelichting: str = Field(default="", max_length=10_000)


class StapIn(BaseModel):
    soort: str = Field(min_length=1, max_length=32, description=f"One of {', '.join(SOORTEN)}")
    uitkomst: str | None = Field(default=None, max_length=32)
    datum: datetime | None = Field(
        default=None,
        description="When it happened (default now; not in the future, not before the step "
        "before it; naive = Dutch time)",
    )
    toelichting: str = Field(default="", max_length=10_000)
    records: list[str] = Field(default_factory=list, max_length=100)


class RecordRef(BaseModel):
    id: str
    titel: str
    laag: str
    url: str


class DossierRef(BaseModel):
    id: str
    kenmerk: str
    titel: str


class BesluitRef(BaseModel):
    id: str
    kenmerk: str
    onderwerp: str
    url: str


class StapOut(BaseModel):
    id: str
    soort: str
    titel: str
    uitkomst: str | None
    datum: datetime
    vastgelegd: datetime = Field(description="When archief recorded the step")
    actor: str
    actor_naam: str
    toelichting: str
    laag: str = Field(description="The layer whose readers see this step")
    fase: str = Field(description="Where the besluit stood after this step")
    records: list[RecordRef] = Field(description="Linked records you may read")


class BesluitOut(BaseModel):
    id: str
    kenmerk: str
    onderwerp: str
    dossier: DossierRef
    steller: str
    steller_naam: str
    nota: RecordRef | None = Field(description="The memo, if you may read it")
    fase: str = Field(description="Where the besluit stands, as far as you can see")
    volgende: list[str] = Field(
        description="Steps that may come next (empty unless you see the newest step)"
    )
    stappen: list[StapOut]
    links: dict[str, str]


class StapAntwoord(BaseModel):
    besluit: BesluitRef
    stap: StapOut
    fase: str
    volgende: list[str]


class TijdlijnEvent(BaseModel):
    """One event on a dossier's timeline: a besluit step, or a state of a record."""

    soort: Literal["besluit", "record"]
    actie: str = Field(description="besluit.<stap> or record.<what happened>")
    titel: str
    datum: datetime
    actor: str
    actor_naam: str
    laag: str
    uitkomst: str | None = None
    toelichting: str = ""
    besluit: BesluitRef | None = None
    record: RecordRef | None = None
    records: list[RecordRef] = Field(default_factory=list)


class DossierTijdlijn(BaseModel):
    dossier: DossierRef
    events: list[TijdlijnEvent]


class KenmerkOut(BaseModel):
    kenmerk: str
    soort: Literal["dossier", "besluit"]
    id: str
    titel: str
    url: str
    tijdlijn: str
