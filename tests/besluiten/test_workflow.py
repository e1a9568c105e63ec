# SPDX-License-Identifier: EUPL-1.2
"""The besluitnota workflow through the API: order, roles, returns, refusal, publication, audit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from archief.audit.chain import verify
from archief.besluiten import flow
from archief.catalog.models import AuditEntry, Besluit, Record
from archief.composition import Container
from tests.besluiten.conftest import (
    AD,
    AD_ELDERS,
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
from tests.oidc import LocalIssuer

FULL = [
    "opgesteld",
    "paraaf_ad",
    "paraaf_portefeuillehouder",
    "paraaf_gemeentesecretaris",
    "collegebesluit",
    "raadsvoorstel",
    "raadsbesluit",
    "publicatie",
]


def _vergrendeld(world: Container, record_id: str) -> str | None:
    with world.sessions() as session:
        record = session.get(Record, record_id)
        assert record is not None
        return record.vergrendeld_door


def test_the_full_path_with_a_raadsvoorstel(
    world: Container, client: TestClient, issuer: LocalIssuer, zaak: Zaak
) -> None:
    created = zaak.besluit
    assert re.fullmatch(r"BN-\d{4}-\d{4,}", created["kenmerk"])
    assert (created["fase"], created["steller_naam"]) == ("concept", STELLER.naam)
    assert soorten(created) == ["opgesteld"]
    assert [r["id"] for r in created["stappen"][0]["records"]] == [zaak.nota]
    assert created["volgende"] == ["paraaf_ad", "teruggestuurd"]
    voorstel = zaak.record("raad", "Raadsvoorstel speeltuin.")
    besluitdoc = zaak.record("raad", "Raadsbesluit speeltuin.")

    assert zaak.ok(AD, "paraaf_ad")["fase"] == "ad"
    assert _vergrendeld(world, zaak.nota) is None
    assert zaak.ok(PH, "paraaf_portefeuillehouder")["fase"] == "portefeuillehouder"
    assert _vergrendeld(world, zaak.nota) == zaak.id
    assert zaak.ok(GS, "paraaf_gemeentesecretaris")["fase"] == "gemeentesecretaris"
    assert zaak.ok(PH, "collegebesluit", uitkomst="vastgesteld")["fase"] == "collegebesluit"
    step = zaak.ok(GS, "raadsvoorstel", records=[voorstel])
    assert [r["id"] for r in step["stap"]["records"]] == [voorstel]
    assert zaak.ok(GRIFFIE, "raadsbesluit", uitkomst="aangenomen")["fase"] == "raadsbesluit"

    # Publication waits for its records to be public, and names the ones that are not.
    refused = zaak.stap(GRIFFIE, "publicatie", records=[besluitdoc])
    assert refused.status_code == 409, refused.text
    assert (refused.json()["code"], refused.json()["records"]) == ("niet_openbaar", [besluitdoc])
    published = client.post(f"/records/{besluitdoc}/publicatie", headers=auth(issuer, AD))
    assert published.status_code == 200, published.text
    done = zaak.ok(GRIFFIE, "publicatie", records=[besluitdoc])
    assert (done["fase"], done["volgende"]) == ("gepubliceerd", [])

    view = zaak.view(STELLER).json()
    assert soorten(view) == FULL
    assert view["fase"] == "gepubliceerd"
    assert view["steller_naam"] == STELLER.naam
    assert [s["actor_naam"] for s in view["stappen"]] == [
        who.naam for who in (STELLER, AD, PH, GS, PH, GS, GRIFFIE, GRIFFIE)
    ]
    datums = [datetime.fromisoformat(s["datum"]) for s in view["stappen"]]
    assert datums == sorted(datums) and len(set(datums)) == len(datums)
    assert zaak.view(STELLER, "/tijdlijn").json() == view["stappen"]

    with world.sessions() as session:
        entries = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.object_type == "besluit", AuditEntry.object_id == zaak.id)
                .order_by(AuditEntry.seq)
            )
        )
        assert [e.actie for e in entries] == [f"besluit.{s}" for s in FULL]
        assert [e.details["stap"] for e in entries if e.details] == [
            s["id"] for s in view["stappen"]
        ]
        assert [(e.voor or {}).get("fase") for e in entries[1:]] == [
            s["fase"] for s in view["stappen"][:-1]
        ]
        assert [e.na["fase"] for e in entries if e.na] == [s["fase"] for s in view["stappen"]]
        lock = session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_id == zaak.nota, AuditEntry.actie == "record.vergrendeld"
            )
        ).one()
        assert lock.na == {"vergrendeld_door": zaak.id}
        assert verify(session).ok


def test_each_paraaf_out_of_order_is_refused_with_what_may_come_next(zaak: Zaak) -> None:
    for who, soort, extra in (
        (PH, "paraaf_portefeuillehouder", {}),
        (GS, "paraaf_gemeentesecretaris", {}),
        (GS, "agendering_geweigerd", {"toelichting": "te vroeg"}),
        (PH, "collegebesluit", {"uitkomst": "vastgesteld"}),
        (GS, "publicatie", {}),
        (STELLER, "opgesteld", {}),
    ):
        resp = zaak.stap(who, soort, **extra)
        assert resp.status_code == 409, (soort, resp.text)
        body = resp.json()
        assert body["code"] == "stap_buiten_volgorde"
        assert (body["fase"], body["volgende"]) == ("concept", flow.volgende("concept"))
    zaak.ok(AD, "paraaf_ad")
    for who, soort in ((AD, "paraaf_ad"), (GS, "paraaf_gemeentesecretaris")):
        resp = zaak.stap(who, soort)
        assert resp.json()["code"] == "stap_buiten_volgorde", resp.text
        assert resp.json()["volgende"] == ["teruggestuurd", "paraaf_portefeuillehouder"]
    zaak.ok(PH, "paraaf_portefeuillehouder")
    resp = zaak.stap(PH, "teruggestuurd", toelichting="toch niet")  # too late: locked
    assert resp.json()["code"] == "stap_buiten_volgorde"
    assert resp.json()["volgende"] == ["paraaf_gemeentesecretaris", "agendering_geweigerd"]
    # Nothing refused left a trace.
    assert soorten(zaak.view(STELLER).json()) == [
        "opgesteld",
        "paraaf_ad",
        "paraaf_portefeuillehouder",
    ]


def test_the_wrong_role_is_refused_and_who_cannot_see_gets_404(zaak: Zaak) -> None:
    # Those who see the memo (college layer of their afdeling/dienst, or college) get a 403.
    for who in (STELLER, COLLEGA, PH, GS):
        resp = zaak.stap(who, "paraaf_ad")
        assert resp.status_code == 403, (who.id, resp.text)
        assert resp.json()["code"] == "forbidden"
    # Those who cannot see it at all learn nothing: 404, as for a besluit that does not exist.
    for who in (RAADSLID, GRIFFIE, ELDERS, PUBLIEK):
        resp = zaak.stap(who, "paraaf_ad")
        assert resp.status_code == 404, (who.id, resp.text)
        assert zaak.view(who).status_code == 404
    missing = zaak.client.post(
        "/besluiten/00000000-0000-4000-8000-000000000000/stappen",
        json={"soort": "paraaf_ad"},
        headers=auth(zaak.issuer, AD),
    )
    assert missing.status_code == 404
    assert soorten(zaak.view(STELLER).json()) == ["opgesteld"]
    # The right role in the wrong order is a 409, not a 403.
    assert zaak.stap(GRIFFIE, "raadsbesluit", uitkomst="aangenomen").status_code == 404
    assert zaak.stap(PH, "raadsvoorstel").status_code == 409


def test_an_ad_of_another_dienst_may_not_initial(zaak: Zaak) -> None:
    resp = zaak.stap(AD_ELDERS, "paraaf_ad")
    assert resp.status_code == 404, resp.text
    assert zaak.stap(AD_ELDERS, "teruggestuurd", toelichting="nee").status_code == 404
    assert zaak.view(STELLER).json()["fase"] == "concept"
    assert zaak.ok(AD, "paraaf_ad")["fase"] == "ad"


def test_a_return_needs_a_reason_and_the_parafen_start_again(zaak: Zaak) -> None:
    missing = zaak.stap(AD, "teruggestuurd", toelichting="  ")
    assert (missing.status_code, missing.json()["code"]) == (422, "stap_ongeldig")
    zaak.ok(AD, "paraaf_ad")
    back = zaak.ok(AD, "teruggestuurd", toelichting="Financiële paragraaf ontbreekt.")
    assert back["fase"] == "concept"
    assert back["stap"]["toelichting"] == "Financiële paragraaf ontbreekt."
    assert zaak.stap(PH, "paraaf_portefeuillehouder").json()["code"] == "stap_buiten_volgorde"
    zaak.ok(AD, "paraaf_ad")
    assert zaak.ok(PH, "teruggestuurd", toelichting="Eerst wijkoverleg.")["fase"] == "concept"
    zaak.ok(AD, "paraaf_ad")
    zaak.ok(PH, "paraaf_portefeuillehouder")
    assert soorten(zaak.view(STELLER).json()) == [
        "opgesteld",
        "paraaf_ad",
        "teruggestuurd",
        "paraaf_ad",
        "teruggestuurd",
        "paraaf_ad",
        "paraaf_portefeuillehouder",
    ]


def test_the_gemeentesecretaris_may_refuse_the_agenda_for_good(
    world: Container, client: TestClient, issuer: LocalIssuer, zaak: Zaak
) -> None:
    zaak.ok(AD, "paraaf_ad")
    zaak.ok(PH, "paraaf_portefeuillehouder")
    assert zaak.stap(GS, "agendering_geweigerd").json()["code"] == "stap_ongeldig"
    refused = zaak.ok(GS, "agendering_geweigerd", toelichting="Niet rijp voor besluitvorming.")
    assert (refused["fase"], refused["volgende"]) == ("agendering_geweigerd", [])
    after = zaak.stap(PH, "collegebesluit", uitkomst="vastgesteld")
    assert (after.status_code, after.json()["volgende"]) == (409, [])
    # It stays locked, and the memo cannot be put forward again by another besluit.
    assert _vergrendeld(world, zaak.nota) == zaak.id
    again = client.post(
        "/besluiten",
        json={"dossier": zaak.dossier, "onderwerp": "Opnieuw", "nota": zaak.nota},
        headers=auth(issuer, STELLER),
    )
    assert (again.status_code, again.json()["code"]) == (409, "nota_in_gebruik")


def test_outcomes_dates_and_records_are_validated(
    world: Container, client: TestClient, issuer: LocalIssuer, zaak: Zaak
) -> None:
    resp = zaak.stap(AD, "paraaf_ad", uitkomst="vastgesteld")
    assert (resp.status_code, resp.json()["code"]) == (422, "stap_ongeldig")
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    resp = zaak.stap(AD, "paraaf_ad", datum=future)
    assert (resp.status_code, resp.json()["field"]) == (422, "datum")
    before = (datetime.now(UTC) - timedelta(days=400)).isoformat()
    resp = zaak.stap(AD, "paraaf_ad", datum=before)
    assert (resp.status_code, resp.json()["field"]) == (422, "datum")
    # A record of another dossier, one that does not exist, or one the actor cannot
    # read (the portefeuillehouder does not see the afdeling's working layer) read alike.
    other = new_zaak(world, client, issuer)
    werk = zaak.record("afdeling", "Werkaantekening.")
    for who, soort, rid in (
        (AD, "paraaf_ad", other.nota),
        (AD, "paraaf_ad", "no-such-record"),
        (AD, "paraaf_ad", None),
        (PH, "paraaf_portefeuillehouder", werk),
    ):
        if rid is None:
            zaak.ok(AD, "paraaf_ad", records=[werk])  # the AD does read it
            continue
        resp = zaak.stap(who, soort, records=[rid])
        assert (resp.status_code, resp.json()["code"]) == (422, "stap_ongeldig"), resp.text
        assert resp.json()["record"] == rid
    # Unknown kinds are refused before anything else is said.
    assert zaak.stap(AD, "paraaf_wethouder").json()["code"] == "stap_ongeldig"
    zaak.ok(PH, "paraaf_portefeuillehouder")
    zaak.ok(GS, "paraaf_gemeentesecretaris")
    bad = zaak.stap(PH, "collegebesluit", uitkomst="aangenomen")
    assert bad.json()["uitkomsten"] == ["vastgesteld", "gewijzigd", "aangehouden", "verworpen"]
    assert zaak.ok(PH, "collegebesluit", uitkomst="aangehouden")["fase"] == "college_aangehouden"
    assert zaak.ok(GS, "collegebesluit", uitkomst="verworpen")["volgende"] == []
    with world.sessions() as session:
        besluit = session.get(Besluit, zaak.id)
        assert besluit is not None and besluit.fase == "college_verworpen"


def test_creating_needs_write_in_the_memos_layer_and_a_free_kenmerk(
    world: Container, client: TestClient, issuer: LocalIssuer, zaak: Zaak
) -> None:
    nota = zaak.record("college", "Tweede nota.")
    body = {"dossier": zaak.dossier, "onderwerp": "Tweede", "nota": nota}
    # Someone of another dienst sees no record of this dossier: it does not exist for them.
    assert client.post("/besluiten", json=body, headers=auth(issuer, ELDERS)).status_code == 404
    # The AD reads the college layer of the dienst but may not write in it.
    resp = client.post("/besluiten", json=body, headers=auth(issuer, AD))
    assert (resp.status_code, resp.json()["code"]) == (403, "forbidden")
    taken = client.post(
        "/besluiten",
        json={**body, "kenmerk": zaak.besluit["kenmerk"]},
        headers=auth(issuer, COLLEGA),
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "kenmerk_bezet")
    own = f"BN-EIGEN-{zaak.dossier}"
    made = client.post(
        "/besluiten",
        json={**body, "kenmerk": own, "steller_naam": "C. Collega namens Stadsbeheer"},
        headers=auth(issuer, COLLEGA),
    )
    assert made.status_code == 201, made.text
    assert (made.json()["kenmerk"], made.json()["steller_naam"]) == (
        own,
        "C. Collega namens Stadsbeheer",
    )
    elsewhere = client.post(
        "/besluiten",
        json={**body, "nota": new_zaak(world, client, issuer).nota},
        headers=auth(issuer, STELLER),
    )
    assert elsewhere.status_code == 404
