# SPDX-License-Identifier: EUPL-1.2
"""The Alembic migrations on a real PostgreSQL, and on the embedded SQLite."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from archief.catalog import db
from archief.catalog.models import Base
from archief.errors import PortError
from archief.settings import DatabaseSettings, Settings
from tests.conftest import scratch_database


def _roundtrip(engine: Engine) -> None:
    db.migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"dossier", "record", "alembic_version"} <= tables
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(db.alembic_config(str(engine.url))).get_current_head()
        assert conn.execute(text("select version_num from alembic_version")).scalar() == head
    # The models and the migration describe the same columns.
    insp = inspect(engine)
    for table in Base.metadata.sorted_tables:
        assert {c["name"] for c in insp.get_columns(table.name)} == set(table.columns.keys())
    cfg = db.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert {"dossier", "record"}.isdisjoint(inspect(engine).get_table_names())
    db.migrate(engine)
    assert {"dossier", "record"} <= set(inspect(engine).get_table_names())


@pytest.fixture
def fresh_postgres(stack_settings: Settings) -> Iterator[Engine]:
    # A database of its own, so the round trip cannot disturb the shared one.
    with scratch_database(stack_settings.database.url, f"test_{uuid.uuid4().hex[:8]}") as url:
        engine = db.build_engine(DatabaseSettings(url=url))
        yield engine
        engine.dispose()


def test_postgres_migration_roundtrip(fresh_postgres: Engine) -> None:
    assert fresh_postgres.dialect.name == "postgresql"
    _roundtrip(fresh_postgres)


def test_sqlite_migration_roundtrip(tmp_path: Path) -> None:
    engine = db.build_engine(DatabaseSettings(url=f"sqlite:///{tmp_path / 'archief.db'}"))
    _roundtrip(engine)
    with engine.connect() as conn:
        assert conn.execute(text("pragma foreign_keys")).scalar() == 1
    engine.dispose()


def test_head_is_alembics_head() -> None:
    # `migrate` trusts db.HEAD to skip Alembic on a catalog that is up to date.
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert script.get_heads() == [db.HEAD]


def test_an_up_to_date_catalog_is_not_migrated_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'archief.db'}"
    engine = db.build_engine(DatabaseSettings(url=url))
    db.migrate(engine, "0011")
    engine.dispose()
    # In a fresh interpreter: one behind, Alembic runs; at the head, it is not even imported.
    probe = (
        "import sys; from archief.catalog import db; from archief.settings import "
        "DatabaseSettings as D; e = db.build_engine(D(url=sys.argv[1])); db.migrate(e); "
        "print(db.current_revision(e), 'alembic' in sys.modules)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe, url], capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [[db.HEAD, "True"], [db.HEAD, "False"]]


def test_check_reports_unreachable_database() -> None:
    engine = db.build_engine(
        DatabaseSettings(url="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    )
    with pytest.raises(PortError) as exc:
        db.check(engine)
    assert exc.value.code == "service_unavailable"


def test_records_from_before_0002_get_content_rows(tmp_path: Path) -> None:
    engine = db.build_engine(DatabaseSettings(url=f"sqlite:///{tmp_path / 'oud.db'}"))
    db.migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text("insert into dossier values ('d1', 'K-1', 'Oud', 'Afd', 'open', '2020-01-01')")
        )
        conn.execute(
            text(
                "insert into record values ('r1', 'd1', 'Memo', 'intern', :sha, 'originals/x', "
                "'text/plain', 12, 'memo.txt', 'indexed', null, '2020-01-02')"
            ),
            {"sha": "a" * 64},
        )
    db.migrate(engine)
    with engine.connect() as conn:
        status = conn.execute(text("select status from content where sha256 = :s"), {"s": "a" * 64})
        assert status.scalar() == "stored"  # so `archief resume` processes it again
        assert conn.execute(text("select status from record")).scalar() == "actief"
    engine.dispose()


def test_free_text_afdelingen_from_before_0003_are_kept(fresh_postgres: Engine) -> None:
    db.migrate(fresh_postgres, "0002")
    with fresh_postgres.begin() as conn:
        for i, name in enumerate(("Openbare Ruimte", "Openbare Ruimte", "Juridische Zaken")):
            conn.execute(
                text("insert into dossier values (:id, :k, 'Oud', :a, 'open', '2020-01-01')"),
                {"id": f"d{i}", "k": f"K-{i}", "a": name},
            )
    db.migrate(fresh_postgres)
    with fresh_postgres.connect() as conn:
        rows = conn.execute(text("select afdeling from dossier order by id")).scalars().all()
        assert rows == ["openbare-ruimte", "openbare-ruimte", "juridische-zaken"]
        afdelingen = conn.execute(
            text("select code, naam, dienst_code from afdeling order by code")
        ).all()
        assert [tuple(a) for a in afdelingen] == [
            ("juridische-zaken", "Juridische Zaken", "onbekend"),
            ("openbare-ruimte", "Openbare Ruimte", "onbekend"),
        ]
        # The foreign key now holds: a dossier cannot name an afdeling that is not there.
    with pytest.raises(Exception, match="fk_dossier_afdeling"), fresh_postgres.begin() as conn:
        conn.execute(text("update dossier set afdeling = 'bestaat-niet' where id = 'd0'"))
