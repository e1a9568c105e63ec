# SPDX-License-Identifier: EUPL-1.2
"""Every action leaves an entry; reading the trail is authorised, filtered and logged."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from archief.audit.chain import verify
from archief.catalog.models import AuditEntry
from archief.composition import Container
from policies.engine import PolicyTexts
from policies.subject import Subject
from tests.access.conftest import add_record, headers
from tests.oidc import LocalIssuer

ALICE = Subject("alice", ("medewerker",), "wijkzaken")
CHEF = Subject("chef", ("leidinggevende",), "openbare-ruimte")
ARCHIVARIS = Subject("arie", ("archivaris",))
BEHEER = Subject("bea", ("beheerder",))
RAAD = Subject("rita", ("raadslid",))


def _kenmerk() -> str:
    return f"T-AUD-{uuid.uuid4().hex[:8]}"


def _entries(world: Container, object_id: str) -> list[AuditEntry]:
    with world.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.object_id == object_id).order_by(AuditEntry.seq)
            )
        )


def test_every_action_on_a_record_is_logged_with_actor_and_values(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    rid, did = add_record(world, _kenmerk(), "wijkzaken", "afdeling", "Schouwverslag.", "s.txt")
    alice = headers(issuer, ALICE)
    assert client.get(f"/records/{rid}", headers=alice).status_code == 200
    assert client.get(f"/records/{rid}/pages", headers=alice).status_code == 200
    assert client.get(f"/records/{rid}/download", headers=alice).status_code == 200
    moved = client.post(f"/records/{rid}/laag", json={"laag": "organisatie"}, headers=alice)
    assert moved.status_code == 200, moved.text
    assert client.patch(f"/records/{rid}", json={"titel": "Schouw 2026"}, headers=alice).is_success
    assert client.post(f"/records/{rid}/publicatie", headers=alice).is_success
    assert client.delete(f"/records/{rid}/publicatie", headers=alice).is_success

    entries = _entries(world, rid)
    assert [e.actie for e in entries] == [
        "record.aangemaakt",
        "record.geopend",
        "record.geopend",
        "record.gedownload",
        "record.verplaatst",
        "record.metadata",
        "record.gepubliceerd",
        "record.ingetrokken",
    ]
    assert {e.actor for e in entries[1:]} == {"oidc:alice"}
    assert all(e.dossier_id == did for e in entries)
    move = entries[4]
    assert (move.voor, move.na) == ({"laag": "afdeling"}, {"laag": "organisatie"})
    assert entries[5].voor == {"titel": "s"} and entries[5].na == {"titel": "Schouw 2026"}
    assert entries[7].na == {"laag": "organisatie"}
    with world.sessions() as session:
        assert verify(session).ok


def test_a_refused_action_changes_nothing_and_logs_nothing(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "afdeling", "Intern.", "i.txt")
    before = len(_entries(world, rid))
    raad = headers(issuer, RAAD)
    assert client.get(f"/records/{rid}", headers=raad).status_code == 404
    assert (
        client.post(f"/records/{rid}/laag", json={"laag": "raad"}, headers=raad).status_code == 404
    )
    assert len(_entries(world, rid)) == before


def test_a_policy_change_is_logged_with_both_versions(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    beheer = headers(issuer, BEHEER)
    default = PolicyTexts.default()
    changed = default.regels + "\n# audit test " + uuid.uuid4().hex + "\n"
    put = client.put(
        "/beleid",
        json={"regels": changed, "lagen": default.lagen, "toelichting": "test"},
        headers=beheer,
    )
    assert put.status_code == 200, put.text
    versie = put.json()["versie"]
    (entry,) = _entries(world, str(versie))
    assert entry.actie == "beleid.gewijzigd"
    assert entry.actor == "oidc:bea"
    assert entry.na is not None and entry.na["versie"] == versie
    assert entry.voor is not None and entry.voor["versie"] < versie


def _trail(client: TestClient, auth: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    resp = client.get("/audit", params=params, headers=auth)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


def test_reading_the_trail_needs_the_right_and_is_itself_logged(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "afdeling", "Te lezen.", "l.txt")
    assert client.get("/audit", headers=headers(issuer, ALICE)).status_code == 403
    assert client.get("/audit").status_code == 403
    arie = headers(issuer, ARCHIVARIS)
    items = _trail(client, arie, object_id=rid)
    assert [i["actie"] for i in items] == ["record.aangemaakt"]
    logged = [e for e in _entries(world, "trail") if e.actor == "oidc:arie"]
    assert logged and logged[-1].actie == "audit.gelezen"
    assert logged[-1].details is not None
    assert logged[-1].details["filter"] == {"object_id": rid}


def test_the_trail_shows_only_entries_about_what_the_reader_may_see(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    # The management layer is closed to archivists (see beleid.csv).
    secret, did = add_record(world, _kenmerk(), "openbare-ruimte", "leiding", "Personeel.", "p.txt")
    chef = headers(issuer, CHEF)
    assert client.get(f"/records/{secret}", headers=chef).status_code == 200
    arie = headers(issuer, ARCHIVARIS)
    assert _trail(client, arie, object_id=secret) == []
    assert _trail(client, arie, dossier=did) == []
    # Their managers' own auditor view is not theirs either: no audit right.
    assert client.get("/audit", params={"object_id": secret}, headers=chef).status_code == 403
    # The beheerder audits too, but reads only the public layer.
    assert _trail(client, headers(issuer, BEHEER), object_id=secret) == []


def test_paging_follows_the_chain(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "organisatie", "Veel.", "v.txt")
    alice = headers(issuer, ALICE)
    for _ in range(5):
        assert client.get(f"/records/{rid}", headers=alice).status_code == 200
    arie = headers(issuer, ARCHIVARIS)
    seen: list[int] = []
    after = 0
    while True:
        resp = client.get(
            "/audit", params={"object_id": rid, "size": 2, "after": after}, headers=arie
        ).json()
        seen += [i["seq"] for i in resp["items"]]
        if resp["next_after"] is None:
            break
        after = resp["next_after"]
    assert len(seen) == 6
    assert seen == sorted(set(seen))


def test_verification_over_the_api(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    assert client.get("/audit/verificatie", headers=headers(issuer, ALICE)).status_code == 403
    resp = client.get("/audit/verificatie", headers=headers(issuer, ARCHIVARIS))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["ok"] is True, body["problems"]
    with world.sessions() as session:
        head = verify(session).head_seq
    # The verification itself was logged after the walk.
    assert body["entries"] == head - 1
