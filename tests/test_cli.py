# SPDX-License-Identifier: EUPL-1.2
"""The `archief` command line on the real stack."""

from __future__ import annotations

import importlib
import io
import logging
import socket
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import update
from typer.testing import CliRunner

from archief import cli
from archief.catalog.models import Content
from archief.cli import GROUPS, app
from archief.composition import Container, build_container
from archief.errors import NotFound
from archief.intake.service import ensure_dossier
from archief.ports import SearchQuery
from archief.records import afgeleiden
from archief.settings import QueueSettings, Settings
from search.index import ElasticsearchIndex
from tests.conftest import settings_env
from tests.ingest.documents import pdf
from tests.ingest.hostile import text_pdf

runner = CliRunner()


def test_ingest_reindex_and_export(
    eager_settings: Settings, eager: Container, tmp_path: Path
) -> None:
    env = settings_env(eager_settings)
    source = tmp_path / "in"
    source.mkdir()
    (source / "notulen.txt").write_text(
        "Notulen van de wijkraad Heidepark over de jeu-de-boulesbaan.\n" * 4, encoding="utf-8"
    )
    (source / "leeg.txt").write_bytes(b"")
    command = ["ingest", str(source), "--dossier", "T-CLI", "--layer", "afdeling"]
    command += ["--afdeling", "wijkzaken"]
    result = runner.invoke(app, command, env=env)
    assert result.exit_code == 0, result.output
    assert "stored 1" in result.output
    assert "empty_file" in result.output
    again = runner.invoke(app, command, env=env)
    assert "already in (resumed) 2" in again.output

    assert isinstance(eager.index, ElasticsearchIndex)
    before = set(eager.index.client.indices.get_alias(name=eager.index.alias))
    result = runner.invoke(app, ["reindex"], env=env)
    assert result.exit_code == 0, result.output
    after = set(eager.index.client.indices.get_alias(name=eager.index.alias))
    assert after.isdisjoint(before)
    assert len(after) == 1
    everything = SearchQuery(permission={"match_all": {}}, text="jeu-de-boulesbaan Heidepark")
    assert eager.index.search(everything).total == 1

    out = tmp_path / "out"
    result = runner.invoke(app, ["export-text", "--dossier", "T-CLI", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    text = (out / "notulen" / "page-0001.txt").read_text(encoding="utf-8")
    assert text.startswith("Notulen van de wijkraad Heidepark")


@pytest.mark.usefixtures("container")  # the run's catalog, migrated
def test_waiting_needs_a_worker_that_took_up_a_file_or_answers_a_ping(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Redis database 12 is this test's own; no worker consumes it.
    broker = (settings.queue.broker_url or "").rsplit("/", 1)[0] + "/12"
    c = build_container(settings.model_copy(update={"queue": QueueSettings(broker_url=broker)}))
    try:
        dossier = ensure_dossier(
            c.sessions, c.clock, kenmerk="T-CLI-WACHT", titel="w", afdeling="wijkzaken"
        )
        since = c.clock.now()
        item = c.intake.receive(
            io.BytesIO(text_pdf([f"Wachten op een werker {uuid.uuid4().hex}"])),
            name="brief.pdf",
            dossier_id=dossier.id,
            laag="afdeling",
        )
        assert item.sha256 is not None
        shas = {item.sha256}
        # Stored, taken up by nobody: the ping is asked, and nobody answers.
        assert not cli._worker_answers(c, shas, since, timeout=1.0)

        def _move(status: str, at: datetime) -> None:
            with c.sessions.begin() as session:
                session.execute(
                    update(Content)
                    .where(Content.sha256 == item.sha256)
                    .values(status=status, updated_at=at)
                )

        def _no_ping(timeout: float = 10.0) -> str:
            raise AssertionError("a worker took up a file: no ping needed")

        # Indexed before this run began is no sign of a worker now.
        _move("indexed", since - timedelta(seconds=1))
        assert not cli._worker_answers(c, shas, since, timeout=1.0)
        # A worker took it up during the run: that answers, without a ping.
        monkeypatch.setattr(c.queue, "ping", _no_ping)
        _move("extracting", c.clock.now())
        assert cli._worker_answers(c, shas, since, timeout=1.0)
    finally:
        redis.Redis.from_url(broker).flushdb()  # nobody will ever consume these
        c.close()


def test_status_reports_every_service(settings: Settings) -> None:
    result = runner.invoke(app, ["status"], env=settings_env(settings))
    assert result.exit_code == 0, result.output
    for service in ("database", "objectstore", "search", "queue", "ocr"):
        assert service in result.output


@pytest.mark.parametrize(
    "command",
    [["resume"], ["vernietiging", "lijsten"]],
    ids=["command", "command-of-a-group"],
)
def test_a_database_that_is_away_is_a_message_and_exit_69(
    settings: Settings, command: list[str]
) -> None:
    env = settings_env(settings)
    env["ARCHIEF_DATABASE__URL"] = f"postgresql+psycopg://archief:x@127.0.0.1:{_closed_port()}/a"
    result = runner.invoke(app, command, env=env)
    assert result.exit_code == 69, result.output
    assert "error: database: connection failed" in result.output
    assert "make up" in result.output
    # The message, not a traceback (CliRunner keeps an escaped one in exc_info).
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def _closed_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_ingest_status_lists_quarantine(eager_settings: Settings, eager: Container) -> None:
    dossier = ensure_dossier(
        eager.sessions, eager.clock, kenmerk="T-CLI-Q", titel="q", afdeling="wijkzaken"
    )
    eager.intake.receive(
        io.BytesIO(b"\x00\x01" * 100), name="raar.bin", dossier_id=dossier.id, laag="afdeling"
    )
    result = runner.invoke(app, ["ingest-status"], env=settings_env(eager_settings))
    assert result.exit_code == 0, result.output
    assert "quarantined:" in result.output
    count = int(result.output.split("quarantined:")[1].split()[0])
    assert count >= 1


def test_thumbnails_backfills_what_is_missing_and_only_where_asked(
    eager_settings: Settings, eager: Container, tmp_path: Path
) -> None:
    """After an upgrade (or a lost object) `archief thumbnails` queues the records lacking some."""
    env = settings_env(eager_settings)
    shas: dict[str, str] = {}
    for kenmerk in ("T-THUMB-A", "T-THUMB-B"):
        dossier = ensure_dossier(
            eager.sessions, eager.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
        )
        # Different words, so different bytes: two contents, not a duplicate.
        source = pdf([f"Eerste blad {kenmerk}.", f"Tweede blad {kenmerk}."], tmp_path / kenmerk)
        with source.open("rb") as f:
            item = eager.intake.receive(f, name="stuk.pdf", dossier_id=dossier.id, laag="afdeling")
        assert item.sha256 is not None, item.reason
        shas[kenmerk] = item.sha256
    a, b = shas["T-THUMB-A"], shas["T-THUMB-B"]
    for sha in (a, b):
        assert eager.store.stat(afgeleiden.thumbnail_key(sha, 2)) is not None
    eager.store.delete(afgeleiden.thumbnail_key(a, 2))
    for n in (1, 2):
        eager.store.delete(afgeleiden.thumbnail_key(b, n))

    result = runner.invoke(app, ["thumbnails", "--dossier", "T-THUMB-A"], env=env)
    assert result.exit_code == 0, result.output
    assert "queued 1 records" in result.output
    assert eager.store.stat(afgeleiden.thumbnail_key(a, 2)) is not None
    with pytest.raises(NotFound):
        eager.store.stat(afgeleiden.thumbnail_key(b, 1))  # not this dossier's

    again = runner.invoke(app, ["thumbnails", "--dossier", "T-THUMB-A"], env=env)
    assert "queued 0 records" in again.output and "1 have all of theirs" in again.output

    result = runner.invoke(app, ["thumbnails"], env=env)
    assert result.exit_code == 0, result.output
    assert all(eager.store.stat(afgeleiden.thumbnail_key(b, n)) is not None for n in (1, 2))

    unknown = runner.invoke(app, ["thumbnails", "--dossier", "T-GEEN"], env=env)
    assert unknown.exit_code == 2 and "no dossier with kenmerk T-GEEN" in unknown.output


def test_help_lists_every_group_without_importing_one() -> None:
    # In a fresh interpreter: this test process has imported them all already.
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from archief.cli import GROUPS, app\n"
        "result = CliRunner().invoke(app, ['--help'], env={'COLUMNS': '200'})\n"
        "loaded = sorted({m for m, _, _ in GROUPS.values()} & set(sys.modules))\n"
        "print(result.exit_code, ','.join(loaded) or '-')\n"
        "print(result.output)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    status, _, listing = done.stdout.partition("\n")
    assert status == "0 -", done.stdout + done.stderr
    for name, (_module, _attribute, help_text) in GROUPS.items():
        assert name in listing
        assert help_text in listing


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_a_listed_group_is_the_group_itself(name: str) -> None:
    module, attribute, help_text = GROUPS[name]
    own = getattr(importlib.import_module(module), attribute).info.help
    # The listing repeats the group's own help, where it has one: the two agree.
    assert not isinstance(own, str) or own == help_text
    result = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert help_text in result.output
    assert "Commands" in result.output


def test_a_command_does_not_print_casbins_model(caplog: pytest.LogCaptureFixture) -> None:
    # casbin logs its whole model at INFO each time a policy is built: ten
    # lines on stderr before every command's own output, and in every worker log.
    from archief.logging import configure_logging  # noqa: PLC0415
    from policies.engine import Policy, PolicyTexts  # noqa: PLC0415

    configure_logging("INFO")
    caplog.set_level(logging.INFO)
    Policy(PolicyTexts.default())
    logging.getLogger("archief.test").info("ours still shows")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("casbin")] == []
    assert "ours still shows" in caplog.messages
