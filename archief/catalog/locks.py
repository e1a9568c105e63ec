# SPDX-License-Identifier: EUPL-1.2
"""One run at a time: PostgreSQL advisory locks for long jobs (fixity, destruction).

A row lock would have to stay open in one transaction for the whole run,
while these jobs commit per item. An advisory lock lives on its own
connection for exactly as long as the run, and dies with it if the
process does. SQLite (single-process tests) needs none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Engine

from archief.errors import ArchiefError


class Bezig(ArchiefError):
    code = "al_bezig"
    status = 409
    title = "Al bezig"


def _key(name: str) -> int:
    # A signed 64-bit key, stable across processes (hash() is salted).
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def run_lock(engine: Engine, name: str) -> Iterator[None]:
    """Hold the lock `name` for the block, or raise `Bezig` when another run holds it."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        got = connection.scalar(text("select pg_try_advisory_lock(:k)"), {"k": _key(name)})
        connection.commit()
        if not got:
            raise Bezig(f"{name} is already running elsewhere; try again when it has finished")
        try:
            yield
        finally:
            connection.execute(text("select pg_advisory_unlock(:k)"), {"k": _key(name)})
            connection.commit()
