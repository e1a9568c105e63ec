# SPDX-License-Identifier: EUPL-1.2
"""Metadata suggestions read from the memo, and the person who confirms them.

Ingest reads a memo's header (`ingest.metadata`: onderwerp, kenmerk, datum,
afdeling, steller, e-mail, uw kenmerk) into `suggestion` rows. Here a person
decides on each, once: `bevestigd` (the value as read), `gecorrigeerd` (their
own value) or `afgewezen`. A decided suggestion is not decided again (409):
the decision is part of the record's history, and a title confirmed by
mistake is changed like any other (`PATCH /records/{id}`).

What a decision does:

- Onderwerp fills the record's `titel`: a new record version, the search
  index retitled in the same transaction, under the same rules as a PATCH
  (the memo lock of `besluiten.slot`, legal holds).
- Every other field has no record field and stays on the suggestion row as
  confirmed metadata (`waarde`), listed under `bevestigd`. Datum is the
  memo's own date, not the record's `brondatum`: that one is derived for
  retention from the dossier (`bewaring.categorie.derive`: the day it was
  closed) and would be overwritten by the next derivation, so the memo date
  never moves an archiefactiedatum.
- One audit entry per decision (`suggestie.bevestigd`, ...), on the record so
  the trail shows it only to who may read the record. It names the field and
  the outcome, not the value: values are read from the content, and the
  trail outlives destruction, which deletes suggestions with the content.

Reading needs `read` on the record, deciding `write` (as a PATCH), and only
an active record takes a decision (`bewaring.status.check_actief`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal, Self

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.besluiten.slot import check_change
from archief.bewaring.blokkade import check_not_held
from archief.bewaring.status import check_actief, check_inhoud
from archief.catalog.models import Record, Suggestion
from archief.errors import ArchiefError, NotFound
from archief.records.endpoints import record_out
from archief.records.schemas import RecordOut
from archief.toegang.access import Access, target_of
from archief.toegang.deps import CurrentAccess
from archief.versies import record_changed, record_state

router = APIRouter(tags=["records"])

VOORGESTELD = "voorgesteld"
Besluit = Literal["bevestigd", "afgewezen", "gecorrigeerd"]
Status = Literal["voorgesteld", "bevestigd", "afgewezen", "gecorrigeerd"]

# The record field a confirmed suggestion fills; fields not named here are
# kept as confirmed metadata on the suggestion.
RECORDVELDEN = {"onderwerp": "titel"}
# The order the memo header is read in (ingest.metadata.FIELDS, which
# archief may not import); fields the extractor adds later come after.
_ORDER = ("onderwerp", "kenmerk", "datum", "afdeling", "steller", "steller_email", "uw_kenmerk")

_TITEL_MAX = 500  # as PATCH /records/{id}
_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
_WHITESPACE = re.compile(r"\s+")


class AlBesloten(ArchiefError):
    code = "suggestie_al_besloten"
    status = 409
    title = "Suggestie al besloten"


class OngeldigeWaarde(ArchiefError):
    code = "ongeldige_waarde"
    status = 422
    title = "Ongeldige waarde"


# --- bodies ------------------------------------------------------------------


class BesluitBody(BaseModel):
    model_config = {"extra": "forbid"}

    besluit: Besluit
    waarde: str | None = Field(
        default=None,
        max_length=2000,
        description="The corrected value (gecorrigeerd only); datum as YYYY-MM-DD",
    )
    toelichting: str = Field(default="", max_length=2000, description="Why, for the trail")

    @model_validator(mode="after")
    def _waarde_fits_besluit(self) -> Self:
        if self.besluit == "gecorrigeerd" and self.waarde is None:
            raise ValueError("gecorrigeerd needs the corrected `waarde`")
        if self.besluit == "afgewezen" and self.waarde is not None:
            raise ValueError("afgewezen takes no `waarde`")
        return self


class BesluitIn(BesluitBody):
    # A locked besluitnota gets a new title only through this college decision step.
    besluitstap: str | None = Field(default=None, max_length=36)


class BesluitItem(BesluitBody):
    suggestie: str = Field(min_length=1, max_length=36)


class BesluitenIn(BaseModel):
    """Several decisions on one record: all are taken, or none."""

    model_config = {"extra": "forbid"}

    besluiten: list[BesluitItem] = Field(min_length=1, max_length=50)
    besluitstap: str | None = Field(default=None, max_length=36)


class SuggestieOut(BaseModel):
    id: str
    field: str
    value: str = Field(description="As read from the memo")
    raw: str = Field(description="The text it was read from")
    page: int
    confidence: float
    status: Status
    waarde: str | None = Field(description="The value as confirmed or corrected")
    recordveld: str | None = Field(
        description="The record field it fills (or, while pending, would fill); "
        "None: kept as metadata on the suggestion"
    )
    besloten_door: str | None
    besloten_op: datetime | None


class SuggestiesOut(BaseModel):
    record_id: str
    suggesties: list[SuggestieOut]
    bevestigd: dict[str, str] = Field(description="The confirmed metadata: field → value")


class BesluitOut(BaseModel):
    suggestie: SuggestieOut
    record: RecordOut


class BesluitenOut(BaseModel):
    suggesties: list[SuggestieOut]
    record: RecordOut


# --- values ------------------------------------------------------------------


def _text(field: str, value: str, limit: int) -> str:
    text = _WHITESPACE.sub(" ", value).strip()
    if not text:
        raise OngeldigeWaarde(f"{field}: the value is empty", veld=field)
    if len(text) > limit:
        raise OngeldigeWaarde(f"{field}: longer than {limit} characters", veld=field)
    return text


def normalise(field: str, value: str) -> str:
    """Return the value as stored for `field`, or raise OngeldigeWaarde."""
    if field == "datum":
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError as exc:
            message = f"datum: {value!r} is not a date (YYYY-MM-DD)"
            raise OngeldigeWaarde(message, veld=field) from exc
    if field == "steller_email":
        text = value.strip().lower()
        if len(text) > 320 or not _EMAIL.fullmatch(text):
            raise OngeldigeWaarde(f"steller_email: {value!r} is not an e-mail address", veld=field)
        return text
    if field == "onderwerp":
        # A title keeps its own spacing, as a PATCH does.
        text = value.strip()
        if not text:
            raise OngeldigeWaarde("onderwerp: the value is empty", veld=field)
        if len(text) > _TITEL_MAX:
            raise OngeldigeWaarde(f"onderwerp: longer than {_TITEL_MAX} characters", veld=field)
        return text
    if field in {"kenmerk", "uw_kenmerk"}:
        return _text(field, value, 64)
    return _text(field, value, 300)


# --- decisions ---------------------------------------------------------------


def _out(s: Suggestion) -> SuggestieOut:
    pending = s.status == VOORGESTELD
    return SuggestieOut(
        id=s.id,
        field=s.field,
        value=s.value,
        raw=s.raw,
        page=s.page,
        confidence=s.confidence,
        status=s.status,
        waarde=s.waarde,
        recordveld=RECORDVELDEN.get(s.field) if pending else s.recordveld,
        besloten_door=s.besloten_door,
        besloten_op=s.besloten_op,
    )


def _record(session: Session, access: Access, record_id: str, act: str) -> Record:
    record = session.get(Record, record_id, with_for_update=act != "read")
    if record is None:
        raise NotFound(f"no record {record_id}")
    access.require(target_of(session, record), act, f"record {record_id}")
    return record


def _suggestion(session: Session, record: Record, suggestie_id: str) -> Suggestion:
    found = session.scalar(
        select(Suggestion)
        .where(Suggestion.id == suggestie_id, Suggestion.record_id == record.id)
        .with_for_update()
    )
    if found is None:
        raise NotFound(f"no suggestion {suggestie_id} of record {record.id}")
    return found


def decide(
    session: Session,
    record: Record,
    suggestion: Suggestion,
    body: BesluitBody,
    *,
    actor: Actor,
    at: datetime,
    besluitstap: str | None,
) -> None:
    """Take one decision on a pending suggestion of an active record the caller may change."""
    if suggestion.status != VOORGESTELD:
        raise AlBesloten(
            f"suggestion {suggestion.id} was already {suggestion.status}; "
            "change the record itself instead",
            besluit=suggestion.status,
        )
    field = suggestion.field
    waarde: str | None = None
    if body.besluit != "afgewezen":
        waarde = normalise(field, body.waarde if body.waarde is not None else suggestion.value)
        if (
            body.besluit == "bevestigd"
            and body.waarde is not None
            and waarde != normalise(field, suggestion.value)
        ):
            raise OngeldigeWaarde(
                f"{field}: bevestigd keeps the value as read; send gecorrigeerd to change it",
                veld=field,
            )
    recordveld = RECORDVELDEN.get(field) if waarde is not None else None
    voor = record_state(record)
    if recordveld == "titel" and waarde is not None and record.titel != waarde:
        check_change(session, record, besluitstap)
        check_not_held(session, record, "a title from a suggestion")
        record.titel = waarde
    suggestion.status = body.besluit
    suggestion.waarde = waarde
    suggestion.recordveld = recordveld
    suggestion.besloten_door = actor.id
    suggestion.besloten_op = at
    session.flush()
    record_changed(
        session,
        record,
        voor,
        actor=actor,
        actie="record.metadata",
        at=at,
        details={
            "suggestie": suggestion.id,
            "veld": field,
            **({"besluitstap": besluitstap} if besluitstap else {}),
        },
    )
    details: dict[str, Any] = {"suggestie": suggestion.id, "veld": field, "versie": record.versie}
    if recordveld is not None:
        details["recordveld"] = recordveld
    if body.toelichting.strip():
        details["toelichting"] = body.toelichting.strip()
    append(
        session,
        actor=actor,
        actie=f"suggestie.{body.besluit}",
        object_type="record",
        object_id=record.id,
        dossier_id=record.dossier_id,
        at=at,
        voor={"status": VOORGESTELD},
        na={"status": body.besluit},
        details=details,
    )


def _decide_all(
    request: Request,
    access: Access,
    record_id: str,
    besluiten: Sequence[tuple[str, BesluitBody]],
    besluitstap: str | None,
) -> list[SuggestieOut]:
    container = request.app.state.container
    with container.sessions.begin() as session:
        record = _record(session, access, record_id, "write")
        check_actief(record)
        voor = record_state(record)
        actor, at = Actor.of(access.subject), container.clock.now()
        decided = []
        for suggestie_id, body in besluiten:
            suggestion = _suggestion(session, record, suggestie_id)
            decide(session, record, suggestion, body, actor=actor, at=at, besluitstap=besluitstap)
            decided.append(_out(suggestion))
        if container.index is not None and record_state(record) != voor:
            # Inside the transaction, as a PATCH: if the index refuses, nothing
            # was decided. Not indexed yet: the worker reads the catalog.
            with contextlib.suppress(NotFound):
                container.index.set_metadata(record.id, title=record.titel, soort=record.soort)
    return decided


# --- endpoints ---------------------------------------------------------------


def _order(s: Suggestion) -> tuple[int, int, str]:
    rank = _ORDER.index(s.field) if s.field in _ORDER else len(_ORDER)
    return s.page, rank, s.field


@router.get("/records/{record_id}/suggesties")
def list_suggestions(request: Request, access: CurrentAccess, record_id: str) -> SuggestiesOut:
    """The metadata read from the memo, each with its decision (reading it is logged)."""
    container = request.app.state.container
    with container.sessions.begin() as session:
        record = _record(session, access, record_id, "read")
        # Read from the content: gone with it when the record was destroyed.
        check_inhoud(record)
        rows = sorted(
            session.scalars(select(Suggestion).where(Suggestion.record_id == record_id)),
            key=_order,
        )
        append(
            session,
            actor=Actor.of(access.subject),
            actie="record.geopend",
            object_type="record",
            object_id=record.id,
            dossier_id=record.dossier_id,
            at=container.clock.now(),
            details={"versie": record.versie, "onderdeel": "suggesties"},
        )
        return SuggestiesOut(
            record_id=record_id,
            suggesties=[_out(s) for s in rows],
            bevestigd={s.field: s.waarde for s in rows if s.waarde is not None},
        )


@router.post("/records/{record_id}/suggesties/{suggestie_id}/besluit")
def decide_one(
    request: Request, access: CurrentAccess, record_id: str, suggestie_id: str, body: BesluitIn
) -> BesluitOut:
    """Confirm, correct or reject one suggestion; onderwerp retitles the record."""
    (decided,) = _decide_all(request, access, record_id, [(suggestie_id, body)], body.besluitstap)
    return BesluitOut(suggestie=decided, record=record_out(request, access, record_id, check=False))


@router.post("/records/{record_id}/suggesties/besluiten")
def decide_many(
    request: Request, access: CurrentAccess, record_id: str, body: BesluitenIn
) -> BesluitenOut:
    """Several decisions on one record in one transaction: all are taken, or none."""
    decided = _decide_all(
        request, access, record_id, [(b.suggestie, b) for b in body.besluiten], body.besluitstap
    )
    return BesluitenOut(
        suggesties=decided, record=record_out(request, access, record_id, check=False)
    )
