# SPDX-License-Identifier: EUPL-1.2
"""Categories on dossiers and records; the archiefactiedatum follows its inputs; holds freeze it."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from archief.bewaring.selectielijst import Afleidingswijze, Nominatie, default
from archief.catalog.models import AuditEntry, Dossier
from archief.cli import app
from archief.clock import AMSTERDAM
from archief.composition import Container
from policies.subject import Subject
from tests.access import conftest as access_world
from tests.access.conftest import add_backlog, add_record, headers
from tests.conftest import settings_env
from tests.oidc import LocalIssuer

world = access_world.world
issuer = access_world.issuer
client = access_world.client

ALICE = Subject("alice", ("medewerker",), "wijkzaken")
ARIE = Subject("arie", ("archivaris",))

LIJST = default()
# Whatever the shipped subset holds: one category to destroy, one to keep.
VERNIETIGEN = next(
    c
    for c in LIJST
    if c.nominatie is Nominatie.VERNIETIGEN
    and c.bewaartermijn
    and c.afleidingswijze is Afleidingswijze.AFGEHANDELD
)
BLIJVEND = next(c for c in LIJST if c.nominatie is Nominatie.BLIJVEND_BEWAREN)


def _kenmerk() -> str:
    return f"T-CAT-{uuid.uuid4().hex[:8]}"


def _record(client: TestClient, issuer: LocalIssuer, rid: str) -> dict[str, Any]:
    resp = client.get(f"/records/{rid}", headers=headers(issuer, ALICE))
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def _dossier_id(world: Container, kenmerk: str) -> str:
    with world.sessions() as session:
        return str(session.scalars(select(Dossier.id).where(Dossier.kenmerk == kenmerk)).one())


def test_the_archiefactiedatum_follows_category_and_closing(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    kenmerk = _kenmerk()
    rid, did = add_record(world, kenmerk, "wijkzaken", "organisatie", "Brief.", "b.txt")
    arie, alice = headers(issuer, ARIE), headers(issuer, ALICE)
    put = client.put(
        f"/dossiers/{did}/categorie", json={"categorie": VERNIETIGEN.code}, headers=arie
    )
    assert put.status_code == 200, put.text
    record = _record(client, issuer, rid)
    assert (record["categorie"], record["archiefnominatie"]) == (VERNIETIGEN.code, "vernietigen")
    assert record["archiefactiedatum"] is None  # open: no brondatum yet

    closed = client.patch(f"/dossiers/{did}", json={"status": "afgesloten"}, headers=alice)
    assert closed.status_code == 200, closed.text
    today = datetime.now(AMSTERDAM).date()
    assert VERNIETIGEN.bewaartermijn is not None
    want = VERNIETIGEN.bewaartermijn.na(today)
    assert _record(client, issuer, rid)["archiefactiedatum"] == want.isoformat()
    versions = client.get(f"/records/{rid}/versies", headers=alice).json()
    assert versions[-1]["actie"] == "bewaring"

    client.patch(f"/dossiers/{did}", json={"status": "open"}, headers=alice)
    assert _record(client, issuer, rid)["archiefactiedatum"] is None


def test_a_backlog_filed_into_a_categorised_dossier_has_its_retention_at_once(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kenmerk = _kenmerk()
    _rid, did = add_record(world, kenmerk, "wijkzaken", "organisatie", "Eerste.", "e.txt")
    arie, alice = headers(issuer, ARIE), headers(issuer, ALICE)
    put = client.put(
        f"/dossiers/{did}/categorie", json={"categorie": VERNIETIGEN.code}, headers=arie
    )
    assert put.status_code == 200, put.text
    # Closed: the brondatum is known, so a record filed now has its archiefactiedatum.
    closed = client.patch(f"/dossiers/{did}", json={"status": "afgesloten"}, headers=alice)
    assert closed.status_code == 200, closed.text
    later = add_backlog(world, tmp_path, kenmerk, "organisatie", 3, monkeypatch)
    assert VERNIETIGEN.bewaartermijn is not None
    want = VERNIETIGEN.bewaartermijn.na(datetime.now(AMSTERDAM).date()).isoformat()
    for rid in later:
        record = _record(client, issuer, rid)
        assert (record["archiefnominatie"], record["archiefactiedatum"]) == ("vernietigen", want)
    with world.sessions() as session:
        entries = session.scalars(
            select(AuditEntry.object_id)
            .where(AuditEntry.object_id.in_(later), AuditEntry.actie == "record.bewaring")
            .order_by(AuditEntry.seq)
        ).all()
    # Each record's derivation is in the trail, in the order the files came.
    assert entries == later


def test_a_records_own_category_wins(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    kenmerk = _kenmerk()
    rid, did = add_record(world, kenmerk, "wijkzaken", "organisatie", "Besluit.", "x.txt")
    arie = headers(issuer, ARIE)
    client.put(f"/dossiers/{did}/categorie", json={"categorie": VERNIETIGEN.code}, headers=arie)
    own = client.put(f"/records/{rid}/categorie", json={"categorie": BLIJVEND.code}, headers=arie)
    assert own.status_code == 200, own.text
    assert (own.json()["categorie"], own.json()["archiefnominatie"]) == (
        BLIJVEND.code,
        "blijvend_bewaren",
    )
    unknown = client.put(f"/records/{rid}/categorie", json={"categorie": "99.9"}, headers=arie)
    assert unknown.status_code == 422
    alice = client.put(
        f"/records/{rid}/categorie", json={"categorie": None}, headers=headers(issuer, ALICE)
    )
    assert alice.status_code == 403


def test_a_hold_freezes_the_category_on_the_api_and_in_a_batch(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    held_kenmerk, free_kenmerk = _kenmerk(), _kenmerk()
    held, held_did = add_record(world, held_kenmerk, "wijkzaken", "organisatie", "Woo.", "w.txt")
    free, _ = add_record(world, free_kenmerk, "wijkzaken", "organisatie", "Vrij.", "v.txt")
    arie = headers(issuer, ARIE)
    hold = client.post(
        "/blokkades",
        json={"dossier": held_kenmerk, "grond": "woo_verzoek", "reden": "Woo 2026-3"},
        headers=arie,
    )
    assert hold.status_code == 201, hold.text
    refused = client.put(
        f"/dossiers/{held_did}/categorie", json={"categorie": VERNIETIGEN.code}, headers=arie
    )
    assert refused.status_code == 409 and refused.json()["code"] == "blokkade"
    record_refused = client.put(
        f"/records/{held}/categorie", json={"categorie": VERNIETIGEN.code}, headers=arie
    )
    assert record_refused.status_code == 409

    runner = CliRunner()
    batch = runner.invoke(
        app,
        [
            "selectielijst",
            "categoriseer",
            "--categorie",
            VERNIETIGEN.code,
            held_kenmerk,
            free_kenmerk,
        ],
        env=settings_env(world.settings),
    )
    assert batch.exit_code == 1, batch.output
    assert "1 of 2 dossier(s) refused" in batch.output
    assert _record(client, issuer, free)["categorie"] == VERNIETIGEN.code
    assert _record(client, issuer, held)["categorie"] is None
    with world.sessions() as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.actie == "bewaring.categorisering")
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).one()
    assert entry.details is not None
    geweigerd = entry.details["geweigerd"]
    assert isinstance(geweigerd, dict) and set(geweigerd) == {held_kenmerk}
