# SPDX-License-Identifier: EUPL-1.2
"""Request and response bodies for records and search."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from archief.ports import SortOrder


class SearchParams(BaseModel):
    """The query string of GET /search."""

    model_config = {"extra": "forbid"}

    q: str = Field(default="", max_length=500, description="Zoektekst; leeg: alles bladeren")
    dossier: list[str] = Field(default_factory=list, max_length=50)
    laag: list[str] = Field(default_factory=list, max_length=20)
    afdeling: list[str] = Field(default_factory=list, max_length=50)
    wijk: list[str] = Field(default_factory=list, max_length=50)
    soort: list[str] = Field(default_factory=list, max_length=20)
    media_type: list[str] = Field(default_factory=list, max_length=20)
    van: date | None = Field(default=None, description="From this date (inclusive)")
    tot: date | None = Field(default=None, description="Up to this date (inclusive)")
    sort: SortOrder = "relevance"
    size: int = Field(default=10, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


class SearchHitOut(BaseModel):
    record_id: str
    dossier_id: str
    title: str
    laag: str
    score: float
    pages: list[int] = Field(description="Pages that carry the terms, best first")
    highlights: list[str]


class SearchOut(BaseModel):
    total: int = Field(description="Records the caller may see that match; never more")
    hits: list[SearchHitOut]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; absent on the last page"
    )


class SuggestOut(BaseModel):
    suggestions: list[str]


class PageOut(BaseModel):
    number: int
    source: str
    confidence: float | None
    needs_review: bool = Field(description="OCR read the page below the review threshold")
    turned: int = Field(
        description=(
            "Degrees clockwise OCR turned the page, found lying on its side or upside down, "
            "beyond what the file itself says: its word boxes and thumbnail are of the page "
            "turned so"
        )
    )
    text: str


class RecordOut(BaseModel):
    id: str
    dossier_id: str
    dossier_kenmerk: str
    titel: str
    laag: str
    vertrouwelijkheid: str = Field(description="The layer on the national scale")
    publicabel: bool
    soort: str | None
    media_type: str
    size: int
    filename: str | None
    sha256: str
    status: str
    processing: str
    page_count: int | None
    created_at: datetime
    versie: int = 1
    # Retention: the category in force (the record's own, else the dossier's)
    # and what follows from it; the date is None until it can be derived.
    categorie: str | None = None
    archiefnominatie: str | None = None
    archiefactiedatum: date | None = None


class MoveIn(BaseModel):
    laag: str = Field(min_length=1, max_length=32)
    reden: str = Field(default="", max_length=2000)


class RecordPatch(BaseModel):
    """A metadata change; fields left out stay as they are."""

    model_config = {"extra": "forbid"}

    titel: str | None = Field(default=None, min_length=1, max_length=500)
    soort: str | None = Field(default=None, max_length=64)
    # A locked besluitnota changes only through this college decision step.
    besluitstap: str | None = Field(default=None, max_length=36)


class VersieOut(BaseModel):
    versie: int
    at: datetime
    door: str
    actie: str
    titel: str
    laag: str
    soort: str | None
    sha256: str
    media_type: str
    size: int
    filename: str | None
    status: str
    vergrendeld: bool


class NieuweVersieOut(BaseModel):
    """What `POST /records/{id}/versies` answers: the record, and whether it changed."""

    record: RecordOut
    gewijzigd: bool
