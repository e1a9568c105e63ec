# SPDX-License-Identifier: EUPL-1.2
"""GET /dossiers/{id}?as_of= shows the dossier as it was, for the ombudsman under a grant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from archief.catalog.models import Besluit, BesluitStap
from archief.clock import AMSTERDAM
from archief.composition import Container
from policies.engine import ROLLEN, Policy, PolicyTexts
from policies.subject import Subject, Target
from tests.access.conftest import headers
from tests.oidc import LocalIssuer
from tests.reconstructie.conftest import OLGA, Geschiedenis, add, grant, new_dossier


def _at(client: TestClient, issuer: LocalIssuer, g: Geschiedenis, moment: datetime) -> Any:
    resp = client.get(
        f"/dossiers/{g.dossier_id}",
        params={"as_of": moment.isoformat()},
        headers=headers(issuer, OLGA),
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def _docs(body: Any) -> dict[str, Any]:
    return {d["record_id"]: d for d in body["data"]["documenten"]}


def _policy_then(regels: str) -> Policy:
    return Policy(PolicyTexts(PolicyTexts.default().model, regels, PolicyTexts.default().lagen))


def _check_readers(body: Any, policy: Policy) -> int:
    """Every reader cell agrees with casbin, asked with the real organisation's names."""
    checked = 0
    for doc in body["data"]["documenten"]:
        target = Target(doc["laag"], "wijkzaken", "stadsbeheer")
        for rol in ROLLEN:
            if rol == "systeem":
                assert rol not in doc["lezers"]
                continue
            standings = {
                "eigen_afdeling": Subject("x", (rol,), "wijkzaken", "stadsbeheer"),
                "zelfde_dienst": Subject("x", (rol,), "openbare-ruimte", "stadsbeheer"),
                "andere_dienst": Subject("x", (rol,), "onderwijs", "ocsw"),
                "buiten_organisatie": Subject("x", (rol,)),
            }
            for stand, subject in standings.items():
                assert (stand in doc["lezers"][rol]) == policy.enforce(subject, target, "read"), (
                    doc["titel"],
                    rol,
                    stand,
                )
                checked += 1
    return checked


def test_layers_versions_and_readers_follow_the_history(
    client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    g = geschiedenis
    t1, t2, t3 = (_at(client, issuer, g, t) for t in (g.t1, g.t2, g.t3))

    # T1: three records, all in the afdeling layer, first versions; the late one absent.
    docs = _docs(t1)
    assert set(docs) == {g.naar_raad, g.gepubliceerd, g.vijandig}
    assert {d["laag"] for d in docs.values()} == {"afdeling"}
    assert {d["versie"] for d in docs.values()} == {1}
    assert docs[g.naar_raad]["vertrouwelijkheid"] == "zaakvertrouwelijk"
    assert docs[g.naar_raad]["lezers"]["raadslid"] == []
    assert docs[g.naar_raad]["lezers"]["medewerker"] == ["eigen_afdeling"]
    assert t1["data"]["dossier"]["kenmerk"] == g.kenmerk
    assert t1["data"]["dossier"]["dienst"] == "stadsbeheer"

    # T2: moved and published, second versions; still no late record.
    docs = _docs(t2)
    assert g.laat not in docs
    assert (docs[g.naar_raad]["laag"], docs[g.naar_raad]["versie"]) == ("raad", 2)
    assert (docs[g.gepubliceerd]["laag"], docs[g.gepubliceerd]["versie"]) == ("openbaar", 2)
    assert (docs[g.vijandig]["laag"], docs[g.vijandig]["versie"]) == ("afdeling", 1)
    assert [v["laag"] for v in docs[g.naar_raad]["geschiedenis"]] == ["afdeling", "raad"]
    assert "buiten_organisatie" in docs[g.naar_raad]["lezers"]["raadslid"]
    assert "buiten_organisatie" in docs[g.gepubliceerd]["lezers"]["publiek"]
    assert docs[g.vijandig]["lezers"]["publiek"] == []
    assert t2["data"]["beleid"]["versie"] == g.beleid_t2
    assert "raad" in t2["data"]["beleid"]["matrix"]["raadslid"]

    # T3: the late record is there; the stricter policy shuts the council out.
    docs = _docs(t3)
    assert g.laat in docs
    assert docs[g.laat]["laag"] == "organisatie"
    assert t3["data"]["beleid"]["versie"] == g.beleid_t3 > g.beleid_t2
    assert docs[g.naar_raad]["laag"] == "raad"
    assert docs[g.naar_raad]["lezers"]["raadslid"] == []
    assert "raad" not in t3["data"]["beleid"]["matrix"]["raadslid"]
    assert "buiten_organisatie" in docs[g.naar_raad]["lezers"]["griffie"]

    # Every cell, at every moment, is what casbin says under the policy of that moment.
    default = PolicyTexts.default().regels
    assert _check_readers(t1, _policy_then(default)) > 0
    assert _check_readers(t2, _policy_then(default)) > 0
    assert _check_readers(t3, _policy_then(g.stricter)) > 0


def test_audit_events_are_cut_at_the_moment(
    client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    g = geschiedenis
    bodies = {name: _at(client, issuer, g, t) for name, t in (("t1", g.t1), ("t2", g.t2))}
    bodies["t3"] = _at(client, issuer, g, g.t3)
    for name, moment in (("t1", g.t1), ("t2", g.t2), ("t3", g.t3)):
        events = bodies[name]["data"]["gebeurtenissen"]
        assert events, name
        assert all(datetime.fromisoformat(e["at"]) <= moment for e in events), name
        seqs = [e["seq"] for e in events]
        assert seqs == sorted(seqs)
    acties = {name: [e["actie"] for e in b["data"]["gebeurtenissen"]] for name, b in bodies.items()}
    assert acties["t1"].count("record.aangemaakt") == 3
    assert "dossier.aangemaakt" in acties["t1"]
    assert "record.verplaatst" not in acties["t1"]
    assert "record.gepubliceerd" not in acties["t1"]
    assert "record.verplaatst" in acties["t2"]
    assert "record.gepubliceerd" in acties["t2"]
    assert acties["t2"].count("record.aangemaakt") == 3
    assert acties["t3"].count("record.aangemaakt") == 4
    changes = [
        e for e in bodies["t3"]["data"]["gebeurtenissen"] if e["actie"] == "beleid.gewijzigd"
    ]
    assert changes[-1]["object_id"] == str(g.beleid_t3)
    # The grant (made after T3) and earlier uses are later than T3: not in it.
    assert "machtiging.verleend" not in acties["t3"]


def test_a_dossier_before_it_existed(
    client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    g = geschiedenis
    resp = client.get(
        f"/dossiers/{g.dossier_id}",
        params={"as_of": (g.t0 - timedelta(seconds=1)).isoformat()},
        headers=headers(issuer, OLGA),
    )
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_yet_created"


def test_a_future_or_garbled_moment_is_refused(
    client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    g = geschiedenis
    olga = headers(issuer, OLGA)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    for as_of in (tomorrow, (datetime.now(UTC) + timedelta(hours=1)).isoformat(), "gisteren!!"):
        resp = client.get(f"/dossiers/{g.dossier_id}", params={"as_of": as_of}, headers=olga)
        assert resp.status_code == 422, (as_of, resp.text)
        assert resp.json()["code"] == "invalid_as_of"
    # A date is the end of that day in Amsterdam; today means "up to now".
    today = datetime.now(AMSTERDAM).date().isoformat()
    resp = client.get(f"/dossiers/{g.dossier_id}", params={"as_of": today}, headers=olga)
    assert resp.status_code == 200, resp.text
    assert g.laat in _docs(resp.json())
    yesterday = (datetime.now(AMSTERDAM) - timedelta(days=1)).date().isoformat()
    resp = client.get(f"/dossiers/{g.dossier_id}", params={"as_of": yesterday}, headers=olga)
    assert resp.status_code == 404  # made today: it did not exist at the end of yesterday
    assert resp.json()["code"] == "not_yet_created"


def test_without_as_of_the_dossier_is_the_ordinary_one(
    client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    g = geschiedenis
    resp = client.get(f"/dossiers/{g.dossier_id}", headers=headers(issuer, OLGA))
    assert resp.status_code == 200
    # The ombudsman's everyday view is the public layer only, grant or not.
    assert resp.json()["per_laag"] == {"openbaar": 1}


def test_besluit_steps_are_cut_at_the_moment(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    dossier_id = new_dossier(world)
    nota = add(world, dossier_id, "college", "Besluitnota")
    besluit_id = str(uuid.uuid4())

    def step(volgnummer: int, soort: str, uitkomst: str | None) -> None:
        # Written as the besluit workflow writes them: append-only rows, `at` = when registered.
        with world.sessions.begin() as session:
            if volgnummer == 1:
                session.add(
                    Besluit(
                        id=besluit_id,
                        dossier_id=dossier_id,
                        kenmerk=f"B-{besluit_id[:8]}",
                        onderwerp="Speeltuin",
                        steller="oidc:alice",
                        steller_naam="Alice",
                        nota_record_id=nota,
                        fase="ad",
                        created_at=datetime.now(UTC),
                    )
                )
                session.flush()
            now = datetime.now(UTC)
            session.add(
                BesluitStap(
                    besluit_id=besluit_id,
                    volgnummer=volgnummer,
                    soort=soort,
                    laag="college",
                    datum=now,
                    actor="oidc:chef",
                    actor_naam="Chef",
                    uitkomst=uitkomst,
                    records=[nota],
                    at=now,
                )
            )

    step(1, "paraaf_ad", "akkoord")
    between = datetime.now(UTC)
    step(2, "paraaf_portefeuillehouder", "akkoord")
    piet = Subject("piet-besluit", ("ombudsman",))
    grant(client, issuer, piet, dossier_id)

    def steps_at(moment: datetime) -> list[tuple[int, str]]:
        resp = client.get(
            f"/dossiers/{dossier_id}",
            params={"as_of": moment.isoformat()},
            headers=headers(issuer, piet),
        )
        assert resp.status_code == 200, resp.text
        return [(s["volgnummer"], s["soort"]) for s in resp.json()["data"]["stappen"]]

    assert steps_at(between) == [(1, "paraaf_ad")]
    assert steps_at(datetime.now(UTC)) == [(1, "paraaf_ad"), (2, "paraaf_portefeuillehouder")]
