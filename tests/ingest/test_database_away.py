# SPDX-License-Identifier: EUPL-1.2
"""The catalog away for a moment is a service away, never a fault of the file.

PostgreSQL restarting, a connection cut, a deadlock or a serialization
failure reach a worker as the driver's OperationalError. Taken for a bug,
it quarantined the content as `internal_error`, and nothing read it again:
one restart of the database during a backlog import lost every document in
flight. Now it is retried like any `PortError`, and after the last retry the
content is failed as `service_unavailable`, not quarantined, so `archief
resume` and the scheduled recovery read it again (tests/ingest/test_service_away.py).

The failures are the driver's own: a psycopg OperationalError, as a lost
connection raises it, wrapped by SQLAlchemy. In eager mode Celery runs each
retry at once, so the whole retry path is the real one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import exc as sa_exc

from archief.app import create_app
from archief.composition import Container
from archief.intake.service import ensure_dossier
from archief.settings import Settings
from ingest import process
from ingest.worker import MAX_RETRIES
from tests.ingest.inhoud import content_row
from tests.ingest.zoeken import hit_records

TOKEN = "test-service-token"


def _connection_lost() -> sa_exc.OperationalError:
    cause = psycopg.OperationalError(
        "consuming input failed: server closed the connection unexpectedly"
    )
    return sa_exc.OperationalError("UPDATE content SET status=%(status)s", {}, cause)


def _flaky_start(failures: int, error: Callable[[], Exception]) -> Callable[..., object]:
    """`process._start` that raises `error` the first `failures` times, then works."""
    real = process._start
    calls = {"n": 0}

    def start(container: Container, sha256: str) -> object:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise error()
        return real(container, sha256)

    return start


def _hand_in(eager: Container, tmp_path: Path, kenmerk: str) -> tuple[str, str]:
    word = f"beuk{uuid.uuid4().hex[:8]}"
    path = tmp_path / f"brief-{word}.txt"
    path.write_text(f"Brief over de {word} aan de Dorpsstraat.\n" * 3, encoding="utf-8")
    dossier = ensure_dossier(
        eager.sessions, eager.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    )
    with path.open("rb") as f:
        item = eager.intake.receive(f, name=path.name, dossier_id=dossier.id, laag="afdeling")
    assert item.sha256 is not None
    return item.sha256, word


def test_a_lost_connection_is_retried_and_the_document_indexed(
    eager: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process, "_start", _flaky_start(2, _connection_lost))
    sha, word = _hand_in(eager, tmp_path, "T-DB-1")
    content = content_row(eager, sha)
    assert (content.status, content.reason_code, content.quarantined) == ("indexed", None, False)
    assert hit_records(eager, word)


def test_a_catalog_away_past_every_retry_fails_it_for_a_service_not_its_bytes(
    eager: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process, "_start", _flaky_start(MAX_RETRIES + 1, _connection_lost))
    sha, _word = _hand_in(eager, tmp_path, "T-DB-2")
    content = content_row(eager, sha)
    # Not quarantined: `archief resume` and the scheduled recovery take it.
    assert (content.status, content.reason_code, content.quarantined) == (
        "failed",
        "service_unavailable",
        False,
    )
    assert content.reason is not None
    assert content.reason.startswith("database: ")
    assert "server closed the connection" in content.reason
    # The statement is not in the reason: parameters can hold personal data.
    assert "UPDATE" not in content.reason

    monkeypatch.undo()
    assert eager.intake.resume(sha) is True
    assert content_row(eager, sha).status == "indexed"


def test_a_statement_error_is_still_a_fault(
    eager: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A constraint broken is about the statement: retrying would break it again.
    def broken() -> Exception:
        return sa_exc.IntegrityError("INSERT", {}, psycopg.IntegrityError("duplicate key"))

    monkeypatch.setattr(process, "_start", _flaky_start(1, broken))
    sha, _word = _hand_in(eager, tmp_path, "T-DB-3")
    content = content_row(eager, sha)
    assert (content.status, content.reason_code, content.quarantined) == (
        "failed",
        "internal_error",
        True,
    )


def test_with_the_catalog_away_the_failure_is_logged_and_the_content_left_waiting(
    eager: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Away for every retry and for recording the failure too: the task ends
    # without an error, and the content keeps the status intake gave it.
    monkeypatch.setattr(process, "_start", _flaky_start(MAX_RETRIES + 1, _connection_lost))

    def fail(*_args: object, **_kwargs: object) -> None:
        raise _connection_lost()

    monkeypatch.setattr(process, "fail", fail)
    sha, _word = _hand_in(eager, tmp_path, "T-DB-4")
    content = content_row(eager, sha)
    assert (content.status, content.quarantined) == ("stored", False)
    monkeypatch.undo()
    assert eager.intake.resume(sha) is True
    assert content_row(eager, sha).status == "indexed"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (_connection_lost, 503, "service_unavailable"),
        (
            lambda: sa_exc.ProgrammingError("SELECT", {}, psycopg.ProgrammingError("no column")),
            500,
            "internal_error",
        ),
    ],
)
def test_the_api_answers_a_catalog_away_with_503(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    error: Callable[[], Exception],
    status: int,
    code: str,
) -> None:
    served = settings.model_copy(
        update={"api": settings.api.model_copy(update={"service_tokens": [SecretStr(TOKEN)]})}
    )
    with TestClient(create_app(served), raise_server_exceptions=False) as client:
        holder = client.app.state.container.policies  # type: ignore[attr-defined]

        def current(_session: object) -> object:
            raise error()

        monkeypatch.setattr(holder, "current", current)
        resp = client.get("/ingest/items/iets", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == status
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["code"] == code
    assert "SELECT" not in body["detail"]
    assert "UPDATE" not in body["detail"]
