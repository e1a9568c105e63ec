# SPDX-License-Identifier: EUPL-1.2
"""Legal holds: placed and lifted with a reason, blocking change on the API and CLI paths.

The access world (own catalog and index, MinIO with Object Lock) is
imported per test module: the hold tests run in it too.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from archief.catalog.models import AuditEntry, Record
from archief.cli import app
from archief.composition import Container
from archief.storage.s3 import S3ObjectStore
from policies.subject import Subject
from tests.access import conftest as access_world
from tests.access.conftest import add_backlog, add_record, headers
from tests.conftest import settings_env
from tests.oidc import LocalIssuer

ALICE = Subject("alice", ("medewerker",), "wijkzaken")
ARIE = Subject("arie", ("archivaris",))
BEA = Subject("bea", ("beheerder",))


world = access_world.world
issuer = access_world.issuer
client = access_world.client


def _kenmerk() -> str:
    return f"T-BLK-{uuid.uuid4().hex[:8]}"


def _hold(client: TestClient, auth: dict[str, str], **body: str) -> dict[str, object]:
    resp = client.post("/blokkades", json=body, headers=auth)
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def _s3_held(world: Container, record_id: str) -> bool:
    assert isinstance(world.store, S3ObjectStore)
    with world.sessions() as session:
        record = session.get(Record, record_id)
        assert record is not None
        return world.store.legal_hold(record.object_key)


def _rename(client: TestClient, issuer: LocalIssuer, rid: str) -> int:
    resp = client.patch(
        f"/records/{rid}", json={"titel": uuid.uuid4().hex}, headers=headers(issuer, ALICE)
    )
    return int(resp.status_code)


def test_a_dossier_hold_blocks_changes_until_lifted(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    kenmerk = _kenmerk()
    rid, did = add_record(world, kenmerk, "wijkzaken", "organisatie", "Klachtbrief.", "k.txt")
    arie = headers(issuer, ARIE)
    hold = _hold(client, arie, dossier=kenmerk, grond="klacht", reden="Klacht 2026-17")
    assert hold["actief"] is True and hold["record_id"] is None

    patch = client.patch(f"/records/{rid}", json={"titel": "x"}, headers=headers(issuer, ALICE))
    assert patch.status_code == 409
    assert patch.json()["code"] == "blokkade"
    upload = client.post(
        f"/records/{rid}/versies",
        files={"file": ("v2.txt", b"nieuw")},
        headers=headers(issuer, ALICE),
    )
    assert upload.status_code == 409
    assert _s3_held(world, rid)

    # A record filed into the held dossier later is held too, bytes included.
    later, _ = add_record(world, kenmerk, "wijkzaken", "organisatie", "Nagekomen.", "n.txt")
    assert _rename(client, issuer, later) == 409
    assert _s3_held(world, later)

    lifted = client.post(
        f"/blokkades/{hold['id']}/opheffing", json={"reden": "Klacht afgehandeld"}, headers=arie
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["actief"] is False
    assert _rename(client, issuer, rid) == 200
    assert not _s3_held(world, rid)
    again = client.post(f"/blokkades/{hold['id']}/opheffing", json={"reden": "x"}, headers=arie)
    assert again.status_code == 422

    with world.sessions() as session:
        acties = list(
            session.scalars(
                select(AuditEntry.actie)
                .where(AuditEntry.dossier_id == did, AuditEntry.actie.like("bewaring.%"))
                .order_by(AuditEntry.seq)
            )
        )
    assert acties == ["bewaring.blokkade_geplaatst", "bewaring.blokkade_opgeheven"]


def test_a_record_hold_holds_that_record_only(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    kenmerk = _kenmerk()
    held, _ = add_record(world, kenmerk, "wijkzaken", "organisatie", "Woo-stuk.", "w.txt")
    free, _ = add_record(world, kenmerk, "wijkzaken", "organisatie", "Ander stuk.", "a.txt")
    _hold(
        client,
        headers(issuer, ARIE),
        dossier=kenmerk,
        record_id=held,
        grond="woo_verzoek",
        reden="Woo 12",
    )
    assert _rename(client, issuer, held) == 409
    assert _rename(client, issuer, free) == 200
    assert _s3_held(world, held) and not _s3_held(world, free)


def test_a_backlog_filed_into_a_held_dossier_is_held_bytes_included(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kenmerk = _kenmerk()
    first, _ = add_record(world, kenmerk, "wijkzaken", "organisatie", "Eerste stuk.", "e.txt")
    _hold(
        client, headers(issuer, ARIE), dossier=kenmerk, grond="woo_verzoek", reden="Woo-verzoek 31"
    )
    later = add_backlog(world, tmp_path, kenmerk, "organisatie", 3, monkeypatch)
    assert all(_s3_held(world, rid) for rid in [first, *later])
    assert all(_rename(client, issuer, rid) == 409 for rid in later)
    # Filed beside the held dossier, not into it: nothing held.
    free = add_backlog(world, tmp_path, _kenmerk(), "organisatie", 2, monkeypatch)
    assert not any(_s3_held(world, rid) for rid in free)


def test_shared_bytes_stay_held_while_any_hold_covers_them(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    text = f"Zelfde bijlage {uuid.uuid4().hex}."
    one, two = _kenmerk(), _kenmerk()
    a, _ = add_record(world, one, "wijkzaken", "organisatie", text, "bijlage.txt")
    b, _ = add_record(world, two, "wijkzaken", "organisatie", text, "bijlage.txt")
    arie = headers(issuer, ARIE)
    first = _hold(client, arie, dossier=one, grond="rechtszaak", reden="Zaak A")
    second = _hold(client, arie, dossier=two, grond="rechtszaak", reden="Zaak B")
    client.post(f"/blokkades/{first['id']}/opheffing", json={"reden": "klaar"}, headers=arie)
    assert _s3_held(world, a)  # the same bytes are still held for dossier two
    assert _rename(client, issuer, a) == 200
    assert _rename(client, issuer, b) == 409
    client.post(f"/blokkades/{second['id']}/opheffing", json={"reden": "klaar"}, headers=arie)
    assert not _s3_held(world, b)


def test_only_archivists_hold_and_only_what_they_can_see(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    kenmerk = _kenmerk()
    add_record(world, kenmerk, "wijkzaken", "organisatie", "Stuk.", "s.txt")
    body = {"dossier": kenmerk, "grond": "klacht", "reden": "r"}
    assert client.post("/blokkades", json=body, headers=headers(issuer, ALICE)).status_code == 403
    assert client.post("/blokkades", json=body).status_code == 403
    arie = headers(issuer, ARIE)
    bad = client.post("/blokkades", json={**body, "grond": "zomaar"}, headers=arie)
    assert bad.status_code == 422 and bad.json()["code"] == "ongeldige_blokkade"
    # A dossier with only management-layer records is invisible to archivists.
    hidden = _kenmerk()
    add_record(world, hidden, "openbare-ruimte", "leiding", "Personeel.", "p.txt")
    nope = client.post("/blokkades", json={**body, "dossier": hidden}, headers=arie)
    assert nope.status_code == 404
    listed = client.get("/blokkades", params={"dossier": kenmerk}, headers=arie)
    assert listed.status_code == 200 and listed.json() == []


def test_the_cli_places_lists_and_lifts(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    kenmerk = _kenmerk()
    rid, _ = add_record(world, kenmerk, "wijkzaken", "organisatie", "Stuk.", "c.txt")
    env = settings_env(world.settings)
    runner = CliRunner()
    placed = runner.invoke(
        app,
        ["bewaring", "blokkeer", "--dossier", kenmerk, "--grond", "onderzoek", "--reden", "Audit"],
        env=env,
    )
    assert placed.exit_code == 0, placed.output
    hold_id = placed.output.split("held: ")[1].split()[0]
    assert _rename(client, issuer, rid) == 409
    listed = runner.invoke(app, ["bewaring", "blokkades", "--dossier", kenmerk], env=env)
    assert hold_id[:8] in listed.output
    refused = runner.invoke(
        app, ["bewaring", "blokkeer", "--dossier", kenmerk, "--grond", "x", "--reden", "r"], env=env
    )
    assert refused.exit_code == 2
    assert "unknown grond" in refused.output
    lifted = runner.invoke(app, ["bewaring", "opheffen", hold_id, "--reden", "Klaar"], env=env)
    assert lifted.exit_code == 0, lifted.output
    assert _rename(client, issuer, rid) == 200
