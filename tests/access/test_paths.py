# SPDX-License-Identifier: EUPL-1.2
"""Access on every route: moves and policy changes count at once, BOLA, tokens, uploads."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient

from archief.composition import Container
from policies.engine import PolicyTexts
from policies.subject import ANONIEM, Subject
from tests.access.conftest import SERVICE, add_record, headers, refresh
from tests.oidc import LocalIssuer

ALICE = Subject("alice", ("medewerker",), "wijkzaken")  # stadsbeheer
COLLEGA = Subject("carla", ("medewerker",), "wijkzaken")
BOB = Subject("bob", ("medewerker",), "onderwijs")  # ocsw: another dienst
CHEF = Subject("chef", ("leidinggevende",), "openbare-ruimte")  # stadsbeheer too
RAAD = Subject("rita", ("raadslid",))
BEHEER = Subject("bea", ("beheerder",))


def _kenmerk() -> str:
    return f"T-ACC-{uuid.uuid4().hex[:8]}"


def _search_ids(client: TestClient, auth: dict[str, str], q: str) -> tuple[int, set[str]]:
    body = client.get("/search", params={"q": q}, headers=auth).json()
    return body["total"], {h["record_id"] for h in body["hits"]}


def test_a_layer_move_counts_at_once_on_every_path(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    word = f"verhuis{uuid.uuid4().hex[:8]}"
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "organisatie", f"Notitie {word}.", "n.txt")
    refresh(world)
    alice, bob = headers(issuer, ALICE), headers(issuer, BOB)
    assert _search_ids(client, bob, word) == (1, {rid})
    assert client.get(f"/records/{rid}", headers=bob).status_code == 200

    moved = client.post(f"/records/{rid}/laag", json={"laag": "afdeling"}, headers=alice)
    assert moved.status_code == 200, moved.text
    assert moved.json()["laag"] == "afdeling"
    # No refresh, no sleep: the move waited for the index before it returned.
    assert _search_ids(client, bob, word) == (0, set())
    assert client.get(f"/records/{rid}", headers=bob).status_code == 404
    assert client.get(f"/records/{rid}/download", headers=bob).status_code == 404
    assert _search_ids(client, alice, word) == (1, {rid})

    # Bob may not move it back: he cannot even see it.
    back = client.post(f"/records/{rid}/laag", json={"laag": "organisatie"}, headers=bob)
    assert back.status_code == 404


def test_publish_and_withdraw_take_effect_at_once(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    word = f"publiceer{uuid.uuid4().hex[:8]}"
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "afdeling", f"Plan {word}.", "p.txt")
    refresh(world)
    alice = headers(issuer, ALICE)
    assert _search_ids(client, {}, word) == (0, set())
    assert client.post(f"/records/{rid}/publicatie", headers={}).status_code == 404

    published = client.post(f"/records/{rid}/publicatie", headers=alice)
    assert published.status_code == 200, published.text
    assert (published.json()["laag"], published.json()["publicabel"]) == ("openbaar", True)
    assert _search_ids(client, {}, word) == (1, {rid})
    assert client.get(f"/records/{rid}/download").status_code == 200

    withdrawn = client.delete(f"/records/{rid}/publicatie", headers=alice)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["laag"] == "afdeling"  # back where it was
    assert _search_ids(client, {}, word) == (0, set())
    assert client.get(f"/records/{rid}").status_code == 404
    # The generic move cannot be used to publish.
    sneaky = client.post(f"/records/{rid}/laag", json={"laag": "openbaar"}, headers=alice)
    assert sneaky.status_code == 409


def test_a_policy_change_counts_from_the_next_request(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    word = f"raadsstuk{uuid.uuid4().hex[:8]}"
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "raad", f"Raadsvoorstel {word}.", "r.txt")
    refresh(world)
    raad, beheer = headers(issuer, RAAD), headers(issuer, BEHEER)
    assert _search_ids(client, raad, word) == (1, {rid})
    original = PolicyTexts.default().regels
    stricter = "\n".join(
        line for line in original.splitlines() if not line.startswith("p, raadslid, alle, raad,")
    )
    # Only a beheerder may change policy.
    refused = client.put("/beleid", json={"regels": stricter}, headers=raad)
    assert refused.status_code == 403
    try:
        changed = client.put(
            "/beleid", json={"regels": stricter, "toelichting": "t"}, headers=beheer
        )
        assert changed.status_code == 200, changed.text
        assert _search_ids(client, raad, word) == (0, set())
        assert client.get(f"/records/{rid}", headers=raad).status_code == 404
        versions = client.get("/beleid/versies", headers=beheer).json()
        assert [v["versie"] for v in versions] == sorted(v["versie"] for v in versions)
        assert versions[-1]["toelichting"] == "t"
    finally:
        restored = client.put("/beleid", json={"regels": original}, headers=beheer)
        assert restored.status_code == 200
    assert _search_ids(client, raad, word) == (1, {rid})


def test_a_broken_policy_is_refused_with_every_problem(
    client: TestClient, issuer: LocalIssuer
) -> None:
    resp = client.put(
        "/beleid",
        json={"regels": "p, wethouder, alle, geheim, lezen\n"},
        headers=headers(issuer, BEHEER),
    )
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "invalid_policy"
    assert len(body["problems"]) == 3  # role, layer and action


AFWIJZEN = {"besluit": "afgewezen"}


def test_bola_sweep(world: Container, client: TestClient, issuer: LocalIssuer) -> None:
    """Bob tries every id of Alice's records on every route; all must look missing."""
    kenmerk = _kenmerk()
    alice, bob = headers(issuer, ALICE), headers(issuer, BOB)
    rid, dossier_id = add_record(world, kenmerk, "wijkzaken", "afdeling", "Eerste.", "s0.txt")
    uploads: list[tuple[str, str | None]] = [(rid, None)]
    for i, laag in enumerate(("college", "leiding", "afdeling"), 1):
        resp = client.post(
            "/ingest",
            headers=SERVICE,
            data={"dossier": kenmerk, "laag": laag},
            files={"file": (f"stuk{i}.txt", f"Werkstuk {i} {uuid.uuid4().hex}".encode())},
        )
        assert resp.status_code == 202, resp.text
        uploads.append((resp.json()["record_id"], resp.json()["id"]))
    refresh(world)
    routes = [
        ("GET", "/records/{id}", None),
        ("GET", "/records/{id}/pages", None),
        ("GET", "/records/{id}/download", None),
        ("GET", "/records/{id}/download?presigned=true", None),
        ("GET", "/records/{id}/thumbnail", None),
        ("GET", "/records/{id}/pages/1/thumbnail", None),
        ("GET", "/records/{id}/suggesties", None),
        ("POST", "/records/{id}/suggesties/" + str(uuid.uuid4()) + "/besluit", AFWIJZEN),
        (
            "POST",
            "/records/{id}/suggesties/besluiten",
            {"besluiten": [{**AFWIJZEN, "suggestie": str(uuid.uuid4())}]},
        ),
        ("POST", "/records/{id}/laag", {"laag": "organisatie"}),
        ("POST", "/records/{id}/publicatie", None),
        ("DELETE", "/records/{id}/publicatie", None),
    ]
    tried = 0
    for rid, item_id in uploads:
        for method, route, body in routes:
            resp = client.request(method, route.format(id=rid), json=body, headers=bob)
            tried += 1
            assert resp.status_code == 404, (method, route, resp.status_code, resp.text)
        if item_id is not None:
            assert client.get(f"/ingest/items/{item_id}", headers=bob).status_code == 404
            tried += 1
    for route in (f"/dossiers/{dossier_id}", f"/dossiers/{dossier_id}/records"):
        assert client.get(route, headers=bob).status_code == 404
        tried += 1
    # A batch poll tells Bob no more than the single one: every id unknown.
    item_ids = [i for _, i in uploads if i is not None]
    polled = client.get("/ingest/items", params={"id": item_ids}, headers=bob)
    tried += 1
    assert polled.status_code == 200, polled.text
    assert polled.json() == {"items": [], "unknown": item_ids}
    # The same ids work for their owner, so the 404s above are about Bob.
    for rid, _ in uploads[:2]:
        assert client.get(f"/records/{rid}", headers=alice).status_code == 200
        assert client.get(f"/records/{rid}/suggesties", headers=alice).status_code == 200
    # Alice follows what was handed in where she may add (not the leiding
    # layer): the batch poll and the single one agree, item for item.
    theirs = client.get("/ingest/items", params={"id": item_ids}, headers=alice).json()
    single = [i for i in item_ids if client.get(f"/ingest/items/{i}", headers=alice).is_success]
    assert [i["id"] for i in theirs["items"]] == single
    assert theirs["unknown"] == [i for i in item_ids if i not in single]
    assert 0 < len(single) < len(item_ids)
    assert tried >= 4 * len(routes)


def test_colleagues_see_their_afdeling_and_managers_their_dienst(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    word = f"werklaag{uuid.uuid4().hex[:8]}"
    kenmerk = _kenmerk()
    werk, _ = add_record(world, kenmerk, "wijkzaken", "afdeling", f"Concept {word}.", "c.txt")
    leiding, dossier_id = add_record(
        world, kenmerk, "wijkzaken", "leiding", f"Functionering {word}.", "f.txt"
    )
    refresh(world)
    seen = {
        name: _search_ids(client, headers(issuer, who), word)[1]
        for name, who in {"collega": COLLEGA, "chef": CHEF, "bob": BOB, "raad": RAAD}.items()
    }
    assert seen == {"collega": {werk}, "chef": {werk, leiding}, "bob": set(), "raad": set()}
    dossier = client.get(f"/dossiers/{dossier_id}", headers=headers(issuer, COLLEGA)).json()
    assert dossier["per_laag"] == {"afdeling": 1}  # counts only what she may read


def test_an_upload_by_a_user_needs_write_in_that_layer(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    kenmerk = _kenmerk()
    add_record(world, kenmerk, "wijkzaken", "afdeling", "Start.", "start.txt")

    def upload(who: Subject, laag: str) -> httpx.Response:
        resp: httpx.Response = client.post(
            "/ingest",
            headers=headers(issuer, who),
            data={"dossier": kenmerk, "laag": laag},
            files={"file": ("memo.txt", f"Memo {uuid.uuid4().hex}".encode())},
        )
        return resp

    assert upload(ALICE, "afdeling").status_code == 202
    assert upload(ALICE, "leiding").status_code == 403
    # Bob may write nowhere in that afdeling: the dossier does not exist for him.
    assert upload(BOB, "afdeling").status_code == 404
    assert upload(RAAD, "afdeling").status_code == 403  # no write anywhere: refused up front
    assert upload(ALICE, "geheim").status_code == 400


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda i: i.mint("x", roles=["medewerker"], exp=1), "expired"),
        (lambda i: i.mint("x", roles=["medewerker"], aud="iemand-anders"), "audience"),
        (lambda i: i.mint("x", roles=["medewerker"], iss="https://nep.example"), "issuer"),
        (lambda i: i.mint("x", roles=["medewerker"], headers={"kid": "onbekend"}), "unknown_kid"),
        (lambda i: "niet.een.token", "malformed"),
    ],
)
def test_bad_tokens_get_401_on_the_api(
    client: TestClient, issuer: LocalIssuer, mutate: object, reason: str
) -> None:
    token = mutate(issuer)  # type: ignore[operator]
    resp = client.get("/search", params={"q": "x"}, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert resp.json()["reason"] == reason


def test_me_shows_the_caller_and_their_grants(client: TestClient, issuer: LocalIssuer) -> None:
    me = client.get("/me", headers=headers(issuer, ALICE)).json()
    assert (me["rollen"], me["afdeling"], me["dienst"]) == (
        ["medewerker"],
        "wijkzaken",
        "stadsbeheer",
    )
    scoped = [g for g in me["mag"]["read"] if g["afdeling"] == "wijkzaken"]
    assert scoped and set(scoped[0]["lagen"]) == {"afdeling", "college"}
    anon = client.get("/me").json()
    assert anon["rollen"] == list(ANONIEM.rollen)
    assert anon["mag"]["read"] == [{"lagen": ["openbaar"], "afdeling": None, "dienst": None}]
    assert client.get("/beleid").status_code == 403
    lagen = client.get("/lagen").json()
    assert {laag["code"]: laag["vertrouwelijkheid"] for laag in lagen}["openbaar"] == "openbaar"


def test_presigned_download_is_authorised_first(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    rid, _ = add_record(world, _kenmerk(), "wijkzaken", "afdeling", "Ondertekend.", "o.txt")
    resp = client.get(
        f"/records/{rid}/download",
        params={"presigned": "true"},
        headers=headers(issuer, ALICE),
        follow_redirects=False,
    )
    assert resp.status_code == 307
    url = resp.headers["location"]
    assert "X-Amz-Expires=60" in url
    fetched = httpx.get(url)
    assert fetched.status_code == 200
    assert fetched.content == b"Ondertekend."


def test_intake_refuses_a_layer_the_policy_does_not_know(world: Container) -> None:
    from archief.intake.service import UnknownLayer, ensure_dossier  # noqa: PLC0415

    dossier = ensure_dossier(
        world.sessions, world.clock, kenmerk=_kenmerk(), titel="t", afdeling="wijkzaken"
    )
    with pytest.raises(UnknownLayer):
        world.intake.receive(
            io.BytesIO(b"Geheime nota."), name="g.txt", dossier_id=dossier.id, laag="geheim"
        )
