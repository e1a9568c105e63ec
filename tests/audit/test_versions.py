# SPDX-License-Identifier: EUPL-1.2
"""Versions: new content and new metadata make new versions; nothing is overwritten."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from archief.catalog.models import Record, RecordVersie
from archief.clock import AMSTERDAM
from archief.composition import Container
from archief.storage.common import original_key
from policies.subject import Subject
from tests.access.conftest import add_record, headers, refresh
from tests.oidc import LocalIssuer

ALICE = Subject("alice", ("medewerker",), "wijkzaken")
BOB = Subject("bob", ("medewerker",), "onderwijs")
RAAD = Subject("rita", ("raadslid",))


def _kenmerk() -> str:
    return f"T-VER-{uuid.uuid4().hex[:8]}"


def _search(client: TestClient, auth: dict[str, str], q: str) -> set[str]:
    body = client.get("/search", params={"q": q}, headers=auth).json()
    return {h["record_id"] for h in body["hits"]}


def test_new_content_is_a_new_version_and_the_old_bytes_stay(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    old_word, new_word = f"oud{uuid.uuid4().hex[:8]}", f"nieuw{uuid.uuid4().hex[:8]}"
    old_text = f"Conceptnota {old_word}.".encode()
    new_text = f"Herziene nota {new_word}.".encode()
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "organisatie", old_text.decode(), "n.txt")
    alice = headers(issuer, ALICE)
    resp = client.post(
        f"/records/{rid}/versies", files={"file": ("nota-v2.txt", new_text)}, headers=alice
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["gewijzigd"] is True
    assert resp.json()["record"]["sha256"] == hashlib.sha256(new_text).hexdigest()

    versions = client.get(f"/records/{rid}/versies", headers=alice).json()
    assert [(v["versie"], v["actie"]) for v in versions] == [(1, "aangemaakt"), (2, "inhoud")]
    assert versions[0]["sha256"] == hashlib.sha256(old_text).hexdigest()
    old = client.get(f"/records/{rid}/versies/1/download", headers=alice)
    assert old.status_code == 200 and old.content == old_text
    assert client.get(f"/records/{rid}/download", headers=alice).content == new_text
    # Both originals are in the store, each under its own hash.
    for data in (old_text, new_text):
        assert world.store.stat(original_key(hashlib.sha256(data).hexdigest())).size == len(data)
    # The worker (inline here) indexed the new text for the same record.
    refresh(world)
    assert _search(client, alice, new_word) == {rid}
    assert _search(client, alice, old_word) == set()

    same = client.post(
        f"/records/{rid}/versies", files={"file": ("again.txt", new_text)}, headers=alice
    )
    assert same.status_code == 200 and same.json()["gewijzigd"] is False
    assert len(client.get(f"/records/{rid}/versies", headers=alice).json()) == 2


def test_metadata_changes_are_versions_and_reach_search_at_once(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    word = f"titel{uuid.uuid4().hex[:8]}"
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "organisatie", "Tekst.", "t.txt")
    alice = headers(issuer, ALICE)
    resp = client.patch(
        f"/records/{rid}", json={"titel": f"Nota {word}", "soort": "besluitnota"}, headers=alice
    )
    assert resp.status_code == 200, resp.text
    assert (resp.json()["titel"], resp.json()["soort"]) == (f"Nota {word}", "besluitnota")
    assert _search(client, alice, word) == {rid}  # no refresh: the change waited for it
    versions = client.get(f"/records/{rid}/versies", headers=alice).json()
    assert [v["titel"] for v in versions] == ["t", f"Nota {word}"]
    with world.sessions() as session:
        rows = list(session.scalars(select(RecordVersie).where(RecordVersie.record_id == rid)))
        record = session.get(Record, rid)
        assert record is not None and record.versie == len(rows) == 2


def test_changes_need_write_and_hide_what_cannot_be_read(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "organisatie", "Tekst.", "w.txt")
    bob = headers(issuer, BOB)  # may read the organisation layer, not write in wijkzaken
    assert client.patch(f"/records/{rid}", json={"titel": "x"}, headers=bob).status_code == 403
    raad = headers(issuer, RAAD)  # cannot read it at all
    assert client.patch(f"/records/{rid}", json={"titel": "x"}, headers=raad).status_code == 404
    assert client.get(f"/records/{rid}/versies", headers=raad).status_code == 404
    upload = client.post(f"/records/{rid}/versies", files={"file": ("x.txt", b"x")}, headers=bob)
    assert upload.status_code == 403
    bad = client.patch(f"/records/{rid}", json={"sha256": "0" * 64}, headers=headers(issuer, ALICE))
    assert bad.status_code == 422


def test_the_public_sees_only_the_versions_it_could_read(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "afdeling", "Plan.", "plan.txt")
    alice = headers(issuer, ALICE)
    assert client.patch(
        f"/records/{rid}", json={"titel": "Intern werktitel"}, headers=alice
    ).is_success
    assert client.post(f"/records/{rid}/publicatie", headers=alice).is_success
    public = client.get(f"/records/{rid}/versies").json()
    assert [v["laag"] for v in public] == ["openbaar"]
    assert all(v["titel"] != "t" for v in public)
    assert client.get(f"/records/{rid}/versies/1/download").status_code == 404
    assert len(client.get(f"/records/{rid}/versies", headers=alice).json()) == 3


def test_dossier_metadata_is_versioned(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    _, did = add_record(world, _kenmerk(), "wijkzaken", "afdeling", "Tekst.", "d.txt")
    alice = headers(issuer, ALICE)
    resp = client.patch(f"/dossiers/{did}", json={"status": "afgesloten"}, headers=alice)
    assert resp.status_code == 200, resp.text
    assert (resp.json()["versie"], resp.json()["status"]) == (2, "afgesloten")
    # Closing dates the brondatum "afgehandeld" (a Dutch day); reopening clears it.
    today = datetime.now(AMSTERDAM).date().isoformat()
    assert resp.json()["afgehandeld_op"] == today
    reopened = client.patch(f"/dossiers/{did}", json={"status": "open"}, headers=alice).json()
    assert (reopened["versie"], reopened["afgehandeld_op"]) == (3, None)
    versions = client.get(f"/dossiers/{did}/versies", headers=alice).json()
    assert [v["status"] for v in versions] == ["open", "afgesloten", "open"]
    assert (
        client.patch(f"/dossiers/{did}", json={"status": "weg"}, headers=alice).status_code == 422
    )
    bob = headers(issuer, BOB)
    assert client.patch(f"/dossiers/{did}", json={"titel": "x"}, headers=bob).status_code == 404
