# SPDX-License-Identifier: EUPL-1.2
"""The catalog for one retention command: migrated, closed afterwards, refusals printed.

Every `archief bewaring|vernietiging|overbrenging` command opens the
container the same way and turns an `ArchiefError` into a message on
stderr and exit code 2, so scripts can tell "refused" (2) from "done with
failures" (1).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from archief.composition import Container, build_container
from archief.errors import ArchiefError

err = Console(stderr=True)


def refused(exc: ArchiefError) -> typer.Exit:
    """Print why a command was refused, with any listed problems; exit code 2."""
    err.print(f"[red]refused ({exc.code}):[/red] {exc.detail}")
    for problem in [*exc.extra.get("problemen", []), *exc.extra.get("overgeslagen", [])]:
        err.print(f"  - {problem}")
    return typer.Exit(2)


@contextmanager
def catalog() -> Iterator[Container]:
    # Imported late: the main CLI module imports the command modules.
    from archief.cli import _settings  # noqa: PLC0415

    container = build_container(_settings(None))
    try:
        container.migrate()
        yield container
    except ArchiefError as exc:
        raise refused(exc) from exc
    finally:
        container.close()
