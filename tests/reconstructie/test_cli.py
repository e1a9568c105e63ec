# SPDX-License-Identifier: EUPL-1.2
"""`archief reconstrueer ...`: the operator grants, revokes and writes reports, all audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from archief.audit.chain import operator, verify
from archief.catalog.models import AuditEntry, Machtiging
from archief.cli import app
from archief.composition import Container
from archief.reconstructie.service import digest_of_export
from policies.subject import Subject
from tests.conftest import settings_env
from tests.reconstructie.conftest import HOSTILE, OLGA, Geschiedenis, api_id, uses

runner = CliRunner()
# Their own ombudsmen: grants made here must not change what other tests expect.
KEES = Subject("kees", ("ombudsman",))
OSCAR = Subject("oscar", ("ombudsman",))


def _env(world: Container) -> dict[str, str]:
    return settings_env(world.settings)


def test_the_cli_needs_a_grant_and_audits_each_use(
    world: Container, geschiedenis: Geschiedenis, tmp_path: Path
) -> None:
    g = geschiedenis
    env = _env(world)
    out = tmp_path / "rapport.html"
    base = ["reconstrueer", "dossier", g.kenmerk, "--as-of", g.t2.isoformat(), "--out", str(out)]
    before = len(uses(world, g.dossier_id))

    # Kees holds no grant: refused, nothing written, nothing audited.
    refused = runner.invoke(app, [*base, "--ombudsman", api_id(KEES)], env=env)
    assert refused.exit_code == 2, refused.output
    assert "geen_machtiging" not in refused.output  # the message, not the internals
    assert "grant" in refused.output
    assert not out.exists()
    assert len(uses(world, g.dossier_id)) == before

    done = runner.invoke(app, [*base, "--ombudsman", api_id(OLGA)], env=env)
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE not in html
    assert "<script" not in html.lower()

    as_json = tmp_path / "rapport.json"
    json_args = [*base[:-1], str(as_json), "--ombudsman", api_id(OLGA), "--format", "json"]
    done = runner.invoke(app, json_args, env=env)
    assert done.exit_code == 0, done.output
    body = json.loads(as_json.read_text(encoding="utf-8"))
    assert {d["record_id"] for d in body["data"]["documenten"]} == {
        g.naar_raad,
        g.gepubliceerd,
        g.vijandig,
    }

    entries = uses(world, g.dossier_id)[before:]
    assert len(entries) == 2
    for entry, fmt in zip(entries, ("html", "json"), strict=True):
        assert entry.actor == operator().id
        assert entry.details is not None
        assert entry.details["ombudsman"] == api_id(OLGA)
        assert entry.details["via"] == "cli"
        assert entry.details["format"] == fmt
        assert entry.details["machtiging"] == g.machtiging
    assert entries[1].details is not None
    assert entries[1].details["sha256"] == digest_of_export(body["data"])
    with world.sessions() as session:
        assert verify(session).ok


def test_the_cli_grants_and_revokes(
    world: Container, geschiedenis: Geschiedenis, tmp_path: Path
) -> None:
    g = geschiedenis
    env = _env(world)
    tot = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    made = runner.invoke(
        app,
        [
            "reconstrueer",
            "machtig",
            "--ombudsman",
            api_id(OSCAR),
            "--dossier",
            g.kenmerk,
            "--zaak",
            "KL-CLI",
            "--reden",
            "Klacht via de balie",
            "--tot",
            tot,
        ],
        env=env,
    )
    assert made.exit_code == 0, made.output
    with world.sessions() as session:
        row = session.scalars(
            select(Machtiging).where(
                Machtiging.zaak == "KL-CLI", Machtiging.dossier_id == g.dossier_id
            )
        ).one()
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_id == row.id, AuditEntry.actie == "machtiging.verleend"
            )
        ).one()
        assert entry.actor == operator().id
    assert row.id in made.output

    out = tmp_path / "otto.html"
    args = ["reconstrueer", "dossier", g.kenmerk, "--as-of", g.t1.isoformat()]
    args += ["--ombudsman", api_id(OSCAR), "--out", str(out)]
    assert runner.invoke(app, args, env=env).exit_code == 0
    assert runner.invoke(app, ["reconstrueer", "intrekken", row.id], env=env).exit_code == 0
    out.unlink()
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 2
    assert "revoked" in again.output
    assert not out.exists()
    assert runner.invoke(app, ["reconstrueer", "intrekken", row.id], env=env).exit_code == 2

    too_long = (datetime.now(UTC) + timedelta(days=120)).date().isoformat()
    refused = runner.invoke(
        app,
        [
            *["reconstrueer", "machtig", "--ombudsman", api_id(OSCAR), "--dossier", g.kenmerk],
            *["--zaak", "KL-2", "--reden", "r", "--tot", too_long],
        ],
        env=env,
    )
    assert refused.exit_code == 2
    assert "90 days" in refused.output
