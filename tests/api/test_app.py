# SPDX-License-Identifier: EUPL-1.2
"""The HTTP API on the real adapters: health, problem+json, upload and search."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from archief.app import create_app
from archief.composition import Container, build_container
from archief.demo import SAMPLES
from archief.intake.service import ensure_dossier
from archief.settings import SearchSettings, Settings
from search.index import ElasticsearchIndex
from tests.conftest import scratch_database

TOKEN = "test-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def api_database(stack_settings: Settings) -> Iterator[str]:
    # A catalog of its own: finalize indexes every record of a content, and
    # counts here must not see other tests' records.
    with scratch_database(stack_settings.database.url, f"test_{uuid.uuid4().hex[:8]}") as url:
        yield url


@pytest.fixture(scope="module")
def api(eager_settings: Settings, container: Container, api_database: str) -> Iterator[Container]:
    """Tasks inline, a service token, and a small upload limit to test it."""
    settings = eager_settings.model_copy(
        update={
            "database": eager_settings.database.model_copy(update={"url": api_database}),
            "api": eager_settings.api.model_copy(update={"service_tokens": [SecretStr(TOKEN)]}),
            "ingest": eager_settings.ingest.model_copy(update={"max_upload_bytes": 256 * 1024}),
            # An index of its own, so counts here do not see other tests' records.
            "search": eager_settings.search.model_copy(
                update={"index_prefix": eager_settings.search.index_prefix + "-api"}
            ),
        }
    )
    c = build_container(settings)
    c.prepare()
    ensure_dossier(c.sessions, c.clock, kenmerk="T-API", titel="API-test", afdeling="wijkzaken")
    yield c
    if isinstance(c.index, ElasticsearchIndex):
        c.index.drop()
    c.close()


@pytest.fixture(scope="module")
def client(api: Container) -> Iterator[TestClient]:
    with TestClient(create_app(api.settings, lambda _s: api)) as c:
        yield c


def _upload(
    client: TestClient, name: str, data: bytes, laag: str = "openbaar"
) -> dict[str, object]:
    resp = client.post(
        "/ingest",
        headers=AUTH,
        data={"dossier": "T-API", "laag": laag},
        files={"file": (name, data, "application/octet-stream")},
    )
    assert resp.status_code == 202, resp.text
    body: dict[str, object] = resp.json()
    return body


def test_live(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}


def test_ready_checks_every_service(client: TestClient) -> None:
    resp = client.get("/health/ready")
    assert resp.status_code == 200, resp.text
    checks = resp.json()["checks"]
    assert set(checks) == {"database", "objectstore", "search", "queue", "ocr"}
    assert all(c["status"] == "ok" for c in checks.values()), checks


def test_ready_fails_with_the_failing_service_named(settings: Settings) -> None:
    broken = settings.model_copy(
        update={"search": SearchSettings(url="http://127.0.0.1:1", request_timeout=1)}
    )
    with TestClient(create_app(broken)) as c:
        resp = c.get("/health/ready")
    assert resp.status_code == 503
    body = resp.json()
    assert body["checks"]["search"]["status"] == "failing"
    assert body["checks"]["database"]["status"] == "ok"


def test_upload_is_processed_and_pollable(client: TestClient) -> None:
    data = (SAMPLES / "besluitnota-speeltuin-oosterpark.txt").read_bytes()
    body = _upload(client, "besluitnota.txt", data)
    # Tasks run inline here, so the item is done when the upload returns.
    # No token, no status: to the public the item does not exist.
    assert client.get(f"/ingest/items/{body['id']}").status_code == 404
    polled = client.get(f"/ingest/items/{body['id']}", headers=AUTH).json()
    assert polled["status"] == "indexed"
    assert polled["pages_done"] == polled["pages_total"] == 1
    again = _upload(client, "kopie.txt", data)
    assert again["status"] == "duplicate"
    assert again["record_id"] == body["record_id"]


def test_search_finds_stemmed_dutch_and_only_the_public_layer(
    client: TestClient, api: Container
) -> None:
    _upload(client, "verslag.txt", (SAMPLES / "verslag-bewonersavond-zuid.txt").read_bytes())
    _upload(
        client,
        "projectplan.txt",
        (SAMPLES / "projectplan-fietsroute-wijk-zuid.txt").read_bytes(),
        laag="afdeling",
    )
    assert isinstance(api.index, ElasticsearchIndex)
    api.index.client.indices.refresh(index=api.index.alias)
    body = client.get("/search", params={"q": "besluiten speeltuin"}).json()
    assert body["total"] == 1
    assert body["hits"][0]["pages"] == [1]
    # "fietsroute" occurs in the public verslag and in the internal projectplan.
    hits = client.get("/search", params={"q": "fietsroute"}).json()
    assert hits["total"] == 1
    assert hits["hits"][0]["title"] == "verslag"


def test_upload_without_token_is_refused(client: TestClient) -> None:
    resp = client.post(
        "/ingest",
        data={"dossier": "T-API", "laag": "afdeling"},
        files={"file": ("a.txt", b"tekst")},
    )
    assert resp.status_code == 401
    assert resp.json()["code"] == "unauthenticated"


def test_upload_over_the_limit_is_413(client: TestClient) -> None:
    resp = client.post(
        "/ingest",
        headers=AUTH,
        data={"dossier": "T-API", "laag": "afdeling"},
        files={"file": ("groot.txt", b"a" * (300 * 1024))},
    )
    assert resp.status_code == 413
    assert resp.json()["code"] == "too_large"


def test_upload_problems_have_codes(client: TestClient) -> None:
    no_file = client.post(
        "/ingest",
        headers=AUTH,
        data={"dossier": "T-API", "laag": "afdeling"},
        files={"x": ("", b"")},
    )
    assert no_file.status_code == 400
    unknown = client.post(
        "/ingest",
        headers=AUTH,
        data={"dossier": "GEEN", "laag": "afdeling"},
        files={"file": ("a.txt", b"tekst voor een dossier dat er niet is")},
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"
    empty = client.post(
        "/ingest",
        headers=AUTH,
        data={"dossier": "T-API", "laag": "afdeling"},
        files={"file": ("leeg.pdf", b"")},
    )
    assert empty.status_code == 422
    assert empty.headers["content-type"] == "application/problem+json"
    assert empty.json()["code"] == "empty_file"
    junk = client.post(
        "/ingest",
        headers=AUTH,
        data={"dossier": "T-API", "laag": "afdeling"},
        files={"file": ("\u202efdp.exe", bytes(range(256)) * 4)},
    )
    assert junk.status_code == 415
    body = junk.json()
    assert (body["code"], body["quarantined"]) == ("unsupported_type", True)
    # The refused item is kept, pollable, with a safe name.
    item = client.get(f"/ingest/items/{body['item_id']}", headers=AUTH).json()
    assert (item["status"], item["reason_code"]) == ("failed", "unsupported_type")
    assert "\u202e" not in item["name"]


def test_a_batch_is_polled_in_one_request(client: TestClient) -> None:
    first = _upload(client, "a.txt", f"Eerste stuk {uuid.uuid4().hex}".encode())
    second = _upload(client, "b.txt", f"Tweede stuk {uuid.uuid4().hex}".encode())
    asked = [second["id"], "bestaat-niet", first["id"], second["id"]]
    resp = client.get("/ingest/items", params={"id": asked}, headers=AUTH)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    # In the order asked, each once; what cannot be followed is named apart.
    assert [i["id"] for i in body["items"]] == [second["id"], first["id"]]
    assert body["unknown"] == ["bestaat-niet"]
    single = client.get(f"/ingest/items/{first['id']}", headers=AUTH).json()
    assert body["items"][1] == single
    assert single["status"] == "indexed"
    assert single["pages_done"] == single["pages_total"] == 1
    # No token: to the public none of them exists.
    public = client.get("/ingest/items", params={"id": asked[:3]}).json()
    assert public == {"items": [], "unknown": asked[:3]}


@pytest.mark.parametrize("ids", [[], ["x"] * 201, ["x" * 37]], ids=["none", "too-many", "too-long"])
def test_a_batch_poll_out_of_bounds_is_a_problem(client: TestClient, ids: list[str]) -> None:
    resp = client.get("/ingest/items", params={"id": ids}, headers=AUTH)
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["code"] == "invalid"


def test_unknown_item_is_404(client: TestClient) -> None:
    resp = client.get("/ingest/items/bestaat-niet", headers=AUTH)
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"


def test_validation_error_is_problem_json(client: TestClient) -> None:
    resp = client.get("/search", params={"q": "x" * 501, "size": 1000})
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["code"] == "invalid"
    assert {p["name"] for p in body["invalid_params"]} == {"query.q", "query.size"}
    assert body["instance"] == "/search"


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    resp = client.get("/bestaat-niet")
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"


def test_search_without_index_is_503_problem(settings: Settings) -> None:
    embedded = settings.model_copy(update={"search": SearchSettings(url=None)})
    with TestClient(create_app(embedded)) as c:
        resp = c.get("/search", params={"q": "speeltuin"})
    assert resp.status_code == 503
    assert resp.json()["code"] == "service_unavailable"
