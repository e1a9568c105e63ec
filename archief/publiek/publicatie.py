# SPDX-License-Identifier: EUPL-1.2
"""Publishing in one action, and the communicatiedossier's own content.

- `POST /dossiers/{id}/publicatie` publishes a selection of the dossier's
  records (by id, or a whole section by `soort`, e.g. every `verslag`) in
  one transaction, each through the same publish path and permission check
  (`publish`) as `POST /records/{id}/publicatie`, optionally setting their
  Woo information category. All or nothing: one refusal refuses the lot.
- `PUT /dossiers/{id}/publiek` sets what the public page says besides the
  records (samenvatting, planning, FAQ) and who answers for it, for callers
  who may add records to the dossier; each change is a dossier version.
- `GET /dossiers/{id}/publiek` reads it back, for the same callers.

Withdrawal stays `DELETE /records/{id}/publicatie`: pages, search and
feeds read the catalog and the index live, so it shows at once.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any, Literal

import structlog
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.bewaring.blokkade import check_not_held
from archief.bewaring.status import ACTIEF, check_actief
from archief.catalog.models import Afdeling, Dossier, DossierVersie, Record
from archief.errors import ArchiefError, Forbidden, NotFound
from archief.publiek import woo
from archief.publiek.repository import Publiek
from archief.publiek.weergave import pad
from archief.records import service
from archief.toegang.access import Access, target_of, visible_dossiers
from archief.toegang.deps import CurrentAccess
from archief.versies import dossier_changed, dossier_state, record_changed, record_state
from policies.engine import OPENBAAR

router = APIRouter(prefix="/dossiers", tags=["publiek"])
log = structlog.get_logger(__name__)

MAX_SELECTIE = 500


class NietsTePubliceren(ArchiefError):
    code = "niets_te_publiceren"
    status = 422
    title = "Niets te publiceren"


# -- schemas --------------------------------------------------------------------


class PublicatieIn(BaseModel):
    """Which records to publish: `records` by id, or a whole section by `soort`."""

    model_config = {"extra": "forbid"}

    records: list[str] | None = Field(default=None, min_length=1, max_length=MAX_SELECTIE)
    soort: str | None = Field(default=None, min_length=1, max_length=64)
    # A Woo category for every selected record: its TOOI code (c_…) or URI.
    informatiecategorie: str | None = Field(default=None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def _een_selectie(self) -> PublicatieIn:
        if (self.records is None) == (self.soort is None):
            raise ValueError("give either records (ids) or soort (a whole section)")
        return self


class GepubliceerdOut(BaseModel):
    id: str
    titel: str
    soort: str | None
    laag: str
    gepubliceerd_op: datetime | None
    informatiecategorie: str | None


class PublicatieOut(BaseModel):
    dossier_id: str
    kenmerk: str
    # The public page of the dossier.
    url: str
    # Moved to the public layer by this call.
    gepubliceerd: list[GepubliceerdOut]
    # Selected but public already (their category may have been set).
    al_openbaar: list[str]


class Mijlpaal(BaseModel):
    model_config = {"extra": "forbid"}

    datum: date
    omschrijving: str = Field(min_length=1, max_length=500)
    status: Literal["gepland", "bezig", "gereed", "vervallen"] = "gepland"


class Vraag(BaseModel):
    model_config = {"extra": "forbid"}

    vraag: str = Field(min_length=1, max_length=500)
    antwoord: str = Field(min_length=1, max_length=5000)


class PubliekIn(BaseModel):
    """The whole public content of a dossier (PUT replaces it)."""

    model_config = {"extra": "forbid"}

    samenvatting: str | None = Field(default=None, max_length=10_000)
    planning: list[Mijlpaal] = Field(default_factory=list, max_length=100)
    faq: list[Vraag] = Field(default_factory=list, max_length=100)
    verantwoordelijke: str | None = Field(default=None, max_length=255)
    verantwoordelijke_email: str | None = Field(
        default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )
    herzien_interval_dagen: int | None = Field(default=None, ge=1, le=3650)


class PubliekOut(BaseModel):
    dossier_id: str
    kenmerk: str
    url: str
    # Whether the page is online: only a dossier with public records has one.
    online: bool
    samenvatting: str | None
    planning: list[dict[str, str]]
    faq: list[dict[str, str]]
    verantwoordelijke: str | None
    verantwoordelijke_email: str | None
    herzien_interval_dagen: int | None
    herzien_op: datetime | None
    publiek_sinds: datetime | None
    versie: int | None


# -- access -----------------------------------------------------------------------


def _dossier(
    session: Session, access: Access, dossier_id: str, *, write: bool, lock: bool = False
) -> Dossier:
    """The dossier, if the caller sees it (404 otherwise); with `write`, if they may add to it."""
    dossier = session.get(Dossier, dossier_id, with_for_update=lock)
    if dossier is None or not visible_dossiers(session, access, [dossier_id]):
        raise NotFound(f"no dossier {dossier_id}")
    if write:
        allowed = session.scalar(
            select(Dossier.id)
            .join(Afdeling, Dossier.afdeling == Afdeling.code)
            .where(Dossier.id == dossier_id, access.dossier_filter("write"))
        )
        if allowed is None:
            raise Forbidden(f"you may not change the public page of dossier {dossier.kenmerk}")
    return dossier


def _url(kenmerk: str) -> str:
    return f"/publiek/dossiers/{pad(kenmerk)}"


# -- publishing -------------------------------------------------------------------


def _selectie(session: Session, access: Access, dossier: Dossier, body: PublicatieIn) -> list[str]:
    if body.records is not None:
        return list(dict.fromkeys(body.records))
    # A section: the records of that kind the caller can see; ones they
    # cannot see are not theirs to publish (and are not mentioned).
    ids = session.scalars(
        select(Record.id)
        .join(Dossier, Record.dossier_id == Dossier.id)
        .join(Afdeling, Dossier.afdeling == Afdeling.code)
        .where(
            Record.dossier_id == dossier.id,
            Record.soort == body.soort,
            Record.status == ACTIEF,
            access.sql_filter("read"),
        )
        .order_by(Record.created_at, Record.id)
    )
    found = list(ids)
    if not found:
        raise NietsTePubliceren(
            f"dossier {dossier.kenmerk} has no records of soort {body.soort!r} you can see"
        )
    return found


def _categorie(
    session: Session, access: Access, record: Record, categorie: str, now: datetime
) -> None:
    if record.informatiecategorie == categorie:
        return
    check_not_held(session, record, "a change of its Woo information category")
    voor = record_state(record)
    record.informatiecategorie = categorie
    session.flush()
    record_changed(
        session,
        record,
        voor,
        actor=Actor.of(access.subject),
        actie="record.informatiecategorie",
        at=now,
    )


def _een(
    session: Session,
    ports: service.Ports,
    access: Access,
    dossier: Dossier,
    record_id: str,
    *,
    categorie: str | None,
) -> tuple[Record, str | None]:
    """Publish one selected record; the layer it left (None: it was public already)."""
    record = session.get(Record, record_id, with_for_update=True)
    if record is None or record.dossier_id != dossier.id:
        raise NotFound(f"no record {record_id} in dossier {dossier.kenmerk}")
    target = target_of(session, record)
    access.require(target, "publish", f"record {record_id}")
    check_actief(record)
    if categorie is not None:
        _categorie(session, access, record, categorie, ports.clock.now())
    if record.laag == OPENBAAR:
        return record, None
    before = record.laag
    service.publish_in(session, ports, access, record_id)
    return record, before


def _terug(ports: service.Ports, moved: list[tuple[str, str]]) -> None:
    """The transaction failed: put the index back where the catalog stays."""
    if ports.index is None:
        return
    for record_id, laag in moved:
        # Best effort: a record left public in the index would still be
        # dropped by every public path, which re-checks the catalog.
        with contextlib.suppress(ArchiefError):
            ports.index.set_layer(record_id, laag)


@router.post("/{dossier_id}/publicatie")
def publiceer(
    request: Request, access: CurrentAccess, dossier_id: str, body: PublicatieIn
) -> PublicatieOut:
    """Publish a selection of the dossier's records, or a whole section, in one action."""
    container = request.app.state.container
    ports = service.Ports(container.sessions, container.index, container.clock)
    categorie = woo.normaliseer(body.informatiecategorie) if body.informatiecategorie else None
    moved: list[tuple[str, str]] = []
    gepubliceerd: list[GepubliceerdOut] = []
    al_openbaar: list[str] = []
    try:
        with container.sessions.begin() as session:
            dossier = _dossier(session, access, dossier_id, write=False, lock=True)
            selectie = _selectie(session, access, dossier, body)
            for record_id in selectie:
                record, before = _een(
                    session, ports, access, dossier, record_id, categorie=categorie
                )
                if before is None:
                    al_openbaar.append(record.id)
                    continue
                moved.append((record.id, before))
                gepubliceerd.append(
                    GepubliceerdOut(
                        id=record.id,
                        titel=record.titel,
                        soort=record.soort,
                        laag=record.laag,
                        gepubliceerd_op=record.gepubliceerd_op,
                        informatiecategorie=record.informatiecategorie,
                    )
                )
            now = container.clock.now()
            if gepubliceerd and dossier.publiek_sinds is None:
                dossier.publiek_sinds = now
            # Publishing is looking after the page: the review clock restarts.
            dossier.herzien_op = now
            append(
                session,
                actor=Actor.of(access.subject),
                actie="dossier.gepubliceerd",
                object_type="dossier",
                object_id=dossier.id,
                dossier_id=dossier.id,
                at=now,
                details={
                    "gepubliceerd": [g.id for g in gepubliceerd],
                    "al_openbaar": al_openbaar,
                    "soort": body.soort,
                    "informatiecategorie": categorie,
                },
            )
            kenmerk = dossier.kenmerk
    except BaseException:
        _terug(ports, moved)
        raise
    log.info("publiek.gepubliceerd", dossier_id=dossier_id, aantal=len(gepubliceerd))
    return PublicatieOut(
        dossier_id=dossier_id,
        kenmerk=kenmerk,
        url=_url(kenmerk),
        gepubliceerd=gepubliceerd,
        al_openbaar=al_openbaar,
    )


# -- the public content of a dossier ------------------------------------------------


def _rows(value: Any) -> list[dict[str, str]]:
    return [dict(row) for row in value] if isinstance(value, list) else []


def _out(session: Session, access: Access, dossier: Dossier) -> PubliekOut:
    versie = session.scalar(
        select(DossierVersie.versie)
        .where(DossierVersie.dossier_id == dossier.id)
        .order_by(DossierVersie.versie.desc())
        .limit(1)
    )
    online = Publiek(session, access.policy).dossier(dossier.kenmerk) is not None
    return PubliekOut(
        dossier_id=dossier.id,
        kenmerk=dossier.kenmerk,
        url=_url(dossier.kenmerk),
        online=online,
        samenvatting=dossier.samenvatting,
        planning=_rows(dossier.planning),
        faq=_rows(dossier.faq),
        verantwoordelijke=dossier.verantwoordelijke,
        verantwoordelijke_email=dossier.verantwoordelijke_email,
        herzien_interval_dagen=dossier.herzien_interval_dagen,
        herzien_op=dossier.herzien_op,
        publiek_sinds=dossier.publiek_sinds,
        versie=versie,
    )


def _tekst(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


@router.put("/{dossier_id}/publiek")
def zet_publiek(
    request: Request, access: CurrentAccess, dossier_id: str, body: PubliekIn
) -> PubliekOut:
    """Set the public page's summary, planning, FAQ and who answers for it (a new version)."""
    container = request.app.state.container
    with container.sessions.begin() as session:
        dossier = _dossier(session, access, dossier_id, write=True, lock=True)
        voor = dossier_state(dossier)
        dossier.samenvatting = _tekst(body.samenvatting)
        dossier.planning = [m.model_dump(mode="json") for m in body.planning] or None
        dossier.faq = [v.model_dump(mode="json") for v in body.faq] or None
        dossier.verantwoordelijke = _tekst(body.verantwoordelijke)
        dossier.verantwoordelijke_email = _tekst(body.verantwoordelijke_email)
        dossier.herzien_interval_dagen = body.herzien_interval_dagen
        now = container.clock.now()
        # Writing the page is reviewing it (the rappelsysteem counts from here).
        dossier.herzien_op = now
        session.flush()
        dossier_changed(session, dossier, voor, actor=Actor.of(access.subject), at=now)
        return _out(session, access, dossier)


@router.get("/{dossier_id}/publiek")
def lees_publiek(request: Request, access: CurrentAccess, dossier_id: str) -> PubliekOut:
    """The public page's content and its responsible official (for who may change it)."""
    with request.app.state.container.sessions() as session:
        dossier = _dossier(session, access, dossier_id, write=True)
        return _out(session, access, dossier)
