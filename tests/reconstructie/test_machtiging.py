# SPDX-License-Identifier: EUPL-1.2
"""Granting, listing and revoking case grants: who may, what is refused, what is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from archief.audit.chain import verify
from archief.catalog.models import AuditEntry, Machtiging
from archief.composition import Container
from policies.subject import Subject
from tests.access.conftest import headers
from tests.oidc import LocalIssuer
from tests.reconstructie.conftest import (
    BEHEER,
    OLGA,
    OTTO,
    RAAD,
    SECRETARIS,
    api_id,
    grant,
    kenmerk,
    new_dossier,
)


def _post(client: TestClient, issuer: LocalIssuer, who: Subject, **body: Any) -> Any:
    now = datetime.now(UTC)
    payload = {
        "ombudsman": api_id(OTTO),
        "zaak": "KL-1",
        "reden": "Klacht",
        "geldig_tot": (now + timedelta(days=7)).isoformat(),
        **body,
    }
    return client.post("/machtigingen", json=payload, headers=headers(issuer, who))


def test_only_grantors_grant_and_bad_grants_are_refused(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    dossier_id = new_dossier(world)
    now = datetime.now(UTC)
    for who in (OLGA, RAAD):
        resp = _post(client, issuer, who, dossier=dossier_id)
        assert resp.status_code == 403
        assert resp.json()["code"] == "forbidden"
    refused = {
        "tot before van": {
            "geldig_van": (now + timedelta(days=2)).isoformat(),
            "geldig_tot": (now + timedelta(days=1)).isoformat(),
        },
        "too long": {"geldig_tot": (now + timedelta(days=91)).isoformat()},
        "already over": {
            "geldig_van": (now - timedelta(days=3)).isoformat(),
            "geldig_tot": (now - timedelta(days=1)).isoformat(),
        },
        "to the public": {"ombudsman": "anoniem"},
        "to a service": {"ombudsman": "service:intake"},
        "to oneself": {"ombudsman": api_id(SECRETARIS)},
    }
    for case, body in refused.items():
        resp = _post(client, issuer, SECRETARIS, dossier=dossier_id, **body)
        assert resp.status_code == 422, (case, resp.text)
        assert resp.json()["code"] == "invalid_grant", case
    assert (
        "90 days"
        in _post(client, issuer, SECRETARIS, dossier=dossier_id, **refused["too long"]).json()[
            "detail"
        ]
    )
    missing = _post(client, issuer, SECRETARIS, dossier=kenmerk())
    assert missing.status_code == 404
    with world.sessions() as session:
        assert (
            session.scalars(select(Machtiging).where(Machtiging.dossier_id == dossier_id)).all()
            == []
        )


def test_grant_and_revocation_are_audited_with_the_row(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    dossier_id = new_dossier(world)
    given = grant(client, issuer, OTTO, dossier_id, by=BEHEER, days=90)
    assert (given["ombudsman"], given["dossier_id"], given["status"]) == (
        api_id(OTTO),
        dossier_id,
        "actief",
    )
    gone = client.delete(f"/machtigingen/{given['id']}", headers=headers(issuer, SECRETARIS))
    assert gone.status_code == 200
    assert gone.json()["ingetrokken_door"] == api_id(SECRETARIS)
    again = client.delete(f"/machtigingen/{given['id']}", headers=headers(issuer, SECRETARIS))
    assert again.status_code == 409
    assert again.json()["code"] == "grant_revoked"
    assert (
        client.delete("/machtigingen/niets", headers=headers(issuer, SECRETARIS)).status_code == 404
    )
    assert (
        client.delete(f"/machtigingen/{given['id']}", headers=headers(issuer, OTTO)).status_code
        == 403
    )

    with world.sessions() as session:
        entries = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.object_type == "machtiging", AuditEntry.object_id == given["id"])
                .order_by(AuditEntry.seq)
            )
        )
        assert [(e.actie, e.actor, e.dossier_id) for e in entries] == [
            ("machtiging.verleend", api_id(BEHEER), dossier_id),
            ("machtiging.ingetrokken", api_id(SECRETARIS), dossier_id),
        ]
        assert entries[0].na is not None
        assert entries[0].na["ombudsman"] == api_id(OTTO)
        assert entries[0].na["zaak"] == given["zaak"]
        assert verify(session).ok


def test_grantors_list_all_and_an_ombudsman_their_own(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    dossier_id = new_dossier(world)
    for_otto = grant(client, issuer, OTTO, dossier_id)
    for_olga = grant(client, issuer, OLGA, dossier_id)
    params = {"dossier": dossier_id}
    everyone = client.get("/machtigingen", params=params, headers=headers(issuer, SECRETARIS))
    assert {m["id"] for m in everyone.json()} == {for_otto["id"], for_olga["id"]}
    own = client.get("/machtigingen", params=params, headers=headers(issuer, OTTO))
    assert [m["id"] for m in own.json()] == [for_otto["id"]]
    assert all(
        m["ombudsman"] == api_id(OTTO)
        for m in client.get("/machtigingen", headers=headers(issuer, OTTO)).json()
    )
    assert client.get("/machtigingen", headers=headers(issuer, RAAD)).status_code == 403
    assert client.get("/machtigingen").status_code == 403
