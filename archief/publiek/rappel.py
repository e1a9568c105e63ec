# SPDX-License-Identifier: EUPL-1.2
"""The rappelsysteem: public dossiers whose review is overdue, and reminders to their official.

A dossier is public when `publiek_sinds` is set or it has an active record
in the public layer. It is reviewed at `herzien_op` (set by writing its
public page, by every dossier publication, and by `POST /dossiers/{id}/herzien`),
or, never reviewed, counts from `publiek_sinds` (else its first
publication). It is overdue once that moment plus its
`herzien_interval_dagen` (default `rappel.interval_dagen`) has passed.

`stuur_rappels` (a Celery beat task, `ingest.publiek_tasks`) mails the
official of each overdue dossier at most once per interval
(`rappel_verstuurd_op`), audited as `dossier.rappel`. The staff overview
`GET /publiek-beheer/achterstallig` lists the overdue dossiers the caller
may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from archief.audit.chain import SYSTEEM, Actor, append
from archief.bewaring.status import ACTIEF
from archief.catalog.models import Afdeling, Dossier, Record
from archief.errors import ArchiefError, Forbidden, NotFound, PortError
from archief.publiek.mail import Mail, mailer
from archief.settings import Settings
from archief.toegang.access import Access, visible_dossiers
from archief.toegang.deps import CurrentAccess
from policies.engine import OPENBAAR

log = structlog.get_logger(__name__)

beheer = APIRouter(prefix="/publiek-beheer", tags=["publiek"])
dossiers = APIRouter(prefix="/dossiers", tags=["publiek"])


class NietAangemeld(ArchiefError):
    code = "unauthenticated"
    status = 401
    title = "Niet aangemeld"


@dataclass(frozen=True, slots=True)
class Achterstallig:
    dossier_id: str
    kenmerk: str
    titel: str
    verantwoordelijke: str | None
    verantwoordelijke_email: str | None
    interval_dagen: int
    herzien_op: datetime | None
    vervallen_op: datetime
    rappel_verstuurd_op: datetime | None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def achterstallig(session: Session, settings: Settings, now: datetime) -> list[Achterstallig]:
    """Every public dossier whose review is overdue at `now`, most overdue first."""
    eerste = (
        select(Record.dossier_id, func.min(Record.gepubliceerd_op).label("eerste"))
        .where(Record.laag == OPENBAAR, Record.status == ACTIEF)
        .group_by(Record.dossier_id)
        .subquery()
    )
    rows = session.execute(
        select(Dossier, eerste.c.eerste)
        .outerjoin(eerste, eerste.c.dossier_id == Dossier.id)
        .where(or_(Dossier.publiek_sinds.is_not(None), eerste.c.dossier_id.is_not(None)))
    ).all()
    uit: list[Achterstallig] = []
    for dossier, eerste_publicatie in rows:
        start = dossier.herzien_op or dossier.publiek_sinds or eerste_publicatie
        if start is None:
            # Public through a record filed straight into the public layer
            # (no publication time): count from the dossier's creation.
            start = dossier.created_at
        interval = dossier.herzien_interval_dagen or settings.rappel.interval_dagen
        vervallen = _utc(start) + timedelta(days=interval)
        if vervallen <= now:
            uit.append(
                Achterstallig(
                    dossier.id,
                    dossier.kenmerk,
                    dossier.titel,
                    dossier.verantwoordelijke,
                    dossier.verantwoordelijke_email,
                    interval,
                    dossier.herzien_op,
                    vervallen,
                    dossier.rappel_verstuurd_op,
                )
            )
    return sorted(uit, key=lambda a: a.vervallen_op)


def _rappel_nodig(a: Achterstallig, now: datetime) -> bool:
    """Once per overdue period, and again each interval it stays overdue."""
    laatst = a.rappel_verstuurd_op
    if laatst is None:
        return True
    laatst = _utc(laatst)
    return laatst < a.vervallen_op or laatst + timedelta(days=a.interval_dagen) <= now


def _mail(settings: Settings, a: Achterstallig) -> Mail:
    base = str(settings.api.public_url).rstrip("/")
    assert a.verantwoordelijke_email is not None
    return Mail(
        aan=a.verantwoordelijke_email,
        onderwerp=f"Herinnering: {a.titel} ({a.kenmerk}) is toe aan controle",
        tekst=(
            f"Beste {a.verantwoordelijke or 'projectleider'},\n\n"
            f"Het project {a.titel} ({a.kenmerk}) staat online. U bent verantwoordelijk voor de "
            f"openbare pagina. Die is elke {a.interval_dagen} dagen aan controle toe; "
            f"de laatste termijn verliep op {a.vervallen_op:%Y-%m-%d}.\n\n"
            f"Kloppen samenvatting, planning en vragen nog? Werk de pagina bij, of bevestig dat "
            f"zij klopt (POST /dossiers/{a.dossier_id}/herzien).\n\n"
            f"Openbare pagina: {base}/publiek/dossiers/{a.kenmerk}\n"
        ),
    )


def stuur_rappels(container: Any) -> dict[str, int]:
    """Mail the official of each overdue dossier that is due a reminder; audited per mail."""
    settings: Settings = container.settings
    now: datetime = container.clock.now()
    m = mailer(settings.mail)
    telling = {"achterstallig": 0, "verstuurd": 0, "zonder_email": 0, "mislukt": 0}
    with container.sessions() as session:
        lijst = achterstallig(session, settings, now)
    telling["achterstallig"] = len(lijst)
    for a in lijst:
        if not _rappel_nodig(a, now):
            continue
        if not a.verantwoordelijke_email:
            telling["zonder_email"] += 1
            log.warning("publiek.rappel.geen_email", dossier=a.dossier_id)
            continue
        if m is None:
            telling["mislukt"] += 1
            log.warning("publiek.rappel.geen_smtp", dossier=a.dossier_id)
            continue
        with container.sessions.begin() as session:
            # Two beat runs at once: the second skips a dossier the first holds.
            dossier = session.get(Dossier, a.dossier_id, with_for_update={"skip_locked": True})
            if dossier is None or dossier.rappel_verstuurd_op != a.rappel_verstuurd_op:
                continue
            try:
                m.send(_mail(settings, a))
            except PortError as exc:
                telling["mislukt"] += 1
                log.warning("publiek.rappel.mail_mislukt", dossier=a.dossier_id, error=str(exc))
                continue
            dossier.rappel_verstuurd_op = now
            append(
                session,
                actor=SYSTEEM,
                actie="dossier.rappel",
                object_type="dossier",
                object_id=a.dossier_id,
                dossier_id=a.dossier_id,
                at=now,
                details={
                    "aan": a.verantwoordelijke_email,
                    "vervallen_op": a.vervallen_op.isoformat(),
                },
            )
            telling["verstuurd"] += 1
    log.info("publiek.rappel.klaar", **telling)
    return telling


# -- endpoints --------------------------------------------------------------------


class AchterstalligOut(BaseModel):
    dossier_id: str
    kenmerk: str
    titel: str
    verantwoordelijke: str | None
    verantwoordelijke_email: str | None
    herzien_interval_dagen: int
    herzien_op: datetime | None
    vervallen_op: datetime
    dagen_achterstallig: int
    rappel_verstuurd_op: datetime | None


def _aangemeld(access: Access) -> None:
    if access.subject.anoniem:
        raise NietAangemeld("the staff overview needs a bearer token")


def _schrijfbare(session: Session, access: Access, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Dossier.id)
            .join(Afdeling, Dossier.afdeling == Afdeling.code)
            .where(Dossier.id.in_(list(ids)), access.dossier_filter("write"))
        )
    )


@beheer.get("/achterstallig")
def overzicht(
    request: Request, access: CurrentAccess, alleen_eigen: bool = False
) -> list[AchterstalligOut]:
    """Public dossiers overdue for review that the caller may see, most overdue first.

    A dossier with public records is visible to every caller, so by default
    this lists every overdue online dossier; `alleen_eigen=true` keeps the
    ones the caller may change (their afdeling's: the ones they can fix).
    """
    _aangemeld(access)
    container = request.app.state.container
    now: datetime = container.clock.now()
    with container.sessions() as session:
        lijst = achterstallig(session, container.settings, now)
        ids = [a.dossier_id for a in lijst]
        zichtbaar = (_schrijfbare if alleen_eigen else visible_dossiers)(session, access, ids)
    return [
        AchterstalligOut(
            dossier_id=a.dossier_id,
            kenmerk=a.kenmerk,
            titel=a.titel,
            verantwoordelijke=a.verantwoordelijke,
            verantwoordelijke_email=a.verantwoordelijke_email,
            herzien_interval_dagen=a.interval_dagen,
            herzien_op=a.herzien_op,
            vervallen_op=a.vervallen_op,
            dagen_achterstallig=(now - a.vervallen_op).days,
            rappel_verstuurd_op=a.rappel_verstuurd_op,
        )
        for a in lijst
        if a.dossier_id in zichtbaar
    ]


class HerzienOut(BaseModel):
    dossier_id: str
    herzien_op: datetime


def _schrijfbaar(session: Session, access: Access, dossier_id: str) -> Dossier:
    dossier = session.get(Dossier, dossier_id, with_for_update=True)
    if dossier is None or not visible_dossiers(session, access, [dossier_id]):
        raise NotFound(f"no dossier {dossier_id}")
    allowed = session.scalar(
        select(Dossier.id)
        .join(Afdeling, Dossier.afdeling == Afdeling.code)
        .where(Dossier.id == dossier_id, access.dossier_filter("write"))
    )
    if allowed is None:
        raise Forbidden(f"you may not review dossier {dossier.kenmerk}")
    return dossier


@dossiers.post("/{dossier_id}/herzien")
def herzien(request: Request, access: CurrentAccess, dossier_id: str) -> HerzienOut:
    """The public page was checked and is still right: the review clock restarts now."""
    container = request.app.state.container
    now: datetime = container.clock.now()
    with container.sessions.begin() as session:
        dossier = _schrijfbaar(session, access, dossier_id)
        voor = dossier.herzien_op
        dossier.herzien_op = now
        append(
            session,
            actor=Actor.of(access.subject),
            actie="dossier.herzien",
            object_type="dossier",
            object_id=dossier.id,
            dossier_id=dossier.id,
            at=now,
            voor={"herzien_op": voor.isoformat() if voor else None},
            na={"herzien_op": now.isoformat()},
        )
    return HerzienOut(dossier_id=dossier_id, herzien_op=now)


router = APIRouter()
router.include_router(beheer)
router.include_router(dossiers)

__all__: Sequence[str] = ("achterstallig", "router", "stuur_rappels")
