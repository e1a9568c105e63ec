# SPDX-License-Identifier: EUPL-1.2
"""A service that stays away past the worker's retries loses nothing.

The worker retries a `PortError` six times with backoff; after that the
content is failed with `service_unavailable` but not quarantined, since its
bytes were never the problem. Here Elasticsearch is unreachable (a closed
port) for every try, in eager mode, where Celery runs each retry at once:
the whole path to that state is the real one. Then each way back reads the
document again once the index is there: `archief resume`, a second run of
the same backlog import, a new upload of the same bytes, and the scheduled
recovery run (ingest.herstel_tasks).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.schedules import crontab
from sqlalchemy import select
from typer.testing import CliRunner

from archief.catalog.models import IngestItem, Record
from archief.cli import app
from archief.composition import Container, build_container
from archief.intake import bulk
from archief.intake import repository as intake_repo
from archief.intake.service import ensure_dossier
from archief.settings import Settings
from ingest.herstel_tasks import TASK_HERSTEL
from ingest.priorities import SCHEDULED_PRIORITY
from ingest.worker import MAX_RETRIES, create_celery
from tests.conftest import settings_env
from tests.ingest.inhoud import content_row
from tests.ingest.zoeken import hit_records

# Nothing listens on the discard port: every bulk request is refused at once.
CLOSED = "http://127.0.0.1:9"
runner = CliRunner()


@pytest.fixture(scope="module")
def index_away(eager_settings: Settings) -> Iterator[Container]:
    """The test stack, tasks in-process, with Elasticsearch unreachable."""
    away = eager_settings.model_copy(
        update={"search": eager_settings.search.model_copy(update={"url": CLOSED})}
    )
    c = build_container(away)
    yield c
    c.close()


def _brief(tmp_path: Path, word: str) -> Path:
    # Unique words: each test's document is its own content and findable by them.
    path = tmp_path / f"brief-{word}.txt"
    path.write_text(f"Brief over de {word} aan de Dorpsstraat.\n" * 3, encoding="utf-8")
    return path


def _dossier(c: Container, kenmerk: str) -> str:
    return ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    ).id


def _failed_while_away(index_away: Container, tmp_path: Path, kenmerk: str) -> tuple[str, str]:
    """Ingest a fresh document while the index is away; its (sha256, unique word)."""
    word = f"kastanje{uuid.uuid4().hex[:8]}"
    path = _brief(tmp_path, word)
    with path.open("rb") as f:
        item = index_away.intake.receive(
            f, name=path.name, dossier_id=_dossier(index_away, kenmerk), laag="afdeling"
        )
    assert item.sha256 is not None
    content = content_row(index_away, item.sha256)
    assert (content.status, content.reason_code, content.quarantined) == (
        "failed",
        "service_unavailable",
        False,
    )
    # The first try and every retry claimed the content again.
    assert content.attempts == MAX_RETRIES + 1
    return item.sha256, word


def _indexed_and_found(eager: Container, sha: str, word: str) -> None:
    content = content_row(eager, sha)
    assert (content.status, content.reason_code, content.quarantined) == ("indexed", None, False)
    with eager.sessions() as s:
        records = set(s.scalars(select(Record.id).where(Record.sha256 == sha)))
    assert records
    assert hit_records(eager, word) == records


def test_resume_reads_what_failed_while_the_index_was_away(
    index_away: Container, eager: Container, tmp_path: Path
) -> None:
    sha, word = _failed_while_away(index_away, tmp_path, "T-AWAY-1")
    with eager.sessions() as s:
        waiting = {c.sha256 for c in intake_repo.resumable(s, eager.clock.now())}
    assert sha in waiting

    assert eager.intake.resume(sha) is True
    _indexed_and_found(eager, sha, word)
    # Read once more it is done: nothing is handed on twice.
    assert eager.intake.resume(sha) is False
    with eager.sessions() as s:
        assert sha not in {c.sha256 for c in intake_repo.resumable(s, eager.clock.now())}


def test_a_second_run_of_the_same_import_reads_it_again(
    index_away: Container, eager: Container, tmp_path: Path
) -> None:
    word = f"linde{uuid.uuid4().hex[:8]}"
    path = _brief(tmp_path, word)
    dossier = _dossier(index_away, "T-AWAY-2")
    first = bulk.ingest_paths(index_away, [path], dossier_id=dossier, laag="afdeling")
    assert first.stored == 1
    (sha,) = first.shas
    assert content_row(eager, sha).status == "failed"

    again = bulk.ingest_paths(eager, [path], dossier_id=dossier, laag="afdeling")
    assert (again.stored, again.skipped, again.failed) == (0, 1, [])
    _indexed_and_found(eager, sha, word)


@pytest.mark.parametrize(
    ("elsewhere", "status"),
    [
        # Into the same dossier: a duplicate, which still carries the content on.
        (False, "duplicate"),
        # Into another: a new record; the one reading indexes both records.
        (True, "stored"),
    ],
)
def test_a_new_upload_of_the_same_bytes_reads_it_again(
    index_away: Container, eager: Container, tmp_path: Path, elsewhere: bool, status: str
) -> None:
    kenmerk = f"T-AWAY-3-{elsewhere}"
    sha, word = _failed_while_away(index_away, tmp_path, kenmerk)
    path = next(tmp_path.glob("brief-*.txt"))
    target = _dossier(eager, f"{kenmerk}-B" if elsewhere else kenmerk)
    with path.open("rb") as f:
        item = eager.intake.receive(f, name=path.name, dossier_id=target, laag="afdeling")
    assert item.status == status
    _indexed_and_found(eager, sha, word)


def test_quarantined_content_is_never_read_again(eager: Container) -> None:
    # Bytes that are the problem stay failed: resume, a duplicate upload, nothing reads them.
    garbage = b"\x00\x01 not a document " + uuid.uuid4().bytes
    dossier = _dossier(eager, "T-AWAY-5")
    items = [
        eager.intake.receive(
            io.BytesIO(garbage), name="rommel.pdf", dossier_id=dossier, laag="afdeling"
        )
        for _ in range(2)
    ]
    sha = items[0].sha256
    assert sha is not None
    before = content_row(eager, sha)
    assert (before.status, before.quarantined) == ("failed", True)
    assert eager.intake.resume(sha) is False
    with eager.sessions() as s:
        assert sha not in {c.sha256 for c in intake_repo.resumable(s, eager.clock.now())}
        assert sha not in intake_repo.herstelbaar(s, eager.clock.now(), 10**6, 10**6)
        statuses = [s.get(IngestItem, i.id).status for i in items]  # type: ignore[union-attr]
    assert statuses == ["failed", "failed"]
    after = content_row(eager, sha)
    assert (after.status, after.attempts, after.updated_at) == (
        "failed",
        before.attempts,
        before.updated_at,
    )


def _waiting_count(output: str) -> int:
    label = "failed while a service was away:"
    return int(output.split(label)[1].split(maxsplit=1)[0]) if label in output else 0


def test_the_cli_counts_them_and_resume_reads_them(
    index_away: Container, eager: Container, eager_settings: Settings, tmp_path: Path
) -> None:
    env = settings_env(eager_settings)
    before = runner.invoke(app, ["ingest-status"], env=env)
    assert before.exit_code == 0, before.output
    sha, word = _failed_while_away(index_away, tmp_path, "T-AWAY-6")

    status = runner.invoke(app, ["ingest-status"], env=env)
    assert status.exit_code == 0, status.output
    assert _waiting_count(status.output) == _waiting_count(before.output) + 1
    assert "archief resume" in status.output

    resumed = runner.invoke(app, ["resume"], env=env)
    assert resumed.exit_code == 0, resumed.output
    assert int(resumed.output.split("handed on")[1].split()[0]) >= 1
    _indexed_and_found(eager, sha, word)
    after = runner.invoke(app, ["ingest-status"], env=env)
    assert _waiting_count(after.output) < _waiting_count(status.output)


def _herstel(settings: Settings, **ingest: int) -> int:
    """One scheduled recovery run on a worker app with these ingest settings."""
    tuned = settings.model_copy(update={"ingest": settings.ingest.model_copy(update=ingest)})
    app = create_celery(tuned)  # the worker's app registers the task itself
    try:
        return int(app.tasks[TASK_HERSTEL].apply().get())
    finally:
        app.container().close()  # the one the run built: its pools


def test_a_scheduled_run_reads_them_again_once_rested(
    index_away: Container, eager: Container, eager_settings: Settings, tmp_path: Path
) -> None:
    sha, word = _failed_while_away(index_away, tmp_path, "T-AWAY-7")
    # Still resting since its failure: not yet.
    _herstel(eager_settings, herstel_na_seconds=3600)
    assert content_row(eager, sha).status == "failed"
    # Tried as often as allowed (the first try and its retries): left to a person.
    _herstel(eager_settings, herstel_na_seconds=0, herstel_max_attempts=MAX_RETRIES + 1)
    assert content_row(eager, sha).status == "failed"

    assert _herstel(eager_settings, herstel_na_seconds=0) >= 1
    _indexed_and_found(eager, sha, word)


def test_the_recovery_runs_on_its_schedule(eager_settings: Settings) -> None:
    every_five = eager_settings.model_copy(
        update={"ingest": eager_settings.ingest.model_copy(update={"herstel_cron": "*/5 * * * *"})}
    )
    app = create_celery(every_five)
    entry = app.conf.beat_schedule["ingest-herstel"]
    assert entry["task"] == TASK_HERSTEL
    assert TASK_HERSTEL in app.tasks
    assert entry["schedule"] == crontab(minute="*/5")
    # Scheduled work does not wait behind an OCR backlog (ingest.priorities).
    assert entry["options"]["priority"] == SCHEDULED_PRIORITY
