# SPDX-License-Identifier: EUPL-1.2
"""Engine, sessions and migrations for the catalog."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from archief.errors import PortError
from archief.settings import DatabaseSettings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration. `migrate` leaves Alembic alone (its import and its
# reading of every migration script, about a quarter of a second of each CLI
# run) when the catalog is there already; tests/catalog/test_migrations.py
# holds this to Alembic's own head, so a new migration cannot be forgotten here.
HEAD = "0013"


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


def unavailable(exc: BaseException) -> PortError | None:
    """The PortError a database failure is when the database is at fault, else None.

    OperationalError is what the driver raises for a connection refused or
    lost, a server shutting down or restarting, a deadlock, a serialization
    failure, a lock or statement timeout: the same request can succeed a
    moment later. InterfaceError is a connection that was closed under us.
    An IntegrityError, DataError or ProgrammingError is about the statement
    and stays what it is.
    """
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        # The driver's first line, not the statement with its parameters.
        lines = str(exc.orig or "").strip().splitlines()
        return PortError("database", lines[0][:300] if lines else type(exc.orig or exc).__name__)
    return None


@contextlib.contextmanager
def away_as_port_error() -> Iterator[None]:
    """Raise a database that is away as the PortError it is, not as a bug."""
    try:
        yield
    except DBAPIError as exc:
        port = unavailable(exc)
        if port is None:
            raise
        raise port from exc


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # noqa: PLC0415  # only when migrating

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The catalog's Alembic revision; None when it has none (new) or cannot be asked."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("select version_num from alembic_version")).scalar()
    except SQLAlchemyError:
        return None  # Alembic, which runs next, says what is wrong


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the catalog schema to `revision` (Alembic)."""
    if revision in ("head", HEAD) and current_revision(engine) == HEAD:
        return
    from alembic import command  # noqa: PLC0415  # only when migrating

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
