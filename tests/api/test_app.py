# SPDX-License-Identifier: EUPL-1.2
"""The HTTP API on the real adapters: health, problem+json and search."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from archief.app import create_app
from archief.composition import Container
from archief.demo import SAMPLES
from archief.settings import SearchSettings, Settings
from ingest.pipeline import ingest_file


@pytest.fixture(scope="module")
def client(settings: Settings, container: Container) -> Iterator[TestClient]:
    for name in ("besluitnota-speeltuin-oosterpark.txt", "verslag-bewonersavond-zuid.txt"):
        ingest_file(
            container,
            SAMPLES / name,
            dossier_kenmerk="TEST-API",
            dossier_titel="API-test",
            afdeling="Openbare Ruimte",
            laag="openbaar",
        )
    secret = SAMPLES / "projectplan-fietsroute-wijk-zuid.txt"
    ingest_file(
        container,
        secret,
        dossier_kenmerk="TEST-API",
        dossier_titel="API-test",
        afdeling="Verkeer",
        laag="intern",
    )
    with TestClient(create_app(settings, lambda _s: container)) as c:
        yield c


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


def test_search_finds_stemmed_dutch_and_only_the_public_layer(client: TestClient) -> None:
    resp = client.get("/search", params={"q": "besluiten speeltuin"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] == 1
    assert body["hits"][0]["title"] == "besluitnota speeltuin oosterpark"
    assert body["hits"][0]["pages"] == [1]
    # "fietsroute" occurs in the public verslag and in the internal projectplan.
    hits = client.get("/search", params={"q": "fietsroute"}).json()
    assert hits["total"] == 1
    assert hits["hits"][0]["title"] == "verslag bewonersavond zuid"


def test_validation_error_is_problem_json(client: TestClient) -> None:
    resp = client.get("/search", params={"q": "", "size": 1000})
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
