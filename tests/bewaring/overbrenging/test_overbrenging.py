# SPDX-License-Identifier: EUPL-1.2
"""Transfers on the real stack: selection, the package, confirmation, cancellation.

Through the API with archivist tokens, and once through the CLI.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information
from sqlalchemy import select
from typer.testing import CliRunner

from archief.bewaring.overbrenging import bagit, mdto
from archief.catalog.models import AuditEntry, Overbrenging, Record, RecordVersie
from archief.cli import app
from archief.clock import AMSTERDAM
from archief.composition import Container
from policies.subject import Subject
from tests.access.conftest import headers
from tests.bewaring.overbrenging.conftest import afsluiten, due, kenmerk, record
from tests.conftest import settings_env
from tests.oidc import LocalIssuer

ARIE = Subject("arie", ("archivaris",))
ALICE = Subject("alice", ("medewerker",), "wijkzaken")
NS = {"m": mdto.NS}


def _vandaag() -> date:
    return datetime.now(AMSTERDAM).date()


def _maak(
    client: TestClient,
    issuer: LocalIssuer,
    *dossiers: str,
    peildatum: date | None = None,
    **extra: Any,
) -> Any:
    body = {"peildatum": (peildatum or _vandaag()).isoformat(), "dossiers": list(dossiers), **extra}
    return client.post("/overbrengingen", json=body, headers=headers(issuer, ARIE))


def _gemaakt(client: TestClient, issuer: LocalIssuer, *dossiers: str) -> dict[str, Any]:
    resp = _maak(client, issuer, *dossiers)
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def _status(world: Container, *ids: str) -> set[str]:
    with world.sessions() as session:
        return set(session.scalars(select(Record.status).where(Record.id.in_(ids))))


def _xml(path: Path) -> Any:
    return etree.parse(str(path)).getroot()


def _text(root: Any, xpath: str) -> list[str]:
    return [str(e.text) for e in root.xpath(xpath, namespaces=NS)]


def test_a_package_is_a_valid_bag_with_valid_mdto(
    wereld: Container, client: TestClient, issuer: LocalIssuer, pakketten: Path
) -> None:
    k = kenmerk()
    open_id, _ = record(wereld, k, laag="openbaar", name="besluit.txt")
    intern_id, did = record(wereld, k, laag="organisatie", name="nota.txt")
    afsluiten(wereld, did)

    ob = _gemaakt(client, issuer, k)

    assert ob["status"] == "aangemaakt"
    assert re.fullmatch(rf"OB-{_vandaag().year}-\d{{4}}", ob["kenmerk"])
    assert {i["record_id"] for i in ob["items"]} == {open_id, intern_id}
    assert ob["overgeslagen"] == [] and ob["aantal"] == 2
    bag = Path(ob["pakket"])
    assert bag == pakketten / ob["kenmerk"]
    assert bagit.valideer(bag) == []
    assert not [p for p in pakketten.iterdir() if p.name.startswith(".")]  # no temp left
    assert bagit.vingerafdruk(bag) == ob["pakket_sha256"]

    info = bagit.lees_info(bag)
    assert info["External-Identifier"] == [ob["kenmerk"]]
    assert info["Source-Organization"] == [wereld.settings.bewaring.overbrenging.archiefvormer]
    payload = [p for p in (bag / "data").rglob("*") if p.is_file()]
    assert info["Payload-Oxum"] == [f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"]
    # Two records: per record a file, its bestand sidecar and its own sidecar; one dossier.
    assert len(payload) == 2 * 3 + 1
    sidecars = [p for p in payload if p.name.endswith(mdto.SIDECAR)]
    assert len(sidecars) == 5
    for path in sidecars:
        assert mdto.valideer_xml(path.read_bytes()) == [], path

    with wereld.sessions() as session:
        records = {r.id: r for r in session.scalars(select(Record).where(Record.dossier_id == did))}
    folder = bag / "data" / k
    dossier_xml = _xml(folder / f"{k}{mdto.SIDECAR}")
    assert _text(dossier_xml, "//m:aggregatieniveau/m:begripLabel") == ["Dossier"]
    assert set(_text(dossier_xml, "//m:bevatOnderdeel//m:identificatieKenmerk")) == set(records)
    for rid, rec in records.items():
        stuk = _xml(folder / rid / f"{rid}{mdto.SIDECAR}")
        assert _text(stuk, "/m:MDTO/m:informatieobject/m:identificatie/m:identificatieKenmerk") == [
            rid
        ]
        assert _text(stuk, "/m:MDTO/m:informatieobject/m:identificatie/m:identificatieBron") == [
            "archief"
        ]
        assert _text(stuk, "//m:naam") == [rec.titel]
        assert _text(stuk, "//m:aggregatieniveau/m:begripLabel") == ["Archiefstuk"]
        assert _text(stuk, "//m:waardering/m:begripCode") == ["B"]
        assert _text(stuk, "//m:informatiecategorie/m:begripCode") == ["2.1.1"]
        assert _text(stuk, "//m:informatiecategorie//m:verwijzingNaam") == [
            "Selectielijst gemeenten en intergemeentelijke organen 2020"
        ]
        assert _text(stuk, "//m:bewaartermijn/m:termijnStartdatumLooptijd") == ["2012-03-01"]
        assert _text(stuk, "//m:archiefvormer/m:verwijzingNaam") == [
            wereld.settings.bewaring.overbrenging.archiefvormer
        ]
        expected = "Openbaar" if rec.laag == "openbaar" else "Beperkt openbaar"
        assert _text(stuk, "//m:beperkingGebruikType/m:begripLabel") == [expected]
        assert rec.filename is not None
        original = folder / rid / rec.filename
        assert original.read_bytes() == wereld.store.open(rec.object_key).read()
        bestand = _xml(folder / rid / f"{rec.filename}{mdto.BESTAND_SIDECAR}")
        assert _text(bestand, "//m:checksumWaarde") == [rec.sha256]
        assert _text(bestand, "//m:checksumAlgoritme/m:begripLabel") == ["SHA256"]
        assert _text(bestand, "//m:omvang") == [str(rec.size)]
        assert _text(bestand, "//m:bestandsformaat/m:begripCode") == ["x-fmt/111"]
        assert _text(bestand, "//m:URLBestand") == [rec.filename]
        assert _text(bestand, "//m:isRepresentatieVan//m:identificatieKenmerk") == [rid]
    # The archivist's token reads the transfer back; a colleague may not.
    shown = client.get(f"/overbrengingen/{ob['kenmerk']}", headers=headers(issuer, ARIE))
    assert shown.status_code == 200 and shown.json()["id"] == ob["id"]
    listed = client.get("/overbrengingen", headers=headers(issuer, ARIE)).json()
    assert ob["id"] in {o["id"] for o in listed}
    assert client.get("/overbrengingen", headers=headers(issuer, ALICE)).status_code == 403
    assert _maak(client, issuer, k, onbekend=True).json()["code"] == "invalid"
    refused = client.post(
        "/overbrengingen",
        json={"peildatum": _vandaag().isoformat(), "dossiers": [k]},
        headers=headers(issuer, ALICE),
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_held_records_are_skipped_with_the_reason(
    wereld: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    k = kenmerk()
    held, free = due(wereld, k, 2)
    hold = client.post(
        "/blokkades",
        json={"dossier": k, "record_id": held, "grond": "woo_verzoek", "reden": "Woo 2026-3"},
        headers=headers(issuer, ARIE),
    )
    assert hold.status_code == 201, hold.text

    ob = _gemaakt(client, issuer, k)

    assert [i["record_id"] for i in ob["items"]] == [free]
    assert [(s["record_id"], s["reden"]) for s in ob["overgeslagen"]] == [(held, "blokkade")]
    assert not (Path(ob["pakket"]) / "data" / k / held).exists()
    # A hold on the whole dossier leaves nothing to transfer.
    other = kenmerk()
    due(wereld, other, 1)
    client.post(
        "/blokkades",
        json={"dossier": other, "grond": "rechtszaak", "reden": "Zaak 7"},
        headers=headers(issuer, ARIE),
    )
    empty = _maak(client, issuer, other)
    assert empty.status_code == 422
    assert empty.json()["code"] == "overbrenging_leeg"
    assert len(empty.json()["overgeslagen"]) == 1


def test_only_permanent_due_active_records_are_selected(
    wereld: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    destroy, later, still_open, ready = kenmerk(), kenmerk(), kenmerk(), kenmerk()
    due(wereld, destroy, 1, code="2.2")  # vernietigen after 5 years: never transferred
    (later_id,) = due(wereld, later, 1, op=_vandaag() - timedelta(days=30))  # due in ~10 years
    record(wereld, still_open)  # an open dossier has no dates at all
    (ready_id,) = due(wereld, ready, 1)

    nothing = _maak(client, issuer, destroy, later, still_open)
    assert nothing.status_code == 422 and nothing.json()["code"] == "overbrenging_leeg"

    ob = _gemaakt(client, issuer, destroy, later, still_open, ready)
    assert [i["record_id"] for i in ob["items"]] == [ready_id]

    future = _vandaag() + timedelta(days=3660)
    refused = _maak(client, issuer, later, peildatum=future)
    assert refused.status_code == 422 and refused.json()["code"] == "peildatum_in_toekomst"
    early = _maak(client, issuer, later, peildatum=future, vervroegd=True)
    assert early.status_code == 201, early.text
    assert [i["record_id"] for i in early.json()["items"]] == [later_id]
    unknown = _maak(client, issuer, f"{ready}-bestaat-niet")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_confirmation_marks_records_overgebracht_and_they_refuse_changes(
    wereld: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    k = kenmerk()
    ids = due(wereld, k, 2)
    ob = _gemaakt(client, issuer, k)
    # While unconfirmed, the records stay active and out of any other package.
    assert _status(wereld, *ids) == {"actief"}
    second = _maak(client, issuer, k)
    assert second.status_code == 422 and second.json()["code"] == "overbrenging_leeg"
    assert all("in_overbrenging" in s for s in second.json()["overgeslagen"])

    arie = headers(issuer, ARIE)
    resp = client.post(
        f"/overbrengingen/{ob['id']}/bevestiging",
        json={"ontvangstbewijs": "RHC ontvangstbevestiging 2026/118, 2 stukken ontvangen"},
        headers=arie,
    )

    assert resp.status_code == 200, resp.text
    done = resp.json()
    assert done["status"] == "bevestigd" and done["bevestigd_door"] == "oidc:arie"
    assert {i["status"] for i in done["items"]} == {"overgebracht"}
    assert _status(wereld, *ids) == {"overgebracht"}
    for rid in ids:
        patch = client.patch(
            f"/records/{rid}", json={"titel": "Nieuw"}, headers=headers(issuer, ALICE)
        )
        assert patch.status_code == 409
        assert patch.json()["code"] == "record_niet_actief"
    with wereld.sessions() as session:
        versies = set(
            session.scalars(
                select(RecordVersie.actie).where(
                    RecordVersie.record_id.in_(ids), RecordVersie.status == "overgebracht"
                )
            )
        )
        entries = list(
            session.scalars(
                select(AuditEntry).where(
                    AuditEntry.actie.in_(["bewaring.overgebracht", "record.overgebracht"]),
                    AuditEntry.object_id.in_([*ids, ob["id"]]),
                )
            )
        )
    assert versies == {"overgebracht"}
    transfer = [e for e in entries if e.object_type == "overbrenging"]
    assert len(transfer) == 1 and transfer[0].details is not None
    assert str(transfer[0].details["ontvangstbewijs"]).startswith("RHC ontvangstbevestiging")
    per_record = [(e.actie, e.object_id) for e in entries if e.object_type == "record"]
    assert sorted(per_record) == sorted(
        [("bewaring.overgebracht", rid) for rid in ids]
        + [("record.overgebracht", rid) for rid in ids]
    )
    again = client.post(
        f"/overbrengingen/{ob['id']}/bevestiging", json={"ontvangstbewijs": "x"}, headers=arie
    )
    assert again.status_code == 409 and again.json()["code"] == "overbrenging_status"
    cancel = client.post(
        f"/overbrengingen/{ob['id']}/annulering", json={"reden": "te laat"}, headers=arie
    )
    assert cancel.status_code == 409 and cancel.json()["code"] == "overbrenging_status"
    # Transferred records are no longer active: nothing is due again.
    assert _maak(client, issuer, k).json()["code"] == "overbrenging_leeg"


def test_confirmation_refuses_when_a_record_changed_and_cancel_frees_them(
    wereld: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    k = kenmerk()
    changed, other = due(wereld, k, 2)
    ob = _gemaakt(client, issuer, k)
    arie = headers(issuer, ARIE)
    patch = client.patch(
        f"/records/{changed}", json={"titel": "Herziene titel"}, headers=headers(issuer, ALICE)
    )
    assert patch.status_code == 200, patch.text

    resp = client.post(
        f"/overbrengingen/{ob['id']}/bevestiging", json={"ontvangstbewijs": "ok"}, headers=arie
    )

    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "overbrenging_gewijzigd"
    assert [p.split(":")[0] for p in body["problemen"]] == [changed]
    assert _status(wereld, changed, other) == {"actief"}

    cancel = client.post(
        f"/overbrengingen/{ob['kenmerk']}/annulering", json={"reden": "titel herzien"}, headers=arie
    )
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["status"] == "geannuleerd"
    assert not Path(ob["pakket"]).exists()
    # Cancelled: the records are free for a new package, which describes the new title.
    fresh = _gemaakt(client, issuer, k)
    assert {i["record_id"] for i in fresh["items"]} == {changed, other}
    stuk = _xml(Path(fresh["pakket"]) / "data" / k / changed / f"{changed}{mdto.SIDECAR}")
    assert _text(stuk, "//m:informatieobject/m:naam") == ["Herziene titel"]
    # A hold placed after packaging blocks confirmation too.
    client.post(
        "/blokkades",
        json={"dossier": k, "record_id": other, "grond": "klacht", "reden": "Klacht 12"},
        headers=arie,
    )
    held = client.post(
        f"/overbrengingen/{fresh['id']}/bevestiging", json={"ontvangstbewijs": "ok"}, headers=arie
    )
    assert held.status_code == 409 and held.json()["code"] == "overbrenging_gewijzigd"
    assert "blokkade" in held.json()["problemen"][0]


def test_a_tampered_package_is_not_confirmed(
    wereld: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    k = kenmerk()
    ids = due(wereld, k, 1)
    ob = _gemaakt(client, issuer, k)
    (item,) = ob["items"]
    original = Path(ob["pakket"]) / item["pad"]
    original.write_bytes(original.read_bytes() + b" (aangepast)")

    resp = client.post(
        f"/overbrengingen/{ob['id']}/bevestiging",
        json={"ontvangstbewijs": "ok"},
        headers=headers(issuer, ARIE),
    )

    assert resp.status_code == 409
    assert resp.json()["code"] == "pakket_ongeldig"
    assert any(item["pad"] in p and "SHA-256" in p for p in resp.json()["problemen"])
    assert _status(wereld, *ids) == {"actief"}


def test_the_cli_makes_lists_validates_and_confirms(
    wereld: Container, client: TestClient, issuer: LocalIssuer, pakketten: Path
) -> None:
    k = kenmerk()
    ids = due(wereld, k, 2)
    env = {
        **settings_env(wereld.settings),
        "ARCHIEF_BEWARING__OVERBRENGING__MAP": str(pakketten),
        "COLUMNS": "250",
    }
    runner = CliRunner()

    made = runner.invoke(
        app,
        ["overbrenging", "maak", "--peildatum", _vandaag().isoformat(), "--dossier", k],
        env=env,
    )

    assert made.exit_code == 0, made.output
    found = re.search(r"(OB-\d{4}-\d{4}) \(([0-9a-f-]{36})\): aangemaakt, 2 record", made.output)
    assert found is not None, made.output
    ob_kenmerk, ob_id = found.groups()
    bag = pakketten / ob_kenmerk
    checked = runner.invoke(app, ["overbrenging", "valideer", str(bag)], env=env)
    assert checked.exit_code == 0, checked.output
    listed = runner.invoke(app, ["overbrenging", "lijst"], env=env)
    assert listed.exit_code == 0 and ob_kenmerk in listed.output
    with wereld.sessions() as session:
        ob = session.get(Overbrenging, ob_id)
        assert ob is not None and ob.aangemaakt_door.startswith("cli:")
    refused = runner.invoke(
        app, ["overbrenging", "maak", "--peildatum", "2999-01-01", "--dossier", k], env=env
    )
    assert refused.exit_code == 2 and "peildatum_in_toekomst" in refused.output

    confirmed = runner.invoke(
        app,
        ["overbrenging", "bevestig", ob_kenmerk, "--ontvangstbewijs", "Ontvangen, RHC"],
        env=env,
    )

    assert confirmed.exit_code == 0, confirmed.output
    assert "bevestigd" in confirmed.output
    assert _status(wereld, *ids) == {"overgebracht"}
    (bag / "data" / "extra.txt").write_text("niet in het manifest")
    broken = runner.invoke(app, ["overbrenging", "valideer", str(bag)], env=env)
    assert broken.exit_code == 1
    assert "data/extra.txt: not in manifest-sha256.txt" in broken.output
