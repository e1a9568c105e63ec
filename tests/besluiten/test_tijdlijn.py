# SPDX-License-Identifier: EUPL-1.2
"""Track and trace: who sees which steps, records and versions; the Atom feed; kenmerk lookup."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from archief.catalog.models import BesluitStap
from archief.cli import app as cli
from archief.composition import Container
from policies.engine import Policy
from policies.subject import Subject, Target
from tests.access.conftest import with_dienst
from tests.besluiten.conftest import (
    AD,
    AD_ELDERS,
    AFDELING,
    COLLEGA,
    ELDERS,
    GRIFFIE,
    GS,
    PH,
    PUBLIEK,
    RAADSLID,
    STELLER,
    Zaak,
    auth,
    new_zaak,
    soorten,
)
from tests.conftest import settings_env
from tests.oidc import LocalIssuer

ATOM = "{http://www.w3.org/2005/Atom}"
IEDEREEN = (STELLER, COLLEGA, AD, AD_ELDERS, ELDERS, PH, GS, GRIFFIE, RAADSLID, PUBLIEK)
ALLES = [
    "opgesteld",
    "paraaf_ad",
    "paraaf_portefeuillehouder",
    "paraaf_gemeentesecretaris",
    "collegebesluit",
    "raadsvoorstel",
    "raadsbesluit",
    "publicatie",
]
RAAD_EN_OPENBAAR = ["collegebesluit", "raadsvoorstel", "raadsbesluit", "publicatie"]


@dataclass
class Gepubliceerd:
    zaak: Zaak
    voorstel: str  # in the raad layer
    besluitdoc: str  # published
    geheim: str  # a word only in a college-layer step
    hidden: Zaak  # another besluit, still a concept


@pytest.fixture(scope="module")
def gepubliceerd(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> Iterator[Gepubliceerd]:
    zaak = new_zaak(world, client, issuer)
    geheim = f"kanarie{uuid.uuid4().hex[:10]}"
    voorstel = zaak.record("raad", "Raadsvoorstel.")
    besluitdoc = zaak.record("raad", "Raadsbesluit.")
    zaak.ok(AD, "paraaf_ad", toelichting=f"Akkoord, maar {geheim}.")
    zaak.ok(PH, "paraaf_portefeuillehouder")
    zaak.ok(GS, "paraaf_gemeentesecretaris")
    zaak.ok(PH, "collegebesluit", uitkomst="vastgesteld", records=[zaak.nota])
    zaak.ok(GS, "raadsvoorstel", records=[voorstel])
    zaak.ok(GRIFFIE, "raadsbesluit", uitkomst="aangenomen", records=[voorstel])
    assert client.post(f"/records/{besluitdoc}/publicatie", headers=auth(issuer, AD)).is_success
    zaak.ok(
        GRIFFIE,
        "publicatie",
        records=[besluitdoc],
        toelichting="<b>Openbaar</b> & 'bekendgemaakt' ]]>",
    )
    yield Gepubliceerd(zaak, voorstel, besluitdoc, geheim, new_zaak(world, client, issuer))


def _expected(world: Container, who: Subject, lagen: list[str]) -> list[bool]:
    """casbin's own answer, per step layer, for this subject on the dossier."""
    policy = Policy.default()
    subject = with_dienst(world, who)
    return [
        policy.enforce(subject, Target(laag, AFDELING, "stadsbeheer"), "read") for laag in lagen
    ]


def test_each_role_sees_exactly_its_steps(world: Container, gepubliceerd: Gepubliceerd) -> None:
    zaak = gepubliceerd.zaak
    full = zaak.view(STELLER).json()
    assert soorten(full) == ALLES
    lagen = [s["laag"] for s in full["stappen"]]
    expected = {
        STELLER: ALLES,
        COLLEGA: ALLES,
        AD: ALLES,
        PH: ALLES,
        GS: ALLES,
        AD_ELDERS: RAAD_EN_OPENBAAR,
        ELDERS: RAAD_EN_OPENBAAR,
        GRIFFIE: RAAD_EN_OPENBAAR,
        RAADSLID: RAAD_EN_OPENBAAR,
        PUBLIEK: ["publicatie"],
    }
    for who in IEDEREEN:
        view = zaak.view(who)
        assert view.status_code == 200, (who.id, view.text)
        seen = soorten(view.json())
        assert seen == expected[who], who.id
        # The same answer casbin gives, step by step.
        oracle = _expected(world, who, lagen)
        assert seen == [s for s, ok in zip(ALLES, oracle, strict=True) if ok], who.id
        assert view.json()["steller_naam"] == STELLER.naam
        assert view.json()["fase"] == "gepubliceerd"
        assert [s["soort"] for s in zaak.view(who, "/tijdlijn").json()] == seen


def test_linked_records_show_only_when_readable_now(gepubliceerd: Gepubliceerd) -> None:
    zaak, voorstel, doc = gepubliceerd.zaak, gepubliceerd.voorstel, gepubliceerd.besluitdoc

    def records(who: Subject) -> dict[str, list[str]]:
        view = zaak.view(who).json()
        return {s["soort"]: [r["id"] for r in s["records"]] for s in view["stappen"]}

    assert records(STELLER)["collegebesluit"] == [zaak.nota]
    assert zaak.view(STELLER).json()["nota"]["id"] == zaak.nota
    raad = records(RAADSLID)
    assert raad == {
        "collegebesluit": [],
        "raadsvoorstel": [voorstel],
        "raadsbesluit": [voorstel],
        "publicatie": [doc],
    }
    assert zaak.view(RAADSLID).json()["nota"] is None
    assert records(PUBLIEK) == {"publicatie": [doc]}


def test_hidden_things_appear_in_no_body(
    client: TestClient, issuer: LocalIssuer, gepubliceerd: Gepubliceerd
) -> None:
    zaak = gepubliceerd.zaak
    paths = [
        f"/besluiten/{zaak.id}",
        f"/besluiten/{zaak.id}/tijdlijn",
        f"/besluiten/{zaak.id}/tijdlijn.atom",
        f"/dossiers/{zaak.dossier_id}/tijdlijn",
        f"/kenmerk/{zaak.besluit['kenmerk']}",
        f"/kenmerk/{zaak.dossier}",
    ]
    for who in (RAADSLID, PUBLIEK, ELDERS):
        for path in paths:
            resp = client.get(path, headers=auth(issuer, who))
            assert resp.status_code == 200, (who.id, path, resp.text)
            for secret in (gepubliceerd.geheim, zaak.nota, "paraaf_ad", "opgesteld"):
                assert secret not in resp.text, (who.id, path, secret)
    # The canary is really there, for those who may see it.
    for path in paths[:4]:
        assert gepubliceerd.geheim in client.get(path, headers=auth(issuer, STELLER)).text, path


def _events(client: TestClient, issuer: LocalIssuer, who: Subject, dossier_id: str) -> Any:
    resp = client.get(f"/dossiers/{dossier_id}/tijdlijn", headers=auth(issuer, who))
    assert resp.status_code == 200, (who.id, resp.text)
    return resp.json()["events"]


def test_the_dossier_timeline_shows_versions_only_in_readable_layers(
    client: TestClient, issuer: LocalIssuer, gepubliceerd: Gepubliceerd
) -> None:
    zaak, voorstel, doc = gepubliceerd.zaak, gepubliceerd.voorstel, gepubliceerd.besluitdoc

    def summary(who: Subject) -> list[tuple[str, str | None]]:
        events = _events(client, issuer, who, zaak.dossier_id)
        datums = [datetime.fromisoformat(e["datum"]) for e in events]
        assert datums == sorted(datums), who.id
        return sorted((e["actie"], (e["record"] or {}).get("id")) for e in events)

    def besluit(kinds: list[str]) -> list[tuple[str, str | None]]:
        return [(f"besluit.{kind}", None) for kind in kinds]

    assert summary(PUBLIEK) == sorted([*besluit(["publicatie"]), ("record.gepubliceerd", doc)])
    assert summary(RAADSLID) == sorted(
        [
            *besluit(RAAD_EN_OPENBAAR),
            ("record.aangemaakt", voorstel),
            ("record.aangemaakt", doc),
            ("record.gepubliceerd", doc),
        ]
    )
    assert summary(STELLER) == sorted(
        [
            *besluit(ALLES),
            ("record.aangemaakt", zaak.nota),
            ("record.vergrendeld", zaak.nota),
            ("record.aangemaakt", voorstel),
            ("record.aangemaakt", doc),
            ("record.gepubliceerd", doc),
        ]
    )
    # A dossier the caller can see nothing of does not exist for them.
    hidden = gepubliceerd.hidden
    for who in (PUBLIEK, RAADSLID):
        resp = client.get(f"/dossiers/{hidden.dossier_id}/tijdlijn", headers=auth(issuer, who))
        assert resp.status_code == 404, who.id


def test_the_atom_feed_has_one_entry_per_visible_step(
    client: TestClient, issuer: LocalIssuer, gepubliceerd: Gepubliceerd
) -> None:
    zaak = gepubliceerd.zaak
    for who in (STELLER, RAADSLID, PUBLIEK):
        resp = zaak.view(who, "/tijdlijn.atom")
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(resp.content)
        assert root.tag == f"{ATOM}feed"
        assert root.findtext(f"{ATOM}id") == f"urn:uuid:{zaak.id}"
        assert datetime.fromisoformat(root.findtext(f"{ATOM}updated") or "")
        assert root.find(f"{ATOM}link[@rel='self']") is not None
        stappen = zaak.view(who, "/tijdlijn").json()
        entries = root.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}id") for e in entries] == [
            f"urn:uuid:{s['id']}" for s in stappen
        ]
        for entry in entries:
            for child in ("title", "updated", "author/" + ATOM + "name", "content"):
                assert entry.find(f"{ATOM}{child}") is not None, child
        published = entries[-1]
        content = published.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "text"
        # Markup in a toelichting stays text.
        assert "<b>Openbaar</b> & 'bekendgemaakt' ]]>" in (content.text or "")
        assert list(content) == []
        related = [link.get("href") for link in published.findall(f"{ATOM}link[@rel='related']")]
        assert related == [f"http://testserver/records/{gepubliceerd.besluitdoc}"]
    assert (
        len(ET.fromstring(zaak.view(PUBLIEK, "/tijdlijn.atom").content).findall(f"{ATOM}entry"))
        == 1
    )
    hidden = gepubliceerd.hidden
    assert hidden.view(PUBLIEK, "/tijdlijn.atom").status_code == 404


def test_kenmerk_lookup_resolves_only_what_the_caller_sees(
    client: TestClient, issuer: LocalIssuer, gepubliceerd: Gepubliceerd
) -> None:
    zaak, hidden = gepubliceerd.zaak, gepubliceerd.hidden

    def lookup(who: Subject, kenmerk: str) -> Any:
        return client.get(f"/kenmerk/{kenmerk}", headers=auth(issuer, who))

    found = lookup(PUBLIEK, zaak.besluit["kenmerk"])
    assert found.status_code == 200
    assert (found.json()["soort"], found.json()["url"]) == ("besluit", f"/besluiten/{zaak.id}")
    dossier = lookup(PUBLIEK, zaak.dossier).json()
    assert (dossier["soort"], dossier["id"]) == ("dossier", zaak.dossier_id)
    for who in (PUBLIEK, RAADSLID, ELDERS):
        assert lookup(who, hidden.besluit["kenmerk"]).status_code == 404, who.id
        assert lookup(who, hidden.dossier).status_code == 404, who.id
    own = lookup(STELLER, hidden.besluit["kenmerk"])
    assert (own.status_code, own.json()["id"]) == (200, hidden.id)
    assert lookup(STELLER, "BN-0000-0000").status_code == 404
    assert hidden.view(RAADSLID).status_code == 404
    assert hidden.view(PUBLIEK, "/tijdlijn").status_code == 404


def test_steps_are_append_only(world: Container, gepubliceerd: Gepubliceerd) -> None:
    with pytest.raises(DBAPIError, match="append-only"), world.sessions.begin() as session:
        session.execute(
            update(BesluitStap)
            .where(BesluitStap.besluit_id == gepubliceerd.zaak.id)
            .values(toelichting="herschreven")
        )


def test_the_operator_sees_the_whole_timeline_at_the_command_line(
    world: Container, gepubliceerd: Gepubliceerd
) -> None:
    env = {**settings_env(world.settings), "COLUMNS": "400"}
    zaak = gepubliceerd.zaak
    result = CliRunner().invoke(cli, ["besluit", "toon", zaak.besluit["kenmerk"]], env=env)
    assert result.exit_code == 0, result.output
    for soort in ALLES:
        assert soort in result.output
    assert gepubliceerd.geheim in result.output
    assert str(STELLER.naam) in result.output
    missing = CliRunner().invoke(cli, ["besluit", "toon", "BN-0000-0000"], env=env)
    assert missing.exit_code == 1


def test_an_ad_of_another_dienst_is_refused_where_they_can_see(
    gepubliceerd: Gepubliceerd,
) -> None:
    zaak = gepubliceerd.zaak
    # They see the council steps of this dossier, so the besluit exists for them...
    assert zaak.view(AD_ELDERS).status_code == 200
    # ...but a paraaf counts only from an AD of the dossier's own dienst: 403 before order.
    resp = zaak.stap(AD_ELDERS, "paraaf_ad")
    assert (resp.status_code, resp.json()["code"]) == (403, "forbidden")
    assert "stadsbeheer" in resp.json()["detail"]
    own = zaak.stap(AD, "paraaf_ad")
    assert (own.status_code, own.json()["code"]) == (409, "stap_buiten_volgorde")
