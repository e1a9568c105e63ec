# SPDX-License-Identifier: EUPL-1.2
"""`archief policy check|explain|load|versions` and `archief organisatie load`."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from archief.catalog.models import AuditEntry
from archief.cli import app
from archief.composition import Container
from archief.intake.service import ensure_dossier
from archief.settings import Settings
from policies.engine import PolicyTexts
from tests.conftest import settings_env

runner = CliRunner()


def test_check_accepts_the_default_and_prints_the_matrix() -> None:
    result = runner.invoke(app, ["policy", "check"])
    assert result.exit_code == 0, result.output
    assert "1320 decisions compared" in result.output
    assert "medewerker" in result.output


def test_check_refuses_a_broken_file_and_lists_problems(tmp_path: Path) -> None:
    bad = tmp_path / "beleid.csv"
    bad.write_text("p, medewerker, alle, openbaar, read\np, koning, alle, kelder, read\n")
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code == 1
    assert "unknown role 'koning'" in result.output
    assert "unknown layer 'kelder'" in result.output


def test_explain_says_why(eager_settings: Settings, eager: Container) -> None:
    dossier = ensure_dossier(
        eager.sessions, eager.clock, kenmerk="T-EXPLAIN", titel="e", afdeling="wijkzaken"
    )
    item = eager.intake.receive(
        io.BytesIO(b"Werkaantekening over de wijkschouw."),
        name="schouw.txt",
        dossier_id=dossier.id,
        laag="afdeling",
    )
    env = settings_env(eager_settings)
    rid = item.record_id or ""
    explain = ["policy", "explain"]
    allowed = runner.invoke(app, [*explain, "medewerker@wijkzaken", rid, "read"], env=env)
    assert allowed.exit_code == 0, allowed.output
    assert "ALLOWED" in allowed.output
    assert "p, medewerker, afdeling, afdeling, read" in allowed.output
    denied = runner.invoke(app, [*explain, "medewerker@onderwijs", rid, "read"], env=env)
    assert denied.exit_code == 1
    assert "DENIED" in denied.output
    assert "(onderwijs)" in denied.output
    public = runner.invoke(app, [*explain, "anoniem", rid, "download"], env=env)
    assert public.exit_code == 1
    assert "layer 'afdeling'" in public.output


def test_load_stores_a_version_and_refuses_a_bad_one(
    eager_settings: Settings, eager: Container, tmp_path: Path
) -> None:
    env = settings_env(eager_settings)
    default = PolicyTexts.default().regels
    edited = tmp_path / "beleid.csv"
    edited.write_text(default + "p, raadslid, alle, college, read\n", encoding="utf-8")
    try:
        loaded = runner.invoke(
            app, ["policy", "load", str(edited), "--toelichting", "raad ziet college"], env=env
        )
        assert loaded.exit_code == 0, loaded.output
        assert "is live" in loaded.output
        versions = runner.invoke(app, ["policy", "versions"], env=env)
        assert "raad ziet college" in versions.output
        broken = tmp_path / "kapot.csv"
        broken.write_text("p, koning, alle, openbaar, read\n", encoding="utf-8")
        refused = runner.invoke(app, ["policy", "load", str(broken)], env=env)
        assert refused.exit_code == 1
        assert "koning" in refused.output
    finally:
        original = tmp_path / "origineel.csv"
        original.write_text(default, encoding="utf-8")
        runner.invoke(app, ["policy", "load", str(original)], env=env)


def test_organisatie_load_adds_and_reports_moves(
    eager_settings: Settings, eager: Container, tmp_path: Path
) -> None:
    env = settings_env(eager_settings)
    org = tmp_path / "organisatie.yaml"
    org.write_text(
        "diensten:\n  - code: t-dienst\n    naam: T\n    afdelingen:\n"
        "      - {code: t-afd, naam: T afd}\n",
        encoding="utf-8",
    )
    first = runner.invoke(app, ["organisatie", "load", str(org)], env=env)
    assert first.exit_code == 0, first.output
    assert "moved to another dienst: none" in first.output
    org.write_text(
        "diensten:\n  - code: t-dienst2\n    naam: T2\n    afdelingen:\n"
        "      - {code: t-afd, naam: T afd}\n",
        encoding="utf-8",
    )
    moved = runner.invoke(app, ["organisatie", "load", str(org)], env=env)
    assert moved.exit_code == 0, moved.output
    assert "moved to another dienst: t-afd" in moved.output
    # The move is in the audit trail: the organisation keeps no versions itself.
    with eager.sessions() as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.actie == "organisatie.gewijzigd")
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).one()
    assert entry.voor == {"t-afd": ["t-dienst", "T afd"]}
    assert entry.na == {"t-afd": ["t-dienst2", "T afd"]}
    assert entry.actor.startswith("cli:")
    org.write_text("diensten: [{naam: zonder code}]\n", encoding="utf-8")
    bad = runner.invoke(app, ["organisatie", "load", str(org)], env=env)
    assert bad.exit_code == 1


def test_migrate_seeds_organisation_and_policy_once(stack_settings: Settings) -> None:
    import uuid  # noqa: PLC0415

    from sqlalchemy import create_engine, text  # noqa: PLC0415

    from tests.conftest import scratch_database  # noqa: PLC0415

    with scratch_database(stack_settings.database.url, f"test_{uuid.uuid4().hex[:8]}") as url:
        env = {**settings_env(stack_settings), "ARCHIEF_DATABASE__URL": url}
        for _ in range(2):
            result = runner.invoke(app, ["migrate"], env=env)
            assert result.exit_code == 0, result.output
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("select count(*) from beleid")).scalar() == 1
            assert conn.execute(text("select count(*) from afdeling")).scalar_one() > 0
        engine.dispose()
