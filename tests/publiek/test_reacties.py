# SPDX-License-Identifier: EUPL-1.2
"""Reactions on a public dossier, on the real stack, with a local SMTP sink (aiosmtpd)."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from archief.app import create_app
from archief.catalog.models import AuditEntry, Record
from archief.composition import Container, build_container
from archief.publiek.mail import Mail, SmtpMailer
from archief.publiek.reacties import Reactie
from archief.settings import MailSettings, Settings
from tests.access.conftest import headers, refresh
from tests.oidc import LocalIssuer
from tests.publiek.conftest import (
    MILA,
    Html,
    canary,
    client,
    dossier,
    issuer,
    publiceer,
    record,
    world,
)

__all__ = ["client", "issuer", "world"]  # the package's fixtures, used by name

PER_VENSTER = 3
MAX_TEKENS = 500


class Sink:
    """An aiosmtpd handler keeping every message it is handed."""

    def __init__(self) -> None:
        self.berichten: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.berichten.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def aan(self, adres: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.berichten if adres in rcpt]


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="package")
def smtp() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = _vrije_poort()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture(scope="package")
def mail_world(
    world: Container, smtp: tuple[Sink, int], stack_settings: Settings
) -> Iterator[Container]:
    """The publiek world's catalog and index, with SMTP to the sink and tight abuse limits."""
    _, port = smtp
    settings = world.settings.model_copy(
        update={
            "mail": MailSettings(host="127.0.0.1", port=port, afzender="archief@groningen.example"),
            "reacties": world.settings.reacties.model_copy(
                update={
                    "per_venster": PER_VENSTER,
                    "max_tekens": MAX_TEKENS,
                    "redis_url": stack_settings.queue.broker_url,
                }
            ),
        }
    )
    c = build_container(settings)
    yield c
    c.close()


@pytest.fixture(scope="package")
def mail_client(mail_world: Container) -> Iterator[TestClient]:
    with TestClient(create_app(mail_world.settings, lambda _s: mail_world)) as c:
        yield c


def online(
    world: Container, client: TestClient, issuer: LocalIssuer, *, email: str | None = None
) -> tuple[str, str, str]:
    """A dossier with one public record and an official: (id, kenmerk, official's address)."""
    did, k = dossier(world)
    rid = record(world, did, "afdeling", "Projectplan fietspad.", titel="Projectplan fietspad")
    adres = email or f"pl-{uuid.uuid4().hex[:8]}@groningen.example"
    put = client.put(
        f"/dossiers/{did}/publiek",
        json={"verantwoordelijke": "Mila de Vries", "verantwoordelijke_email": adres},
        headers=headers(issuer, MILA),
    )
    assert put.status_code == 200, put.text
    assert publiceer(client, issuer, did, records=[rid]).status_code == 200
    return did, k, adres


def reageer(client: TestClient, kenmerk: str, **fields: str) -> Any:
    body = {"naam": "Jan Bewoner", "email": "", "bericht": "Graag een zebrapad.", "website": ""}
    body.update(fields)
    return client.post(f"/publiek/dossiers/{kenmerk}/reacties", data=body)


def _reacties(world: Container, dossier_id: str) -> list[Reactie]:
    with world.sessions() as session:
        return list(session.scalars(select(Reactie).where(Reactie.dossier_id == dossier_id)))


def test_a_reaction_is_a_non_public_record_mailed_to_the_official(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    mail_client: TestClient,
    smtp: tuple[Sink, int],
) -> None:
    sink, _ = smtp
    did, k, adres = online(world, client, issuer)
    # The form is on the dossier page, with a label on every field.
    page = Html(mail_client.get(f"/publiek/dossiers/{k}").text)
    form = [f for f in page.all("form") if f.attrs.get("method") == "post"]
    assert form and form[0].attrs["action"] == f"/publiek/dossiers/{k}/reacties"
    labels = {e.attrs.get("for") for e in page.all("label")}
    assert {"reactie-naam", "reactie-email", "reactie-bericht", "reactie-website"} <= labels

    geheim = canary()
    bewoner = f"bewoner-{uuid.uuid4().hex[:8]}@example.org"
    resp = reageer(mail_client, k, bericht=f"Het fietspad is te smal {geheim}.", email=bewoner)
    assert resp.status_code == 200, resp.text
    kenmerk = Html(resp.text).by_id("kenmerk")
    assert kenmerk is not None and kenmerk.text.startswith("R-")
    assert resp.headers["cache-control"] == "no-store"

    [rij] = _reacties(world, did)
    assert rij.kenmerk == kenmerk.text and rij.record_id is not None
    with world.sessions() as session:
        rec = session.get_one(Record, rij.record_id)
        assert (rec.laag, rec.titel, rec.dossier_id) == ("afdeling", f"Reactie {rij.kenmerk}", did)
        audit = session.scalars(
            select(AuditEntry).where(
                AuditEntry.actie == "reactie.ontvangen", AuditEntry.object_id == rec.id
            )
        ).all()
        assert len(audit) == 1 and (audit[0].details or {}).get("kenmerk") == rij.kenmerk
    # The afdeling reads it (UTF-8 text with the message).
    staff = client.get(f"/records/{rij.record_id}", headers=headers(issuer, MILA))
    assert staff.status_code == 200, staff.text

    # The official got it, with the kenmerk and the message; the sender a confirmation.
    [aan_pl] = sink.aan(adres)
    assert rij.kenmerk in aan_pl["Subject"] and geheim in aan_pl.get_content()
    assert aan_pl["Reply-To"] == bewoner
    [bevestiging] = sink.aan(bewoner)
    assert rij.kenmerk in bevestiging.get_content()
    assert geheim not in bevestiging.get_content()  # never an open relay for the text

    # The public sees none of it: page, search, feeds, sitemap.
    refresh(world)
    # Search reflects the query in its box: no hit is what counts there.
    zoek = Html(mail_client.get("/publiek", params={"q": geheim}).text)
    assert not any(rij.record_id in a.attrs.get("href", "") for a in zoek.all("a"))
    assert not any(rij.kenmerk in a.text for a in zoek.all("a"))
    for path in (
        f"/publiek/dossiers/{k}",
        f"/publiek/dossiers/{k}/feed.atom",
        "/publiek/feeds/alles.rss",
        "/publiek/sitemap.xml",
    ):
        body = mail_client.get(path).text
        assert geheim not in body and rij.kenmerk not in body, path
        assert rij.record_id not in body, path
    assert mail_client.get(f"/publiek/records/{rij.record_id}/download").status_code == 404
    # ... while the index does hold it for staff (so the search check above could fail).
    found = client.get("/search", params={"q": geheim}, headers=headers(issuer, MILA))
    assert found.status_code == 200 and rij.record_id in found.text


def test_no_official_address_still_stores_the_reaction(
    world: Container, client: TestClient, issuer: LocalIssuer, mail_client: TestClient
) -> None:
    did, k = dossier(world)
    rid = record(world, did, "afdeling", "Plan.", titel="Plan")
    assert publiceer(client, issuer, did, records=[rid]).status_code == 200
    resp = reageer(mail_client, k)
    assert resp.status_code == 200
    assert [r.record_id is not None for r in _reacties(world, did)] == [True]


def test_only_dossiers_with_public_content_take_reactions(
    world: Container, mail_client: TestClient
) -> None:
    did, k = dossier(world)
    record(world, did, "afdeling", "Intern.", titel="Intern")
    assert reageer(mail_client, k).status_code == 404
    assert reageer(mail_client, "bestaat-niet").status_code == 404
    assert _reacties(world, did) == []


def test_a_filled_honeypot_looks_accepted_but_keeps_nothing(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    mail_client: TestClient,
    smtp: tuple[Sink, int],
) -> None:
    sink, _ = smtp
    did, k, adres = online(world, client, issuer)
    resp = reageer(mail_client, k, website="http://spam.example")
    assert resp.status_code == 200
    assert Html(resp.text).by_id("kenmerk") is not None
    assert _reacties(world, did) == []
    assert sink.aan(adres) == []


def test_a_too_long_reaction_is_refused_with_the_text_kept(
    world: Container, client: TestClient, issuer: LocalIssuer, mail_client: TestClient
) -> None:
    did, k, _ = online(world, client, issuer)
    lang = "x" * (MAX_TEKENS + 1)
    resp = reageer(mail_client, k, bericht=lang)
    assert resp.status_code == 413
    assert "te lang" in resp.text and lang in resp.text
    # Far beyond: refused before the body is read into a form.
    resp = reageer(mail_client, k, bericht="y" * (MAX_TEKENS * 10))
    assert resp.status_code == 413 and "te lang" in resp.text
    assert reageer(mail_client, k, bericht="   ").status_code == 422
    assert reageer(mail_client, k, email="geen-adres").status_code == 422
    assert _reacties(world, did) == []
    assert reageer(mail_client, k, bericht="x" * MAX_TEKENS).status_code == 200


def test_the_rate_limit_answers_429_after_n(
    world: Container, client: TestClient, issuer: LocalIssuer, mail_client: TestClient
) -> None:
    did, k, _ = online(world, client, issuer)
    codes = [reageer(mail_client, k, bericht=f"Reactie {n}").status_code for n in range(5)]
    assert codes == [200] * PER_VENSTER + [429] * (5 - PER_VENSTER)
    assert len(_reacties(world, did)) == PER_VENSTER
    # Per dossier: another dossier still takes this client's reaction.
    _, k2, _ = online(world, client, issuer)
    assert reageer(mail_client, k2).status_code == 200


def test_hostile_input_is_escaped_everywhere(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    mail_client: TestClient,
    smtp: tuple[Sink, int],
) -> None:
    sink, _ = smtp
    _, k, adres = online(world, client, issuer)
    aanval = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    # Refused (too long): the typed text is shown again, escaped.
    resp = reageer(mail_client, k, naam=aanval, bericht=aanval + "z" * MAX_TEKENS)
    assert resp.status_code == 413
    assert "<script>" not in resp.text and "<img src=x" not in resp.text
    assert "&lt;script&gt;" in resp.text
    # Accepted: the mail is plain text, the header cannot be split.
    resp = reageer(mail_client, k, naam=aanval + "\r\nBcc: x@evil.example", bericht=aanval)
    assert resp.status_code == 200
    assert "<script>" not in resp.text
    [m] = sink.aan(adres)
    assert m.get_content_type() == "text/plain"
    assert m["Bcc"] is None and all("evil" not in r for rcpt, _ in sink.berichten for r in rcpt)


def test_the_smtp_adapter_talks_to_a_real_server(smtp: tuple[Sink, int]) -> None:
    sink, port = smtp
    adres = f"contract-{uuid.uuid4().hex[:6]}@example.org"
    SmtpMailer(MailSettings(host="127.0.0.1", port=port)).send(
        Mail(aan=adres, onderwerp="Tést\r\nX-Inject: 1", tekst="Één regel € ✓")
    )
    [m] = sink.aan(adres)
    assert m["X-Inject"] is None and m["Subject"] == "Tést X-Inject: 1"
    assert m.get_content().strip() == "Één regel € ✓"
