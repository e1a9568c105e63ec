# SPDX-License-Identifier: EUPL-1.2
"""Only the ombudsman, only with a grant that holds now, only for that dossier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from archief.catalog.models import Machtiging
from archief.composition import Container
from policies.subject import Subject
from tests.access.conftest import headers
from tests.oidc import LocalIssuer
from tests.reconstructie.conftest import (
    ALICE,
    BEHEER,
    BOB,
    OLGA,
    OTTO,
    SECRETARIS,
    Geschiedenis,
    add,
    api_id,
    grant,
    head_seq,
    new_dossier,
    uses,
)


def _ask(
    client: TestClient, issuer: LocalIssuer, who: Subject, dossier_id: str, *, export: bool = False
) -> tuple[int, str | None, str | None]:
    """Status, problem code and refusal reason, on the API or the export route."""
    path = f"/dossiers/{dossier_id}/reconstructie" if export else f"/dossiers/{dossier_id}"
    resp = client.get(
        path,
        params={"as_of": datetime.now(UTC).isoformat()},
        headers=headers(issuer, who),
    )
    if resp.status_code == 200:
        return 200, None, None
    body = resp.json()
    return resp.status_code, body.get("code"), body.get("reden")


def _insert_grant(
    world: Container, who: Subject, dossier_id: str, van: datetime, tot: datetime
) -> str:
    """A grant row as a past (or future) one would stand in the catalog."""
    with world.sessions.begin() as session:
        row = Machtiging(
            ombudsman=api_id(who),
            dossier_id=dossier_id,
            zaak="KL-oud",
            reden="eerdere klacht",
            geldig_van=van,
            geldig_tot=tot,
            verleend_door=api_id(SECRETARIS),
            created_at=van,
        )
        session.add(row)
        session.flush()
        return row.id


def test_refusals_say_why_and_leave_no_use(
    world: Container, client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    g = geschiedenis
    nina = Subject("nina", ("ombudsman",))  # never granted anything
    before, used = head_seq(world), len(uses(world, g.dossier_id))
    # The dossier has a public record, so an ombudsman may know it exists: 403 with a reason.
    for export in (False, True):
        assert _ask(client, issuer, nina, g.dossier_id, export=export) == (
            403,
            "reconstruction_refused",
            "geen_machtiging",
        )
        # Holding machtiging_verlenen (and being able to see the dossier) is not enough.
        assert _ask(client, issuer, SECRETARIS, g.dossier_id, export=export)[2] == "geen_ombudsman"
        assert _ask(client, issuer, ALICE, g.dossier_id, export=export)[2] == "geen_ombudsman"
    assert len(uses(world, g.dossier_id)) == used
    assert head_seq(world) == before  # refusals append nothing


def test_expired_future_and_revoked_grants_do_not_hold(
    world: Container, client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    dossier_id = new_dossier(world)
    add(world, dossier_id, "openbaar", "Persbericht")
    now = datetime.now(UTC)
    piet, pam = Subject("piet", ("ombudsman",)), Subject("pam", ("ombudsman",))
    _insert_grant(world, piet, dossier_id, now - timedelta(days=30), now - timedelta(days=1))
    assert _ask(client, issuer, piet, dossier_id)[1:] == ("reconstruction_refused", "verlopen")
    _insert_grant(world, pam, dossier_id, now + timedelta(days=1), now + timedelta(days=8))
    assert _ask(client, issuer, pam, dossier_id)[1:] == (
        "reconstruction_refused",
        "nog_niet_geldig",
    )

    given = grant(client, issuer, OTTO, dossier_id)
    assert _ask(client, issuer, OTTO, dossier_id)[0] == 200
    revoked = client.delete(f"/machtigingen/{given['id']}", headers=headers(issuer, SECRETARIS))
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "ingetrokken"
    for export in (False, True):
        assert _ask(client, issuer, OTTO, dossier_id, export=export)[1:] == (
            "reconstruction_refused",
            "ingetrokken",
        )
    # Exactly one use: the one made while the grant held.
    assert len(uses(world, dossier_id)) == 1


def test_a_grant_covers_one_dossier(
    world: Container, client: TestClient, issuer: LocalIssuer, geschiedenis: Geschiedenis
) -> None:
    g = geschiedenis
    public = new_dossier(world)
    add(world, public, "openbaar", "Publieke brief")
    hidden = new_dossier(world)
    add(world, hidden, "afdeling", "Interne notitie")
    # Olga holds a grant for g's dossier, not for these.
    assert _ask(client, issuer, OLGA, g.dossier_id)[0] == 200
    assert _ask(client, issuer, OLGA, public) == (403, "reconstruction_refused", "ander_dossier")
    # One she cannot see at all does not exist for her, as on GET /dossiers/{id}.
    assert _ask(client, issuer, OLGA, hidden) == (404, "not_found", None)
    assert _ask(client, issuer, BOB, hidden) == (404, "not_found", None)
    assert client.get(f"/dossiers/{hidden}", headers=headers(issuer, OLGA)).status_code == 404
    assert _ask(client, issuer, OLGA, "bestaat-niet") == (404, "not_found", None)
    assert uses(world, public) == uses(world, hidden) == []


def test_a_grant_to_a_non_ombudsman_opens_nothing(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    dossier_id = new_dossier(world)
    add(world, dossier_id, "afdeling", "Werkstuk")
    grant(client, issuer, BEHEER, dossier_id)
    # The beheerder was granted it (so knows it exists) but lacks `reconstrueren`.
    assert _ask(client, issuer, BEHEER, dossier_id) == (
        403,
        "reconstruction_refused",
        "geen_ombudsman",
    )
    assert uses(world, dossier_id) == []
