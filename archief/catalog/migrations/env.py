# SPDX-License-Identifier: EUPL-1.2
"""Alembic environment: migrations run on the connection archief hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from archief.catalog.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    # The `alembic` command line, for developers writing new revisions.
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run()
