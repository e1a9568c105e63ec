# SPDX-License-Identifier: EUPL-1.2
"""`archief besluit ...`: the besluitnota workflow at the command line.

The operator has shell access to the catalog, so `toon` shows the whole
timeline, every layer; it names the operator in the log.
"""

from __future__ import annotations

from typing import Annotated

import structlog
import typer
from rich.console import Console
from rich.table import Table

from archief.audit.chain import operator
from archief.besluiten import repository, tijdlijn
from archief.besluiten.schemas import BesluitOut
from archief.composition import build_container
from archief.settings import Settings

app = typer.Typer(no_args_is_help=True)
out = Console()
err = Console(stderr=True)
log = structlog.get_logger(__name__)


def _settings() -> Settings:
    # Imported late: the main CLI module imports this one.
    from archief.cli import _settings as load  # noqa: PLC0415

    return load(None)


def _table(view: BesluitOut) -> Table:
    table = Table(title=f"{view.kenmerk}: {view.onderwerp}", show_lines=True)
    for column in ("datum", "stap", "uitkomst", "door", "laag", "toelichting", "stukken"):
        table.add_column(column)
    for stap in view.stappen:
        table.add_row(
            stap.datum.isoformat(timespec="minutes"),
            stap.soort,
            stap.uitkomst or "",
            f"{stap.actor_naam} ({stap.actor})",
            stap.laag,
            stap.toelichting,
            "\n".join(f"{r.titel} [{r.id}, {r.laag}]" for r in stap.records),
        )
    return table


@app.command()
def toon(
    kenmerk: Annotated[str, typer.Argument(help="The besluit's kenmerk (or its id).")],
) -> None:
    """Print a besluit's full timeline: every step, every linked record."""
    container = build_container(_settings())
    try:
        with container.sessions() as session:
            besluit = repository.besluit_by_kenmerk(session, kenmerk) or repository.besluit(
                session, kenmerk
            )
            view = tijdlijn.besluit_view(session, besluit, tijdlijn.alles) if besluit else None
    finally:
        container.close()
    if view is None:
        err.print(f"[red]no besluit {kenmerk}[/red]")
        raise typer.Exit(1)
    log.info("besluit.getoond", besluit_id=view.id, operator=operator().id)
    out.print(f"[bold]{view.kenmerk}[/bold]  {view.onderwerp}")
    out.print(f"dossier {view.dossier.kenmerk} ({view.dossier.titel})")
    out.print(f"steller {view.steller_naam} ({view.steller})")
    if view.nota is not None:
        out.print(f"nota    {view.nota.titel} [{view.nota.id}, {view.nota.laag}]")
    out.print(f"fase    {view.fase}; volgende: {', '.join(view.volgende) or '(afgerond)'}")
    out.print(_table(view))
