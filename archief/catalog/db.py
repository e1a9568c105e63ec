# SPDX-License-Identifier: EUPL-1.2
"""Engine, sessions and migrations for the catalog."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from archief.errors import PortError
from archief.settings import DatabaseSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build_engine(settings: DatabaseSettings) -> Engine:
    """Create the engine; SQLite gets foreign keys switched on, as PostgreSQL has them."""
    if settings.url.startswith("sqlite:///"):
        Path(settings.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.url, echo=settings.echo, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_connection, _record):  # type: ignore[no-untyped-def]  # DB-API hook
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the catalog schema to `revision` (Alembic)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def check(engine: Engine) -> str:
    """Raise PortError unless the catalog answers a query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except SQLAlchemyError as exc:
        raise PortError("database", f"{engine.url.render_as_string()} unreachable: {exc}") from exc
    return f"{engine.dialect.name} {engine.url.database}"
