# SPDX-License-Identifier: EUPL-1.2
"""Reactions of residents on a public dossier: `POST /publiek/dossiers/{kenmerk}/reacties`.

A plain HTML form (no JavaScript). Each reaction:

1. gets a kenmerk `R-<year>-<number>` (table `reactie`, migration 0011);
2. is filed through the intake as a UTF-8 text record in the dossier, in
   the non-public layer `afdeling`, titled "Reactie R-…" (the intake audits
   the filing; we add a `reactie.ontvangen` entry naming the kenmerk);
3. is mailed to the dossier's `verantwoordelijke_email` (none set, or no
   SMTP host: it is stored all the same and a warning is logged);
4. is confirmed on a page with the kenmerk, and by e-mail when the sender
   gave an address. That mail carries the kenmerk and the project's title,
   never the message: otherwise the form would send any text to any
   address on the municipality's behalf.

Abuse limits: the body is read with a cap (a longer bericht is 413 with the
form shown again), a fixed-window counter per client IP per dossier in
Redis (429), and a honeypot field that people never see: when it is filled
the sender sees a normal confirmation and nothing is stored or sent.

No CSRF token: the form is anonymous and changes nothing on behalf of a
logged-in user (the handler never reads a token or cookie), so a forged
post can do no more than the attacker could do by posting directly; the
rate limit covers both.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import redis
import structlog
from fastapi import APIRouter, Request, Response
from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, String
from sqlalchemy.orm import Mapped, mapped_column
from starlette.concurrency import run_in_threadpool

from archief.audit.chain import Actor, append
from archief.catalog.models import Base, Dossier
from archief.clock import AMSTERDAM
from archief.errors import NotFound, PortError
from archief.publiek import woo
from archief.publiek.antwoord import PubliekRoute, html
from archief.publiek.mail import Mail, mailer
from archief.publiek.repository import Publiek, PubliekDossier
from archief.publiek.weergave import render, wijknaam
from archief.settings import Settings

log = structlog.get_logger(__name__)

router = APIRouter(
    prefix="/publiek", tags=["publiek"], include_in_schema=False, route_class=PubliekRoute
)

# Who files the reaction: the anonymous public, as the audit trail names it.
PUBLIEK = Actor("publiek", ("publiek",))
LAAG = "afdeling"
MAX_NAAM = 200
MAX_EMAIL = 320
# Form encoding can triple a character (%E2%82%AC is one euro sign) and the
# other fields add a little: the body cap follows the bericht's.
OVERHEAD = 4096
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Reactie(Base):
    """A kenmerk handed out, and the record it names (migration 0011)."""

    __tablename__ = "reactie"

    nummer: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kenmerk: Mapped[str | None] = mapped_column(String(32), unique=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossier.id"), index=True)
    record_id: Mapped[str | None] = mapped_column(ForeignKey("record.id"))
    ontvangen_op: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True, slots=True)
class ReactieInvoer:
    naam: str
    email: str
    bericht: str
    website: str  # the honeypot


class TeGroot(Exception):
    pass


def kenmerk_van(nummer: int, moment: datetime) -> str:
    return f"R-{moment.astimezone(AMSTERDAM).year}-{nummer:06d}"


# -- input ----------------------------------------------------------------------


async def _lees(request: Request, limiet: int) -> ReactieInvoer:
    """The form fields, reading at most `limiet` bytes (`TeGroot` beyond)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limiet:
        raise TeGroot
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limiet:
            raise TeGroot
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)

    def veld(name: str) -> str:
        # Normalised line ends, no NUL (PostgreSQL text refuses it).
        value = (fields.get(name) or [""])[0]
        return value.replace("\r\n", "\n").replace("\x00", "").strip()

    return ReactieInvoer(veld("naam"), veld("email"), veld("bericht"), veld("website"))


def _fout(invoer: ReactieInvoer, max_tekens: int) -> tuple[int, str] | None:
    if len(invoer.bericht) > max_tekens:
        return 413, (
            f"Uw reactie is te lang: {len(invoer.bericht)} tekens, "
            f"terwijl er hoogstens {max_tekens} passen. Maak haar korter en verstuur haar opnieuw."
        )
    if not invoer.bericht:
        return 422, "U hebt geen reactie ingevuld."
    if len(invoer.naam) > MAX_NAAM:
        return 422, f"Uw naam is te lang (hoogstens {MAX_NAAM} tekens)."
    if invoer.email and (len(invoer.email) > MAX_EMAIL or not EMAIL.match(invoer.email)):
        return 422, "Dit e-mailadres klopt niet. Laat het veld leeg als u geen bevestiging wilt."
    return None


# -- rate limit -----------------------------------------------------------------


def binnen_limiet(settings: Settings, ip: str, dossier_id: str, now: datetime) -> bool:
    """Count this post in its fixed window; False once the window holds more than allowed.

    Redis down is not a reason to lose a resident's reaction: it is let
    through and logged (the other limits still hold).
    """
    cfg = settings.reacties
    url = cfg.redis_url or settings.queue.broker_url
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        log.warning("publiek.reactie.ratelimit_off", dossier_id=dossier_id)
        return True
    venster = int(now.timestamp()) // cfg.venster_seconden
    key = f"archief:reactie:{dossier_id}:{ip}:{venster}"
    try:
        client = redis.Redis.from_url(url, socket_timeout=2)
        try:
            pipe = client.pipeline()
            pipe.incr(key)
            pipe.expire(key, cfg.venster_seconden + 60)
            count = int(pipe.execute()[0])
        finally:
            client.close()
    except redis.RedisError:
        log.warning("publiek.reactie.ratelimit_unavailable", dossier_id=dossier_id)
        return True
    return count <= cfg.per_venster


def _ip(request: Request) -> str:
    # The direct peer. Behind a reverse proxy, run uvicorn with
    # --proxy-headers/--forwarded-allow-ips so this is the resident's address.
    return request.client.host if request.client else "onbekend"


# -- storing and mailing ----------------------------------------------------------


def _tekst(kenmerk: str, dossier: PubliekDossier, invoer: ReactieInvoer, at: datetime) -> str:
    return (
        f"Reactie {kenmerk}\n"
        f"Project: {dossier.titel} ({dossier.kenmerk})\n"
        f"Ontvangen: {at.astimezone(AMSTERDAM):%Y-%m-%d %H:%M} (Amsterdam)\n"
        f"Naam: {invoer.naam or '(niet opgegeven)'}\n"
        f"E-mail: {invoer.email or '(niet opgegeven)'}\n"
        f"\n{invoer.bericht}\n"
    )


def bewaar(container: Any, dossier: PubliekDossier, invoer: ReactieInvoer) -> str:
    """File the reaction as a non-public record; return its kenmerk."""
    now: datetime = container.clock.now()
    with container.sessions.begin() as session:
        row = Reactie(dossier_id=dossier.id, ontvangen_op=now)
        session.add(row)
        session.flush()
        kenmerk = row.kenmerk = kenmerk_van(row.nummer, now)
        nummer = row.nummer
    tekst = _tekst(kenmerk, dossier, invoer, now)
    item = container.intake_for(PUBLIEK).receive(
        io.BytesIO(tekst.encode("utf-8")),
        name=f"reactie-{kenmerk}.txt",
        dossier_id=dossier.id,
        laag=LAAG,
        titel=f"Reactie {kenmerk}",
    )
    with container.sessions.begin() as session:
        row = session.get_one(Reactie, nummer)
        if item.record_id is None or item.status != "stored":
            # Not filed (refused by the intake): the kenmerk is not handed out.
            session.delete(row)
            raise PortError("intake", f"reactie {kenmerk} not filed: {item.reason}")
        row.record_id = item.record_id
        append(
            session,
            actor=PUBLIEK,
            actie="reactie.ontvangen",
            object_type="record",
            object_id=item.record_id,
            dossier_id=dossier.id,
            at=now,
            details={
                "kenmerk": kenmerk,
                "tekens": len(invoer.bericht),
                "email": bool(invoer.email),
            },
        )
    return kenmerk


def verstuur(settings: Settings, mail: Mail, soort: str, kenmerk: str) -> bool:
    """Send one mail; a failure is logged, never lost silently, and never loses the reaction."""
    m = mailer(settings.mail)
    if m is None:
        log.warning("publiek.reactie.geen_smtp", soort=soort, kenmerk=kenmerk)
        return False
    try:
        m.send(mail)
    except PortError as exc:
        log.warning("publiek.reactie.mail_mislukt", soort=soort, kenmerk=kenmerk, error=str(exc))
        return False
    return True


def mail_verantwoordelijke(
    container: Any, dossier: PubliekDossier, invoer: ReactieInvoer, kenmerk: str
) -> bool:
    settings: Settings = container.settings
    with container.sessions() as session:
        email = session.get_one(Dossier, dossier.id).verantwoordelijke_email
    if not email:
        log.warning("publiek.reactie.geen_verantwoordelijke", kenmerk=kenmerk, dossier=dossier.id)
        return False
    base = str(settings.api.public_url).rstrip("/")
    return verstuur(
        settings,
        Mail(
            aan=email,
            onderwerp=f"Reactie {kenmerk} op {dossier.titel}",
            tekst=(
                f"Er is een reactie binnengekomen op {dossier.titel} ({dossier.kenmerk}).\n"
                f"Kenmerk: {kenmerk}\n"
                f"Naam: {invoer.naam or '(niet opgegeven)'}\n"
                f"E-mail: {invoer.email or '(niet opgegeven)'}\n\n"
                f"{invoer.bericht}\n\n"
                f"De reactie staat als document in het dossier (niet openbaar).\n"
                f"Openbare pagina: {base}/publiek/dossiers/{dossier.kenmerk}\n"
            ),
            antwoord_aan=invoer.email or None,
        ),
        "verantwoordelijke",
        kenmerk,
    )


def mail_bevestiging(
    settings: Settings, dossier: PubliekDossier, invoer: ReactieInvoer, kenmerk: str
) -> bool:
    if not invoer.email:
        return False
    return verstuur(
        settings,
        Mail(
            aan=invoer.email,
            onderwerp=f"Uw reactie {kenmerk} is ontvangen",
            tekst=(
                f"Wij hebben uw reactie op {dossier.titel} ontvangen.\n"
                f"Uw kenmerk is {kenmerk}. Noem het als u contact met ons opneemt.\n\n"
                f"{settings.publiek.organisatie}\n"
                "Dit is een automatisch bericht; u kunt er niet op antwoorden.\n"
            ),
        ),
        "bevestiging",
        kenmerk,
    )


# -- the route -------------------------------------------------------------------


def _pagina(settings: Settings, template: str, status: int = 200, **context: Any) -> Response:
    body = render(
        template,
        organisatie=settings.publiek.organisatie,
        uitgever=woo.uitgever(settings.publiek),
        wijknaam=lambda slug: wijknaam(slug, settings.publiek.wijknamen),
        reactie_max_tekens=settings.reacties.max_tekens,
        **context,
    )
    # A confirmation or a refusal is about one post: never cached.
    return html(body, status=status, headers={"Cache-Control": "no-store"})


@router.post("/dossiers/{kenmerk}/reacties")
async def reageer(request: Request, kenmerk: str) -> Response:
    """Take a reaction on a public dossier; answer with a page (confirmation or why not)."""
    container = request.app.state.container
    settings: Settings = container.settings
    with container.sessions() as session:
        dossier = Publiek(session, container.policies.current(session)).dossier(kenmerk)
    if dossier is None:
        raise NotFound(f"no dossier {kenmerk}")
    max_tekens = settings.reacties.max_tekens
    try:
        invoer = await _lees(request, max_tekens * 3 + OVERHEAD)
    except TeGroot:
        melding = f"Uw reactie is te lang: er passen hoogstens {max_tekens} tekens in."
        return _pagina(settings, "reactie_geweigerd.html", 413, dossier=dossier, melding=melding)
    fout = _fout(invoer, max_tekens)
    if fout is not None:
        status, melding = fout
        return _pagina(
            settings,
            "reactie_geweigerd.html",
            status,
            dossier=dossier,
            reactie=invoer,
            melding=melding,
        )
    now = container.clock.now()
    if not binnen_limiet(settings, _ip(request), dossier.id, now):
        log.warning("publiek.reactie.limiet", dossier=dossier.id)
        melding = "U hebt kort na elkaar veel reacties gestuurd. Probeer het later opnieuw."
        return _pagina(
            settings,
            "reactie_geweigerd.html",
            429,
            dossier=dossier,
            reactie=invoer,
            melding=melding,
        )
    if invoer.website:
        # A robot filled the field people never see: look accepted, keep nothing.
        nep = kenmerk_van(secrets.randbelow(900_000) + 100_000, now)
        log.info("publiek.reactie.honeypot", dossier=dossier.id)
        return _pagina(
            settings,
            "reactie_bevestiging.html",
            dossier=dossier,
            kenmerk=nep,
            bevestiging=bool(invoer.email),
        )
    # Sync work (intake, SMTP) off the event loop.
    r_kenmerk = await run_in_threadpool(bewaar, container, dossier, invoer)
    await run_in_threadpool(mail_verantwoordelijke, container, dossier, invoer, r_kenmerk)
    bevestigd = await run_in_threadpool(mail_bevestiging, settings, dossier, invoer, r_kenmerk)
    log.info("publiek.reactie.ontvangen", dossier=dossier.id, kenmerk=r_kenmerk)
    return _pagina(
        settings,
        "reactie_bevestiging.html",
        dossier=dossier,
        kenmerk=r_kenmerk,
        bevestiging=bevestigd,
    )
