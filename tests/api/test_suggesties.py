# SPDX-License-Identifier: EUPL-1.2
"""Metadata suggestions a person confirms, corrects or rejects, on the real stack.

Each test files its own generated letter (the Groningen raadsbrief layout:
labels without colons, the onderwerp wrapped onto a second line) through the
real intake with tasks inline, so the suggestions come from the pipeline.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from archief.audit.chain import SYSTEEM
from archief.bewaring import categorie, selectielijst
from archief.catalog.models import AuditEntry, Dossier, Record, Suggestion, Vernietigingslijst
from archief.composition import Container
from policies.subject import ANONIEM, Subject
from tests.access import conftest as access_world
from tests.access.conftest import add_record, headers
from tests.oidc import LocalIssuer

ALICE = Subject("alice", ("medewerker",), "wijkzaken")  # writes in her afdeling's dossiers
BOB = Subject("bob", ("medewerker",), "welzijn")  # reads the organisatie layer, changes nothing
RIA = Subject("ria", ("raadslid",))  # the raad layer only
ARIE = Subject("arie", ("archivaris",))
AAD = Subject("aad", ("archivaris",))
LOES = Subject("loes", ("leidinggevende",), "wijkzaken")

world = access_world.world
issuer = access_world.issuer
client = access_world.client

MAANDEN = [
    *("januari", "februari", "maart", "april", "mei", "juni"),
    *("juli", "augustus", "september", "oktober", "november", "december"),
]


class Brief:
    """A generated raadsbrief: what its header says, and where it was filed."""

    def __init__(self, world: Container, laag: str = "organisatie") -> None:
        self.woord = "k" + uuid.uuid4().hex[:10]
        self.datum = date(random.randint(2005, 2030), random.randint(1, 12), random.randint(1, 28))
        self.kenmerk = f"RO {self.datum.year % 100}.{random.randint(1000, 99999)}"
        self.onderwerp = f"Herinrichting van het {self.woord}plein en omliggende straten"
        self.email = f"j.{self.woord}@ro.groningen.example"
        self.dossier = f"T-SUG-{uuid.uuid4().hex[:8]}"
        self.record_id, self.dossier_id = add_record(
            world, self.dossier, "wijkzaken", laag, self.text(), f"brief-{self.woord}.txt"
        )

    def text(self) -> str:
        d = self.datum
        return (
            "\n\nAfdeling Stadsontwikkeling/Ruimtelijke Ordening\n"
            f"Onderwerp Herinrichting van het {self.woord}plein en\n"
            "omliggende straten\n\n"
            "Bezoekadres\nKreupelstraat 1\n\n"
            "Postadres\nPostbus 30026\n9700 RM Groningen\n\n"
            "Aan de leden van de raad van de gemeente Groningen\nte\nGRONINGEN\n\n"
            "Telefoon (050) 367 12 34 Bijlage(n) 1\n\n"
            f"Ons kenmerk {self.kenmerk}\n\n"
            f"E-mailadres\n{self.email}\n\n"
            f"Datum {d.day} {MAANDEN[d.month - 1]} {d.year} Uw brief van\n\n"
            "Uw kenmerk\n\n"
            "Geachte mevrouw/heer,\n\n"
            f"Hierbij informeren wij u over de stand van zaken rond het {self.woord}plein.\n"
        )


def _list(client: TestClient, auth: dict[str, str], rid: str) -> Any:
    return client.get(f"/records/{rid}/suggesties", headers=auth)


def _ids(client: TestClient, issuer: LocalIssuer, rid: str) -> dict[str, str]:
    resp = _list(client, headers(issuer, ALICE), rid)
    assert resp.status_code == 200, resp.text
    return {s["field"]: s["id"] for s in resp.json()["suggesties"]}


def _decide(
    client: TestClient, auth: dict[str, str], rid: str, sid: str, besluit: str, **extra: Any
) -> Any:
    return client.post(
        f"/records/{rid}/suggesties/{sid}/besluit", json={"besluit": besluit, **extra}, headers=auth
    )


def _record(world: Container, rid: str) -> Record:
    with world.sessions() as session:
        record = session.get(Record, rid)
        assert record is not None
        session.expunge(record)
        return record


def _acties(world: Container, rid: str) -> list[str]:
    with world.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry.actie)
                .where(AuditEntry.object_id == rid, AuditEntry.actie.like("suggestie.%"))
                .order_by(AuditEntry.seq)
            )
        )


def _suggest(client: TestClient, auth: dict[str, str], prefix: str) -> list[str]:
    resp = client.get("/search/suggest", params={"prefix": prefix}, headers=auth)
    assert resp.status_code == 200, resp.text
    return resp.json()["suggestions"]  # type: ignore[no-any-return]


def test_the_memo_header_is_listed_as_pending_suggestions(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    brief = Brief(world)
    resp = _list(client, headers(issuer, ALICE), brief.record_id)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    found = {s["field"]: s for s in body["suggesties"]}
    assert {f: s["value"] for f, s in found.items()} == {
        "onderwerp": brief.onderwerp,
        "kenmerk": brief.kenmerk,
        "datum": brief.datum.isoformat(),
        "afdeling": "Stadsontwikkeling/Ruimtelijke Ordening",
        "steller_email": brief.email,
    }
    assert body["suggesties"][0]["field"] == "onderwerp"
    assert found["onderwerp"]["raw"] == (
        f"Herinrichting van het {brief.woord}plein en\nomliggende straten"
    )
    assert {s["status"] for s in body["suggesties"]} == {"voorgesteld"}
    assert all(s["page"] == 1 and 0 < s["confidence"] <= 1 for s in body["suggesties"])
    assert all(s["besloten_door"] is None and s["waarde"] is None for s in body["suggesties"])
    assert found["onderwerp"]["recordveld"] == "titel"
    assert found["kenmerk"]["recordveld"] is None
    assert body["bevestigd"] == {}
    # Reading what was read from the content is logged like reading the text.
    with world.sessions() as session:
        details = session.scalars(
            select(AuditEntry.details).where(
                AuditEntry.object_id == brief.record_id, AuditEntry.actie == "record.geopend"
            )
        ).all()
    assert {"versie": 1, "onderdeel": "suggesties"} in details


def test_confirming_the_onderwerp_retitles_the_record_everywhere(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    brief = Brief(world)
    alice = headers(issuer, ALICE)
    ids = _ids(client, issuer, brief.record_id)
    before = _record(world, brief.record_id)
    assert before.titel != brief.onderwerp
    assert _suggest(client, alice, f"Herinrichting {brief.woord}") == []

    resp = _decide(client, alice, brief.record_id, ids["onderwerp"], "bevestigd")

    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert out["suggestie"]["status"] == "bevestigd"
    assert out["suggestie"]["waarde"] == brief.onderwerp
    assert out["suggestie"]["recordveld"] == "titel"
    assert out["suggestie"]["besloten_door"] == "oidc:alice"
    assert out["suggestie"]["besloten_op"] is not None
    assert (out["record"]["titel"], out["record"]["versie"]) == (brief.onderwerp, before.versie + 1)
    assert _record(world, brief.record_id).titel == brief.onderwerp

    versies = client.get(f"/records/{brief.record_id}/versies", headers=alice).json()
    assert [(v["versie"], v["actie"], v["titel"]) for v in versies][-2:] == [
        (before.versie, "aangemaakt", before.titel),
        (before.versie + 1, "metadata", brief.onderwerp),
    ]
    assert _acties(world, brief.record_id) == ["suggestie.bevestigd"]
    with world.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_id == brief.record_id, AuditEntry.actie == "suggestie.bevestigd"
            )
        ).one()
        metadata = session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_id == brief.record_id, AuditEntry.actie == "record.metadata"
            )
        ).one()
    assert entry.object_type == "record" and entry.dossier_id == brief.dossier_id
    assert entry.details is not None
    assert entry.details["suggestie"] == ids["onderwerp"] and entry.details["veld"] == "onderwerp"
    assert metadata.na == {"titel": brief.onderwerp}

    # The index was retitled in the same request: search and completion see it.
    hits = client.get("/search", params={"q": f"{brief.woord}plein"}, headers=alice).json()["hits"]
    assert [(h["record_id"], h["title"]) for h in hits] == [(brief.record_id, brief.onderwerp)]
    assert _suggest(client, alice, f"Herinrichting {brief.woord}") == [brief.onderwerp]

    again = _decide(client, alice, brief.record_id, ids["onderwerp"], "afgewezen")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "suggestie_al_besloten"
    assert _record(world, brief.record_id).versie == before.versie + 1


def test_rejecting_and_correcting_keep_confirmed_metadata_without_a_new_version(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    brief = Brief(world)
    alice = headers(issuer, ALICE)
    ids = _ids(client, issuer, brief.record_id)
    versie = _record(world, brief.record_id).versie
    later = brief.datum + timedelta(days=3)

    rejected = _decide(
        client, alice, brief.record_id, ids["kenmerk"], "afgewezen", toelichting="hun kenmerk"
    )
    corrected = _decide(
        client, alice, brief.record_id, ids["datum"], "gecorrigeerd", waarde=later.isoformat()
    )
    confirmed = _decide(client, alice, brief.record_id, ids["steller_email"], "bevestigd")

    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["suggestie"]["status"], rejected.json()["suggestie"]["waarde"]) == (
        "afgewezen",
        None,
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["suggestie"]["waarde"] == later.isoformat()
    assert corrected.json()["suggestie"]["value"] == brief.datum.isoformat()
    assert corrected.json()["suggestie"]["recordveld"] is None
    assert confirmed.status_code == 200, confirmed.text
    # No record field took any of them: the record stays as it was.
    record = _record(world, brief.record_id)
    assert record.versie == versie and record.brondatum is None
    assert _acties(world, brief.record_id) == [
        "suggestie.afgewezen",
        "suggestie.gecorrigeerd",
        "suggestie.bevestigd",
    ]

    listed = _list(client, alice, brief.record_id).json()
    assert listed["bevestigd"] == {"datum": later.isoformat(), "steller_email": brief.email}
    status = {s["field"]: s["status"] for s in listed["suggesties"]}
    assert status == {
        "onderwerp": "voorgesteld",
        "kenmerk": "afgewezen",
        "datum": "gecorrigeerd",
        "afdeling": "voorgesteld",
        "steller_email": "bevestigd",
    }


def test_a_corrected_onderwerp_becomes_the_title(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    brief = Brief(world)
    alice = headers(issuer, ALICE)
    ids = _ids(client, issuer, brief.record_id)
    titel = f"Herinrichting {brief.woord}plein (fase {random.randint(2, 9)})"

    resp = _decide(client, alice, brief.record_id, ids["onderwerp"], "gecorrigeerd", waarde=titel)

    assert resp.status_code == 200, resp.text
    assert resp.json()["record"]["titel"] == titel
    assert resp.json()["suggestie"]["waarde"] == titel
    assert _suggest(client, alice, f"Herinrichting {brief.woord}") == [titel]


def test_bad_values_are_refused_and_change_nothing(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    brief = Brief(world)
    alice = headers(issuer, ALICE)
    ids = _ids(client, issuer, brief.record_id)
    rid = brief.record_id
    cases = [
        (ids["datum"], {"besluit": "gecorrigeerd", "waarde": "31 februari"}, "ongeldige_waarde"),
        (ids["datum"], {"besluit": "gecorrigeerd", "waarde": "2026-02-30"}, "ongeldige_waarde"),
        (ids["onderwerp"], {"besluit": "gecorrigeerd", "waarde": "x" * 501}, "ongeldige_waarde"),
        (ids["onderwerp"], {"besluit": "gecorrigeerd", "waarde": "   "}, "ongeldige_waarde"),
        (
            ids["steller_email"],
            {"besluit": "gecorrigeerd", "waarde": "geen adres"},
            "ongeldige_waarde",
        ),
        # Confirming keeps the value as read; a different one is a correction.
        (ids["kenmerk"], {"besluit": "bevestigd", "waarde": "RO 1.1"}, "ongeldige_waarde"),
        (ids["kenmerk"], {"besluit": "gecorrigeerd"}, "invalid"),
        (ids["kenmerk"], {"besluit": "afgewezen", "waarde": "RO 1.1"}, "invalid"),
        (ids["kenmerk"], {"besluit": "misschien"}, "invalid"),
    ]
    for sid, body, code in cases:
        resp = client.post(f"/records/{rid}/suggesties/{sid}/besluit", json=body, headers=alice)
        assert (resp.status_code, resp.json()["code"]) == (422, code), body

    listed = _list(client, alice, rid).json()
    assert {s["status"] for s in listed["suggesties"]} == {"voorgesteld"}
    assert _record(world, rid).versie == 1
    assert _acties(world, rid) == []
    # A suggestion of another record is not found through this one.
    other = Brief(world)
    resp = _decide(
        client, alice, rid, _ids(client, issuer, other.record_id)["kenmerk"], "afgewezen"
    )
    assert (resp.status_code, resp.json()["code"]) == (404, "not_found")


def test_who_may_read_sees_who_may_write_decides(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    brief = Brief(world)  # the organisatie layer of wijkzaken
    hidden = Brief(world, laag="afdeling")  # wijkzaken colleagues only
    sid = _ids(client, issuer, brief.record_id)["kenmerk"]
    hidden_sid = _ids(client, issuer, hidden.record_id)["kenmerk"]

    bob, ria, public = headers(issuer, BOB), headers(issuer, RIA), headers(issuer, ANONIEM)
    assert _list(client, bob, brief.record_id).status_code == 200
    resp = _decide(client, bob, brief.record_id, sid, "bevestigd")
    assert (resp.status_code, resp.json()["code"]) == (403, "forbidden")
    for auth in (ria, public):
        assert _list(client, auth, brief.record_id).status_code == 404
        resp = _decide(client, auth, brief.record_id, sid, "bevestigd")
        assert (resp.status_code, resp.json()["code"]) == (404, "not_found")
    # Not readable looks exactly like not there, to a colleague elsewhere too.
    assert _list(client, bob, hidden.record_id).json()["code"] == "not_found"
    resp = _decide(client, bob, hidden.record_id, hidden_sid, "bevestigd")
    assert (resp.status_code, resp.json()["code"]) == (404, "not_found")
    missing = _list(client, headers(issuer, ALICE), str(uuid.uuid4()))
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")

    assert _acties(world, brief.record_id) == _acties(world, hidden.record_id) == []
    with world.sessions() as session:
        statuses = set(
            session.scalars(
                select(Suggestion.status).where(
                    Suggestion.record_id.in_([brief.record_id, hidden.record_id])
                )
            )
        )
    assert statuses == {"voorgesteld"}


def test_several_decisions_at_once_are_all_or_nothing(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    brief = Brief(world)
    alice = headers(issuer, ALICE)
    ids = _ids(client, issuer, brief.record_id)
    url = f"/records/{brief.record_id}/suggesties/besluiten"

    failing = client.post(
        url,
        json={
            "besluiten": [
                {"suggestie": ids["onderwerp"], "besluit": "bevestigd"},
                {"suggestie": ids["datum"], "besluit": "gecorrigeerd", "waarde": "gisteren"},
            ]
        },
        headers=alice,
    )
    assert (failing.status_code, failing.json()["code"]) == (422, "ongeldige_waarde")
    assert _record(world, brief.record_id).titel != brief.onderwerp
    assert _acties(world, brief.record_id) == []
    assert _suggest(client, alice, f"Herinrichting {brief.woord}") == []

    done = client.post(
        url,
        json={
            "besluiten": [
                {"suggestie": ids["onderwerp"], "besluit": "bevestigd"},
                {"suggestie": ids["afdeling"], "besluit": "afgewezen"},
            ]
        },
        headers=alice,
    )
    assert done.status_code == 200, done.text
    assert [s["status"] for s in done.json()["suggesties"]] == ["bevestigd", "afgewezen"]
    assert done.json()["record"]["titel"] == brief.onderwerp
    assert _acties(world, brief.record_id) == ["suggestie.bevestigd", "suggestie.afgewezen"]
    twice = client.post(
        url,
        json={"besluiten": [{"suggestie": ids["kenmerk"], "besluit": "afgewezen"}] * 2},
        headers=alice,
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "suggestie_al_besloten")
    assert _acties(world, brief.record_id) == ["suggestie.bevestigd", "suggestie.afgewezen"]


def test_a_hold_blocks_a_new_title_but_not_metadata(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    brief = Brief(world)
    alice = headers(issuer, ALICE)
    ids = _ids(client, issuer, brief.record_id)
    hold = client.post(
        "/blokkades",
        json={"dossier": brief.dossier, "grond": "klacht", "reden": "Klacht 2026-31"},
        headers=headers(issuer, ARIE),
    )
    assert hold.status_code == 201, hold.text

    titled = _decide(client, alice, brief.record_id, ids["onderwerp"], "bevestigd")
    assert (titled.status_code, titled.json()["code"]) == (409, "blokkade")
    kept = _decide(client, alice, brief.record_id, ids["kenmerk"], "bevestigd")
    assert kept.status_code == 200, kept.text
    assert _record(world, brief.record_id).titel != brief.onderwerp
    assert _acties(world, brief.record_id) == ["suggestie.bevestigd"]


def _destroy(world: Container, client: TestClient, issuer: LocalIssuer, dossier_id: str) -> None:
    """Destroy the dossier's records the way an archivist does (only the wait is skipped)."""
    with world.sessions.begin() as session:
        dossier = session.get(Dossier, dossier_id)
        assert dossier is not None
        dossier.afgehandeld_op = date(2015, 1, 2)
        # 2.2: vernietigen five years after closing, so long due.
        categorie.set_dossier(
            session, dossier, "2.2", selectielijst.default(), actor=SYSTEEM, at=world.clock.now()
        )
    resp = client.post(
        "/vernietigingslijsten",
        json={"dossiers": [dossier_id], "toelichting": "test"},
        headers=headers(issuer, ARIE),
    )
    assert resp.status_code == 201, resp.text
    lijst = resp.json()["id"]
    for who, rol in ((LOES, "leidinggevende"), (AAD, "archivaris")):
        resp = client.post(
            f"/vernietigingslijsten/{lijst}/beoordelingen",
            json={"rol": rol, "oordeel": "goedgekeurd"},
            headers=headers(issuer, who),
        )
        assert resp.status_code == 201, resp.text
    with world.sessions.begin() as session:
        session.execute(
            update(Vernietigingslijst)
            .where(Vernietigingslijst.id == lijst)
            .values(uitvoerbaar_vanaf=world.clock.now() - timedelta(minutes=1))
        )
    resp = client.post(f"/vernietigingslijsten/{lijst}/uitvoering", headers=headers(issuer, ARIE))
    assert resp.status_code == 200, resp.text
    assert resp.json()["aantallen"] == {"vernietigd": 1}


def test_a_destroyed_record_takes_no_decision(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    brief = Brief(world)
    alice = headers(issuer, ALICE)
    sid = _ids(client, issuer, brief.record_id)["onderwerp"]
    _destroy(world, client, issuer, brief.dossier_id)

    resp = _decide(client, alice, brief.record_id, sid, "bevestigd")
    assert (resp.status_code, resp.json()["code"]) == (409, "record_niet_actief")
    listed = _list(client, alice, brief.record_id)
    assert (listed.status_code, listed.json()["code"]) == (410, "vernietigd")
    assert _acties(world, brief.record_id) == []
