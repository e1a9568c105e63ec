# SPDX-License-Identifier: EUPL-1.2
"""Each public page renders what the public may see, in plain Dutch, on the real stack."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from archief.catalog.models import AuditEntry, DossierVersie, Record, RecordVersie
from archief.composition import Container
from archief.publiek import weergave, woo
from tests.access.conftest import headers
from tests.besluiten.conftest import AD, GRIFFIE, GS, PH, new_zaak
from tests.oidc import LocalIssuer
from tests.publiek.conftest import (
    BOB,
    GENOEMD,
    MILA,
    Html,
    canary,
    client,
    dossier,
    intrekken,
    issuer,
    publiceer,
    record,
    soort,
    world,
)

__all__ = ["client", "issuer", "world"]  # the package's fixtures, used by name

INHOUD = {
    "samenvatting": "Wij vervangen de speeltoestellen.\n\nDe buurt heeft meegedacht.",
    "planning": [
        {"datum": "2026-03-01", "omschrijving": "Bewonersavond", "status": "gereed"},
        {"datum": "2026-09-15", "omschrijving": "Aanleg speeltuin", "status": "gepland"},
    ],
    "faq": [{"vraag": "Komt er een schommel?", "antwoord": "Ja, twee."}],
    "verantwoordelijke": "Mila de Vries",
    "verantwoordelijke_email": "mila@groningen.example",
    "herzien_interval_dagen": 90,
}


def _section(page: Html, ident: str) -> str:
    element = page.by_id(ident)
    assert element is not None, ident
    return element.text


def test_the_dossier_page_shows_its_sections(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    did, k = dossier(world, wijken=("oosterpark",))
    plan = record(world, did, "afdeling", "Projectplan speeltuin.", titel="Projectplan speeltuin")
    verslagen = [
        record(world, did, "afdeling", f"Verslag {n}.", titel=f"Verslag bewonersavond {n}")
        for n in (1, 2)
    ]
    for rid in verslagen:
        soort(client, issuer, rid, "verslag")
    geheim = canary()
    record(world, did, "afdeling", f"Intern {geheim}.", titel=f"Interne notitie {geheim}")

    put = client.put(f"/dossiers/{did}/publiek", json=INHOUD, headers=headers(issuer, MILA))
    assert put.status_code == 200, put.text
    assert put.json()["online"] is False  # nothing published yet
    assert client.get(f"/publiek/dossiers/{k}").status_code == 404

    one = publiceer(client, issuer, did, records=[plan], informatiecategorie="c_816e508d")
    assert one.status_code == 200, one.text
    section = publiceer(client, issuer, did, soort="verslag")
    assert section.status_code == 200, section.text
    assert {g["id"] for g in section.json()["gepubliceerd"]} == set(verslagen)

    resp = client.get(f"/publiek/dossiers/{k}")
    assert resp.status_code == 200
    page = Html(resp.text)
    assert page.all("h1")[0].text == f"Project {k}"
    assert "Wij vervangen de speeltoestellen." in _section(page, "samenvatting")
    planning = _section(page, "planning")
    assert "1 maart 2026" in planning and "Gereed" in planning and "15 september 2026" in planning
    documenten, verslag_sectie = _section(page, "documenten"), _section(page, "verslagen")
    assert "Projectplan speeltuin" in documenten and "Verslag bewonersavond" not in documenten
    assert all(f"Verslag bewonersavond {n}" in verslag_sectie for n in (1, 2))
    assert "Inspanningsverplichting art. 3.1 Woo" in documenten
    assert "Komt er een schommel?" in _section(page, "vragen")
    assert page.by_id("reageren") is not None  # the reaction form's place
    assert geheim not in resp.text
    assert "mila@groningen.example" not in resp.text  # the official's address is not public
    downloads = {a.attrs["href"] for a in page.all("a") if a.attrs["href"].endswith("/download")}
    assert downloads == {f"/publiek/records/{rid}/download" for rid in [plan, *verslagen]}
    assert woo.uitgever(world.settings.publiek).tooi in resp.text

    with world.sessions() as session:
        versie = session.scalars(
            select(DossierVersie)
            .where(DossierVersie.dossier_id == did)
            .order_by(DossierVersie.versie.desc())
        ).first()
        assert versie is not None and versie.samenvatting == INHOUD["samenvatting"]
        assert versie.verantwoordelijke == "Mila de Vries"
        cat = session.scalars(
            select(RecordVersie.informatiecategorie)
            .where(RecordVersie.record_id == plan)
            .order_by(RecordVersie.versie.desc())
        ).first()
        assert cat == woo.normaliseer("c_816e508d")
        acties = set(session.scalars(select(AuditEntry.actie).where(AuditEntry.dossier_id == did)))
        assert {"dossier.gewijzigd", "dossier.gepubliceerd", "record.gepubliceerd"} <= acties


def test_a_dossier_without_public_content_is_a_missing_page(
    world: Container, client: TestClient
) -> None:
    did, k = dossier(world)
    record(world, did, "organisatie", "Alleen voor medewerkers.", titel="Werkdocument")
    hidden = client.get(f"/publiek/dossiers/{k}")
    missing = client.get(f"/publiek/dossiers/GEEN-{uuid.uuid4().hex}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text
    assert client.get(f"/publiek/dossiers/{k}/feed.atom").text == missing.text


def test_home_and_wijk_pages_list_public_projects_only(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    wijk = f"wijk-{uuid.uuid4().hex[:6]}"
    open_id, _ = dossier(world, wijken=(wijk,), titel=f"Fietsroute {wijk}")
    rid = record(world, open_id, "afdeling", "Ontwerp fietsroute.", titel=f"Ontwerp {wijk}")
    dicht_id, dicht_k = dossier(world, wijken=(wijk,), titel=f"Geheim plan {wijk}")
    record(world, dicht_id, "afdeling", "Nog niet openbaar.", titel="Concept")
    assert client.get(f"/publiek/wijken/{wijk}").status_code == 404  # nothing public yet
    assert publiceer(client, issuer, open_id, records=[rid]).status_code == 200

    page = client.get(f"/publiek/wijken/{wijk}")
    assert page.status_code == 200
    assert f"Fietsroute {wijk}" in page.text and f"Ontwerp {wijk}" in page.text
    assert "Geheim plan" not in page.text and dicht_k not in page.text
    assert f"/publiek/wijken/{wijk}/widget" in page.text  # the iframe snippet for wijk sites

    home = client.get("/publiek")
    assert f'href="/publiek/wijken/{wijk}"' in home.text
    assert f"Ontwerp {wijk}" in home.text  # the newest publication
    # A wijk the settings name has a page before anything is published in it.
    named = client.get(f"/publiek/wijken/{GENOEMD}")
    assert named.status_code == 200 and "Paddepoel" in named.text
    assert client.get(f"/publiek/wijken/onbekend-{uuid.uuid4().hex[:6]}").status_code == 404


def test_downloads_only_while_public_and_active(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    did, _ = dossier(world)
    text = f"Ontwerptekening {canary()}."
    rid = record(world, did, "afdeling", text, titel="Ontwerptekening")
    url = f"/publiek/records/{rid}/download"
    assert client.get(url).status_code == 404
    assert publiceer(client, issuer, did, records=[rid]).status_code == 200
    got = client.get(url)
    assert got.status_code == 200 and got.content == text.encode()
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["cache-control"] == "public, no-cache"
    assert got.headers["x-content-type-options"] == "nosniff"
    # Still public but no longer active (destroyed): gone from the public face.
    with world.sessions.begin() as session:
        row = session.get(Record, rid)
        assert row is not None
        row.status = "vernietigd"
    assert client.get(url).status_code == 404
    assert client.get(f"/publiek/records/{rid}/metadata.xml").status_code == 404
    with world.sessions.begin() as session:
        row = session.get(Record, rid)
        assert row is not None
        row.status = "actief"
    assert client.get(url).status_code == 200
    intrekken(client, issuer, rid)
    assert client.get(url).status_code == 404


def test_the_public_timeline_of_a_decision(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    zaak = new_zaak(world, client, issuer)
    geheim = canary()
    besluitdoc = zaak.record("raad", "Raadsbesluit speeltuin.")
    zaak.ok(AD, "paraaf_ad", toelichting=f"Akkoord, maar {geheim}.")
    zaak.ok(PH, "paraaf_portefeuillehouder")
    zaak.ok(GS, "paraaf_gemeentesecretaris")
    zaak.ok(PH, "collegebesluit", uitkomst="vastgesteld", records=[zaak.nota])
    kenmerk = zaak.besluit["kenmerk"]
    # Only college and council steps so far: nothing of it is public.
    assert client.get(f"/publiek/besluiten/{kenmerk}").status_code == 404
    assert client.post(f"/records/{besluitdoc}/publicatie", headers=headers(issuer, AD)).is_success
    zaak.ok(GRIFFIE, "publicatie", records=[besluitdoc], toelichting="Bekendgemaakt.")

    resp = client.get(f"/publiek/besluiten/{kenmerk}")
    assert resp.status_code == 200, resp.text
    page = Html(resp.text)
    assert [h.text for h in page.all("h3")] == ["Gepubliceerd"]
    assert geheim not in resp.text and "Paraaf" not in resp.text
    assert f"/publiek/records/{besluitdoc}/download" in resp.text
    assert f"/publiek/records/{zaak.nota}/download" not in resp.text
    # The dossier page links its public decisions.
    dossier_page = client.get(f"/publiek/dossiers/{zaak.dossier}")
    assert f"/publiek/besluiten/{kenmerk}" in dossier_page.text


def test_writing_the_public_page_needs_write_access(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    did, _ = dossier(world)
    rid = record(world, did, "organisatie", "Iedereen in de organisatie.", titel="Memo")
    assert (
        client.put(f"/dossiers/{did}/publiek", json=INHOUD, headers=headers(issuer, BOB)).json()[
            "code"
        ]
        == "forbidden"
    )
    assert client.put(f"/dossiers/{did}/publiek", json=INHOUD).status_code == 404
    bad = client.put(
        f"/dossiers/{did}/publiek",
        json={**INHOUD, "verantwoordelijke_email": "geen adres"},
        headers=headers(issuer, MILA),
    )
    assert bad.status_code == 422
    assert publiceer(client, issuer, did, records=[rid]).status_code == 200
    # Now the public sees the dossier, but still not who answers for it.
    assert client.get(f"/dossiers/{did}/publiek").status_code == 403
    own = client.get(f"/dossiers/{did}/publiek", headers=headers(issuer, MILA))
    assert own.status_code == 200 and own.json()["online"] is True


def test_dutch_dates_in_amsterdam_time() -> None:
    # 23:30 UTC on 28 March 2026 is already the 29th in Amsterdam (and summer time starts).
    moment = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert weergave.datum(moment) == "29 maart 2026"
    assert weergave.datumtijd(moment) == "29 maart 2026, 0.30 uur"
    assert weergave.datum(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == "1 juli 2026"
    assert weergave.datumtijd(datetime(2026, 7, 1, 12, 5, tzinfo=UTC)) == "1 juli 2026, 14.05 uur"
    assert weergave.datum(date(2026, 12, 31)) == "31 december 2026"
    assert weergave.datum("2026-05-04") == "4 mei 2026"
    assert weergave.grootte(999) == "999 bytes"
    assert weergave.grootte(1_400_000) == "1,4 MB"
    assert weergave.grootte(12_345) == "12 kB"
