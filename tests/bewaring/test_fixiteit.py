# SPDX-License-Identifier: EUPL-1.2
"""Fixity: originals are streamed back and compared with their SHA-256.

Two settings. Fast: the embedded catalog (SQLite) and the filesystem store,
where a byte is flipped in the stored file. Real: PostgreSQL and MinIO, each
test with a catalog and bucket of its own, where a byte is flipped in
MinIO's own files on disk (not through S3, which would only add a version),
and MinIO's reaction is whatever it is: a changed hash or a refused read
both have to name the object, in the trail and in an alert.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from structlog.testing import capture_logs
from typer.testing import CliRunner

from archief.audit.chain import verify
from archief.bewaring.cli_fixiteit import app as fixiteit_app
from archief.bewaring.fixiteit import (
    AFWIJKING,
    GECONTROLEERD,
    Report,
    Stap,
    check,
)
from archief.catalog.locks import Bezig, run_lock
from archief.catalog.models import AuditEntry, Record
from archief.composition import Container, build_container
from archief.intake.service import Intake, ensure_dossier
from archief.ports import Clock, ObjectStore
from archief.settings import (
    DatabaseSettings,
    FixiteitSettings,
    IngestSettings,
    ObjectStoreSettings,
    QueueSettings,
    SearchSettings,
    Settings,
)
from archief.storage.common import original_key
from archief.storage.filesystem import FilesystemObjectStore
from archief.storage.s3 import S3ObjectStore
from ingest.priorities import SCHEDULED_PRIORITY
from tests.conftest import minio_drive, settings_env

START = datetime(2026, 6, 1, 3, 17, tzinfo=UTC)


class _Clock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class _Held:
    """A task queue that only remembers: these tests are about storage, not processing."""

    def __init__(self) -> None:
        self.tasks: list[tuple[str, tuple[str, ...]]] = []

    def enqueue(self, task: str, *args: str) -> None:
        self.tasks.append((task, args))

    def ping(self, timeout: float = 10.0) -> str:
        return "held"

    def check(self) -> str:
        return "held"


@dataclass(frozen=True)
class _Ports:
    sessions: sessionmaker[Session]
    store: ObjectStore
    clock: Clock


def _intake(container: Container, store: ObjectStore | None = None) -> Intake:
    return replace(container.intake, queue=_Held(), store=store or container.store)


def _dossier(container: Container) -> str:
    return ensure_dossier(
        container.sessions,
        container.clock,
        kenmerk=f"T-FIX-{uuid.uuid4().hex[:8]}",
        titel="Fixiteit",
        afdeling="wijkzaken",
    ).id


def _text(size: int) -> bytes:
    """Text no other file shares, so any 32 bytes of it occur once on disk."""
    lines = (uuid.uuid4().hex for _ in range(size // 33 + 1))
    return "\n".join(lines).encode()[:size]


def _file(intake: Intake, dossier_id: str, data: bytes) -> tuple[str, str]:
    """Store `data` through the real intake; its (sha256, record id)."""
    item = intake.receive(
        io.BytesIO(data), name=f"{uuid.uuid4().hex[:6]}.txt", dossier_id=dossier_id, laag="afdeling"
    )
    assert item.sha256 is not None and item.record_id is not None, item.reason
    return item.sha256, item.record_id


def _flip(path: Path, data: bytes, offset: int) -> None:
    """Flip one bit of the stored copy of data[offset], wherever `path` keeps it."""
    needle = data[offset : offset + 32]
    blob = bytearray(path.read_bytes())
    at = blob.find(needle)
    assert at >= 0, f"{path} does not hold the bytes as they were written"
    assert blob.find(needle, at + 1) < 0, "the needle is not unique"
    blob[at] ^= 0x01
    path.write_bytes(bytes(blob))


def _flip_on_drive(directory: Path, data: bytes, offset: int) -> str:
    """Flip the byte in whichever of MinIO's files holds it; that file's name."""
    needle = data[offset : offset + 32]
    holders = [p for p in sorted(directory.rglob("*")) if p.is_file() and needle in p.read_bytes()]
    assert len(holders) == 1, f"expected one file under {directory} to hold the bytes: {holders}"
    _flip(holders[0], data, offset)
    return holders[0].name


def _entries(container: Container, actie: str) -> list[AuditEntry]:
    with container.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.actie == actie).order_by(AuditEntry.seq)
            )
        )


def _outcomes(report: Report) -> dict[str, str]:
    return {a.sha256: a.uitkomst for a in report.afwijkingen}


class _Webhook:
    """A local HTTP server that keeps every JSON body POSTed to it."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alarm"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[_Webhook]:
    hook = _Webhook()
    yield hook
    hook.close()


# --- fast: SQLite catalog, filesystem store -------------------------------------------


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Container]:
    """The embedded mode on a scratch directory: SQLite and files, nothing else."""
    settings = Settings(
        _env_file=None,
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'catalog.db'}"),
        objectstore=ObjectStoreSettings(backend="filesystem", root=tmp_path / "objects"),
        search=SearchSettings(url=None),
        queue=QueueSettings(broker_url=None),
        ingest=IngestSettings(spool_dir=tmp_path / "spool"),
    )
    container = build_container(settings)
    container.migrate()
    yield container
    container.close()


def _fs_path(container: Container, sha: str) -> Path:
    store = container.store
    assert isinstance(store, FilesystemObjectStore)
    return store.root / "objects" / original_key(sha)


def test_untouched_originals_are_ok(embedded: Container) -> None:
    intake, dossier = _intake(embedded), _dossier(embedded)
    shas = {_file(intake, dossier, _text(5000 + i))[0] for i in range(3)}
    seen: list[Stap] = []
    report = check(embedded, progress=seen.append, chunk=1024)
    assert (report.gecontroleerd, report.ok, report.afwijkingen) == (3, 3, [])
    assert report.in_orde
    assert {s.sha256 for s in seen} == shas and [s.gedaan for s in seen] == [1, 2, 3]
    assert report.bytes == sum(5000 + i for i in range(3))
    assert _entries(embedded, AFWIJKING) == []
    (summary,) = _entries(embedded, GECONTROLEERD)
    assert summary.details is not None
    assert (summary.details["gecontroleerd"], summary.details["ok"]) == (3, 3)
    assert summary.details["run"] == report.run


def test_a_flipped_byte_in_a_file_is_a_mismatch(embedded: Container, webhook: _Webhook) -> None:
    intake = _intake(embedded)
    first, second = _dossier(embedded), _dossier(embedded)
    data = _text(20_000)
    sha, record_a = _file(intake, first, data)
    # The same bytes filed in a second dossier: both dossiers' trails must show it.
    _, record_b = _file(intake, second, data)
    good = {_file(intake, first, _text(3000 + i))[0] for i in range(2)}
    _flip(_fs_path(embedded, sha), data, 12_345)

    with capture_logs() as logs:
        report = check(embedded, webhook_url=webhook.url)

    assert _outcomes(report) == {sha: "mismatch"}
    (afwijking,) = report.afwijkingen
    assert afwijking.gevonden is not None and afwijking.gevonden != sha
    assert afwijking.grootte_gevonden == len(data)
    assert (report.ok, report.mismatch, report.gecontroleerd) == (len(good), 1, 3)
    assert not report.in_orde

    entries = _entries(embedded, AFWIJKING)
    assert {(e.object_type, e.object_id, e.dossier_id) for e in entries} == {
        ("record", record_a, first),
        ("record", record_b, second),
    }
    for entry in entries:
        assert entry.details is not None
        assert entry.details["verwacht"] == sha
        assert entry.details["gevonden"] == afwijking.gevonden
        assert entry.details["uitkomst"] == "mismatch"
        assert entry.details["run"] == report.run

    alerts = [e for e in logs if e["event"] == "fixiteit.afwijking"]
    assert [(a["log_level"], a["sha256"], a["uitkomst"]) for a in alerts] == [
        ("error", sha, "mismatch")
    ]
    assert sorted(alerts[0]["dossiers"]) == sorted([first, second])
    assert [(b["event"], b["sha256"], b["uitkomst"]) for b in webhook.received] == [
        ("fixiteit.afwijking", sha, "mismatch")
    ]
    assert {r["record_id"] for r in webhook.received[0]["records"]} == {record_a, record_b}

    (summary,) = _entries(embedded, GECONTROLEERD)
    assert summary.details is not None
    assert (summary.details["mismatch"], summary.details["ok"]) == (1, 2)
    # The deviation entries are part of the chain like any other.
    with embedded.sessions() as session:
        assert verify(session).ok


def test_a_deleted_file_is_missing_and_a_destroyed_record_is_not(embedded: Container) -> None:
    intake, dossier = _intake(embedded), _dossier(embedded)
    gone, record_gone = _file(intake, dossier, _text(4000))
    destroyed, record_destroyed = _file(intake, dossier, _text(4001))
    kept, _ = _file(intake, dossier, _text(4002))
    _fs_path(embedded, gone).unlink()
    # Destruction deletes the bytes on purpose; that is no deviation.
    with embedded.sessions.begin() as session:
        session.execute(
            update(Record).where(Record.id == record_destroyed).values(status="vernietigd")
        )
    embedded.store.delete(original_key(destroyed))

    report = check(embedded)

    assert _outcomes(report) == {gone: "missing"}
    assert (report.gecontroleerd, report.ok, report.missing) == (2, 1, 1)
    (entry,) = _entries(embedded, AFWIJKING)
    assert (entry.object_id, entry.dossier_id) == (record_gone, dossier)
    assert kept not in _outcomes(report)


def test_runs_carry_on_where_the_last_stopped_and_skip_recent_checks(
    embedded: Container,
) -> None:
    intake, dossier = _intake(embedded), _dossier(embedded)
    shas = sorted(_file(intake, dossier, _text(2000 + i))[0] for i in range(5))
    clock = _Clock(START)
    ports = _Ports(embedded.sessions, embedded.store, clock)
    month = timedelta(days=30)

    def run(limit: int | None) -> list[str]:
        done: list[Stap] = []
        check(ports, limit=limit, older_than=month, progress=done.append)
        clock.at += timedelta(days=1)
        return [s.sha256 for s in done]

    assert run(2) == shas[:2]
    assert run(2) == shas[2:4]
    # The ring wraps: the last one, then the first two are recent and skipped.
    assert run(2) == shas[4:]
    assert run(None) == []
    # A month after the first run its two are due again, the rest not yet.
    clock.at = START + month + timedelta(hours=1)
    assert run(None) == shas[:2]
    # Without older_than everything is checked, starting after the cursor.
    everything: list[Stap] = []
    check(ports, progress=everything.append)
    assert [s.sha256 for s in everything] == shas[2:] + shas[:2]


def test_a_failing_alert_does_not_stop_the_run(embedded: Container) -> None:
    intake, dossier = _intake(embedded), _dossier(embedded)
    data = _text(3000)
    sha, _ = _file(intake, dossier, data)
    _flip(_fs_path(embedded, sha), data, 100)
    # Nothing listens on port 9 (discard) on a test machine: the POST fails.
    with capture_logs() as logs:
        report = check(embedded, webhook_url="http://127.0.0.1:9/alarm")
    assert _outcomes(report) == {sha: "mismatch"}
    assert [e["event"] for e in logs if e["log_level"] in ("error", "warning")] == [
        "fixiteit.afwijking",
        "fixiteit.alarm_mislukt",
    ]
    assert len(_entries(embedded, AFWIJKING)) == 1


def test_an_unreachable_store_aborts_instead_of_flagging_everything(
    embedded: Container, tmp_path: Path
) -> None:
    intake, dossier = _intake(embedded), _dossier(embedded)
    for i in range(3):
        _file(intake, dossier, _text(1000 + i))
    blocked = tmp_path / "not-a-directory"
    blocked.write_bytes(b"")
    ports = _Ports(embedded.sessions, FilesystemObjectStore(blocked), embedded.clock)
    with pytest.raises(Exception, match="not writable") as caught:
        check(ports)
    assert type(caught.value).__name__ == "PortError"
    assert _entries(embedded, AFWIJKING) == []
    (summary,) = _entries(embedded, GECONTROLEERD)
    assert summary.details is not None and "not writable" in str(summary.details["afgebroken"])


def test_settings_come_from_the_environment() -> None:
    env = {
        "ARCHIEF_BEWARING__FIXITEIT__WEBHOOK_URL": "http://127.0.0.1/x",
        "ARCHIEF_BEWARING__FIXITEIT__OUDER_DAN_DAGEN": "7",
        "ARCHIEF_BEWARING__FIXITEIT__LIMIET": "10",
    }
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        mine = Settings().bewaring.fixiteit
    assert (mine.webhook_url, mine.ouder_dan_dagen, mine.limiet) == ("http://127.0.0.1/x", 7, 10)
    assert FixiteitSettings(webhook_url="").webhook_url is None
    with pytest.raises(ValueError, match="cron"):
        FixiteitSettings(cron="daily")


# --- real: PostgreSQL and MinIO ---------------------------------------------------------


def test_bytes_flipped_inside_minio_are_caught(
    own: tuple[Container, Settings], webhook: _Webhook
) -> None:
    container, mine = own
    assert isinstance(container.store, S3ObjectStore)
    bucket = container.store.bucket
    drive = minio_drive(mine.objectstore.endpoint)
    intake, dossier = _intake(container), _dossier(container)
    # Small objects live inside xl.meta (in a versioned bucket up to 16 KiB);
    # larger ones in part.1, in 1 MiB blocks each with its own bitrot hash.
    inline = _text(4000)
    large = _text(3 * 1024 * 1024)
    sha_inline, record_inline = _file(intake, dossier, inline)
    sha_large, record_large = _file(intake, dossier, large)
    good = {_file(intake, dossier, _text(n))[0] for n in (5000, 200_000)}
    if not (drive / bucket).is_dir():
        pytest.fail(f"MinIO's drive is not at {drive} (set ARCHIEF_VAR to deploy/local's var)")

    assert _flip_on_drive(drive / bucket / original_key(sha_inline), inline, 3000) == "xl.meta"
    # In the third block, after MinIO has streamed the first two.
    assert _flip_on_drive(drive / bucket / original_key(sha_large), large, 2_500_000) == "part.1"

    store = container.store
    with capture_logs() as logs:
        report = check(_Ports(container.sessions, store, container.clock), webhook_url=webhook.url)

    outcomes = _outcomes(report)
    assert set(outcomes) == {sha_inline, sha_large}, report.afwijkingen
    assert set(outcomes.values()) <= {"mismatch", "unreadable"}
    assert (report.ok, report.gecontroleerd) == (len(good), 4)
    for afwijking in report.afwijkingen:
        # What MinIO did, for whoever reads the test output.
        print(afwijking.sha256[:12], afwijking.uitkomst, afwijking.fout or afwijking.gevonden)  # noqa: T201

    entries = _entries(container, AFWIJKING)
    assert {(e.object_id, e.dossier_id) for e in entries} == {
        (record_inline, dossier),
        (record_large, dossier),
    }
    assert {e.details["verwacht"] for e in entries if e.details} == {sha_inline, sha_large}
    assert {e["sha256"] for e in logs if e["event"] == "fixiteit.afwijking"} == set(outcomes)
    assert {b["sha256"] for b in webhook.received} == set(outcomes)


def test_an_object_replaced_through_s3_is_a_mismatch(own: tuple[Container, Settings]) -> None:
    container, _ = own
    assert isinstance(container.store, S3ObjectStore)
    intake, dossier = _intake(container), _dossier(container)
    sha, record = _file(intake, dossier, _text(8000))
    kept, _ = _file(intake, dossier, _text(8001))
    # Someone with write access to the bucket puts other bytes under the key:
    # versioning keeps the old ones, but reads get the new.
    other = _text(8000)
    container.store.client.put_object(
        container.store.bucket, original_key(sha), io.BytesIO(other), len(other)
    )

    report = check(container)

    assert _outcomes(report) == {sha: "mismatch"}
    assert report.afwijkingen[0].gevonden == hashlib.sha256(other).hexdigest()
    assert report.ok == 1 and kept not in _outcomes(report)
    (entry,) = _entries(container, AFWIJKING)
    assert (entry.object_id, entry.dossier_id) == (record, dossier)


def test_an_object_gone_from_minio_is_missing(own: tuple[Container, Settings]) -> None:
    container, mine = own
    assert isinstance(container.store, S3ObjectStore)
    intake, dossier = _intake(container), _dossier(container)
    sha, record = _file(intake, dossier, _text(6000))
    _file(intake, dossier, _text(6001))
    store = container.store
    for version in store.versions(original_key(sha)):
        store.client.remove_object(store.bucket, original_key(sha), version_id=version)

    env = {**settings_env(mine), "COLUMNS": "250"}
    result = CliRunner().invoke(fixiteit_app, ["controleer"], env=env)

    assert result.exit_code == 1, result.output
    assert "missing" in result.output and sha in result.output
    (entry,) = _entries(container, AFWIJKING)
    assert (entry.object_id, entry.dossier_id) == (record, dossier)
    assert entry.details is not None and entry.details["uitkomst"] == "missing"
    (summary,) = _entries(container, GECONTROLEERD)
    assert summary.details is not None
    assert (summary.details["missing"], summary.details["ok"]) == (1, 1)
    assert summary.actor.startswith("cli:")


def test_the_scheduled_task_checks_what_is_due(embedded: Container) -> None:
    from celery.schedules import crontab  # noqa: PLC0415  # only this test needs Celery

    from ingest.bewaring_tasks import TASK_FIXITEIT  # noqa: PLC0415
    from ingest.worker import create_celery  # noqa: PLC0415

    intake, dossier = _intake(embedded), _dossier(embedded)
    data = _text(2500)
    sha, _ = _file(intake, dossier, data)
    _file(intake, dossier, _text(2501))
    _flip(_fs_path(embedded, sha), data, 7)
    app = create_celery(embedded.settings)  # the worker's app registers the task itself

    entry = app.conf.beat_schedule["bewaring-fixiteit"]
    assert entry["task"] == TASK_FIXITEIT
    assert entry["schedule"] == crontab(minute="17", hour="3")
    # Scheduled work does not wait behind an OCR backlog (ingest.priorities).
    for name in ("bewaring-fixiteit", "bewaring-vernietiging"):
        assert app.conf.beat_schedule[name]["options"]["priority"] == SCHEDULED_PRIORITY
    first = app.tasks[TASK_FIXITEIT].apply().get()
    # The next day's run finds nothing due: both were checked within 30 days.
    second = app.tasks[TASK_FIXITEIT].apply().get()
    assert (first["gecontroleerd"], first["mismatch"], first["afwijkingen"]) == (2, 1, 1)
    assert (second["gecontroleerd"], second["overgeslagen"]) == (0, 2)
    assert [e.details["sha256"] for e in _entries(embedded, AFWIJKING) if e.details] == [sha]


def test_a_second_run_while_one_is_going_is_refused(own: tuple[Container, Settings]) -> None:
    container, _ = own
    with run_lock(container.engine, "fixiteit"), pytest.raises(Bezig):
        check(container)
    # Released: the next run goes ahead.
    assert check(container).afwijkingen == []
