# SPDX-License-Identifier: EUPL-1.2
"""The lock on an initialled memo: it changes only through a college decision 'gewijzigd'."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from archief.besluiten.slot import Vergrendeld, check_change
from archief.catalog.models import Record
from archief.composition import Container
from tests.besluiten.conftest import AD, GS, PH, STELLER, Zaak, auth, new_zaak
from tests.oidc import LocalIssuer


def _check(world: Container, record_id: str, besluitstap: str | None) -> None:
    with world.sessions() as session:
        record = session.get(Record, record_id)
        assert record is not None
        check_change(session, record, besluitstap)


def _patch(zaak: Zaak, titel: str, besluitstap: str | None = None) -> Response:
    """The steller changes the memo's title through `PATCH /records/{id}`."""
    body = {"titel": titel} | ({"besluitstap": besluitstap} if besluitstap else {})
    resp: Response = zaak.client.patch(
        f"/records/{zaak.nota}", json=body, headers=auth(zaak.issuer, STELLER)
    )
    return resp


def test_the_memo_changes_freely_until_the_portefeuillehouder_initials(
    world: Container, zaak: Zaak
) -> None:
    _check(world, zaak.nota, None)
    zaak.ok(AD, "paraaf_ad")
    _check(world, zaak.nota, None)
    resp = _patch(zaak, "Besluitnota, herzien")
    assert resp.status_code == 200, resp.text
    paraaf = zaak.ok(PH, "paraaf_portefeuillehouder")["stap"]["id"]
    with pytest.raises(Vergrendeld):
        _check(world, zaak.nota, None)
    # A step that is not a college decision does not open it.
    with pytest.raises(Vergrendeld):
        _check(world, zaak.nota, paraaf)
    resp = _patch(zaak, "Stiekem herzien")
    assert (resp.status_code, resp.json()["code"]) == (409, "vergrendeld")


def test_a_college_decision_gewijzigd_opens_it_until_the_besluit_moves_on(
    world: Container, client: TestClient, issuer: LocalIssuer, zaak: Zaak
) -> None:
    zaak.ok(AD, "paraaf_ad")
    zaak.ok(PH, "paraaf_portefeuillehouder")
    zaak.ok(GS, "paraaf_gemeentesecretaris")
    aangehouden = zaak.ok(PH, "collegebesluit", uitkomst="aangehouden")["stap"]["id"]
    with pytest.raises(Vergrendeld):
        _check(world, zaak.nota, aangehouden)
    gewijzigd = zaak.ok(PH, "collegebesluit", uitkomst="gewijzigd")["stap"]["id"]
    _check(world, zaak.nota, gewijzigd)

    # Another besluit's college decision does not open this memo.
    other = new_zaak(world, client, issuer)
    other.ok(AD, "paraaf_ad")
    other.ok(PH, "paraaf_portefeuillehouder")
    other.ok(GS, "paraaf_gemeentesecretaris")
    elders = other.ok(PH, "collegebesluit", uitkomst="gewijzigd")["stap"]["id"]
    with pytest.raises(Vergrendeld):
        _check(world, zaak.nota, elders)

    resp = _patch(zaak, "Besluitnota, zoals het college besloot", gewijzigd)
    assert resp.status_code == 200, resp.text
    assert resp.json()["titel"] == "Besluitnota, zoals het college besloot"

    zaak.ok(GS, "raadsvoorstel")
    with pytest.raises(Vergrendeld):
        _check(world, zaak.nota, gewijzigd)
    resp = _patch(zaak, "Te laat", gewijzigd)
    assert (resp.status_code, resp.json()["code"]) == (409, "vergrendeld")
    with world.sessions() as session:
        record = session.get(Record, zaak.nota)
        assert record is not None
        assert (record.titel, record.vergrendeld_door) == (
            "Besluitnota, zoals het college besloot",
            zaak.id,
        )
