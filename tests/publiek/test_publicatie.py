# SPDX-License-Identifier: EUPL-1.2
"""Publishing a selection in one action: all or nothing, through the same permission checks."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select

from archief.catalog.models import AuditEntry, Record
from archief.composition import Container
from tests.access.conftest import headers
from tests.oidc import LocalIssuer
from tests.publiek.conftest import (
    BOB,
    LEO,
    canary,
    client,
    dossier,
    issuer,
    publiceer,
    record,
    soort,
    world,
)

__all__ = ["client", "issuer", "world"]  # the package's fixtures, used by name


def _laag(world: Container, rid: str) -> str:
    with world.sessions() as session:
        row = session.get(Record, rid)
        assert row is not None
        return row.laag


def _public_hits(client: TestClient, word: str) -> int:
    text: str = client.get("/publiek", params={"q": word}).text
    return text.count("#record-")


def test_one_refusal_refuses_the_lot_and_the_index_follows(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    did, _ = dossier(world)
    words = [canary() for _ in range(3)]
    ok = [record(world, did, "afdeling", f"Stuk {w}.") for w in words[:2]]
    # A medewerker reads and writes the college layer but may not publish from it.
    college = record(world, did, "college", f"Collegestuk {words[2]}.")
    resp = publiceer(client, issuer, did, records=[*ok, college])
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    assert [_laag(world, r) for r in ok] == ["afdeling", "afdeling"]
    # The first two were moved in the index inside the failed transaction: put back.
    assert [_public_hits(client, w) for w in words] == [0, 0, 0]
    with world.sessions() as session:
        acties = list(
            session.scalars(select(AuditEntry.actie).where(AuditEntry.object_id.in_([*ok, did])))
        )
    assert "record.gepubliceerd" not in acties and "dossier.gepubliceerd" not in acties

    # A manager of the dienst may publish from the college layer too? No: the
    # policy gives leidinggevenden publish on afdeling, organisatie, raad only.
    assert publiceer(client, issuer, did, LEO, records=[college]).status_code == 403
    good = publiceer(client, issuer, did, records=ok)
    assert good.status_code == 200
    assert [_public_hits(client, w) for w in words] == [1, 1, 0]


def test_a_section_by_soort_and_the_refusals(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    did, _ = dossier(world)
    other_did, _ = dossier(world)
    verslagen = [record(world, did, "afdeling", f"Verslag {n} {canary()}.") for n in range(3)]
    for rid in verslagen:
        soort(client, issuer, rid, "verslag")
    brief = record(world, did, "afdeling", "Een brief.")
    vreemd = record(world, other_did, "afdeling", "Elders.")

    assert publiceer(client, issuer, did, soort="besluitenlijst").json()["code"] == (
        "niets_te_publiceren"
    )
    assert publiceer(client, issuer, did, records=[vreemd]).status_code == 404
    assert publiceer(client, issuer, did, records=[str(uuid.uuid4())]).status_code == 404
    assert publiceer(client, issuer, did, records=[brief], soort="verslag").status_code == 422
    unknown = publiceer(client, issuer, did, records=[brief], informatiecategorie="c_00000000")
    assert unknown.json()["code"] == "unknown_informatiecategorie"
    # Someone who cannot see the dossier does not learn it exists.
    assert publiceer(client, issuer, did, BOB, soort="verslag").status_code == 404
    assert client.post(f"/dossiers/{did}/publicatie", json={"soort": "verslag"}).status_code == 404

    first = publiceer(client, issuer, did, records=[verslagen[0]])
    assert first.status_code == 200
    section = publiceer(
        client,
        issuer,
        did,
        soort="verslag",
        informatiecategorie="https://identifier.overheid.nl/tooi/def/thes/kern/c_db4862c3",
    )
    assert section.status_code == 200, section.text
    body = section.json()
    assert {g["id"] for g in body["gepubliceerd"]} == set(verslagen[1:])
    assert body["al_openbaar"] == [verslagen[0]]
    assert _laag(world, brief) == "afdeling"
    with world.sessions() as session:
        cats = {
            r.informatiecategorie
            for r in session.scalars(select(Record).where(Record.id.in_(verslagen)))
        }
    assert cats == {"https://identifier.overheid.nl/tooi/def/thes/kern/c_db4862c3"}
    assert body["url"] == f"/publiek/dossiers/{body['kenmerk']}"
    assert client.get(body["url"]).status_code == 200
    assert headers(issuer, BOB)  # BOB's token is well-formed: the 404 above was the policy
