# SPDX-License-Identifier: EUPL-1.2
"""`archief selectielijst check|toon`: validate and show a selectielijst file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from archief.bewaring.selectielijst import (
    Nominatie,
    Selectielijst,
    SelectielijstError,
    default_text,
    parse,
)

app = typer.Typer(
    help="The selectielijst: retention categories, nominatie and terms.", no_args_is_help=True
)
out = Console()
err = Console(stderr=True)

BestandArg = Annotated[
    Path | None,
    typer.Argument(help="Selectielijst file (YAML); default: the shipped subset."),
]


def _load(bestand: Path | None) -> Selectielijst:
    try:
        text = bestand.read_text(encoding="utf-8") if bestand else default_text()
    except OSError as exc:
        err.print(f"[red]cannot read:[/red] {exc}")
        raise typer.Exit(2) from exc
    try:
        return parse(text)
    except SelectielijstError as exc:
        err.print(f"[red]selectielijst refused[/red] ({len(exc.problems)} problems):")
        for problem in exc.problems:
            err.print(f"  - {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from exc


def _kop(lijst: Selectielijst) -> str:
    deel = " (deelverzameling)" if lijst.deelverzameling else ""
    return f"{lijst.naam}, versie {lijst.versie}{deel}"


@app.command("check")
def check_cmd(bestand: BestandArg = None) -> None:
    """Validate a selectielijst file; list every problem and exit 1 if it has any."""
    lijst = _load(bestand)
    blijvend = sum(1 for c in lijst if c.nominatie is Nominatie.BLIJVEND_BEWAREN)
    out.print(
        f"[green]ok[/green]: {_kop(lijst)}: {len(lijst)} categorieën "
        f"({blijvend} blijvend te bewaren, {len(lijst) - blijvend} te vernietigen), "
        f"overbrengingstermijn {lijst.overbrengingstermijn}",
        highlight=False,
    )


@app.command("toon")
def toon_cmd(
    bestand: BestandArg = None,
    procestype: Annotated[
        int | None, typer.Option(help="Show only the categories of this procestype.")
    ] = None,
) -> None:
    """Show the categories as a table, grouped by procestype."""
    lijst = _load(bestand)
    table = Table(title=_kop(lijst))
    # Codes are looked up, so they never wrap; the prose columns do.
    table.add_column("code", no_wrap=True)
    table.add_column("resultaat en omschrijving", ratio=3)
    table.add_column("archiefactie", ratio=1)
    table.add_column("brondatum", ratio=1)
    vorige = None
    for c in sorted(lijst, key=lambda c: tuple(int(n) for n in c.code.split("."))):
        if procestype is not None and c.procestype != procestype:
            continue
        if c.procestype != vorige:
            table.add_section()
            table.add_row("", f"[bold]{c.procestype} {lijst.procestypen[c.procestype]}[/bold]")
            vorige = c.procestype
        if c.nominatie is Nominatie.BLIJVEND_BEWAREN:
            actie = f"overbrengen na {lijst.overbrengingstermijn}"
        else:
            actie = f"vernietigen na {c.bewaartermijn}"
        brondatum = str(c.afleidingswijze).replace("_", " ")
        if c.procestermijn:
            brondatum += f" + {c.procestermijn}"
        table.add_row(c.code, f"{c.resultaat}: {c.omschrijving}", actie, brondatum)
    out.print(table)


@app.command("categoriseer")
def categoriseer(
    kenmerken: Annotated[list[str], typer.Argument(help="Dossier kenmerken")],
    categorie: Annotated[str, typer.Option(help="Selectielijst code, e.g. 2.1.1")],
) -> None:
    """Give dossiers a category (a batch): each dossier on its own, refusals reported.

    A dossier with held records is refused (its records' retention may not
    move) and the batch goes on with the next; the exit code is 1 if any
    dossier was refused.
    """
    # Imported late: the main CLI module imports this one.
    from archief.audit.chain import operator  # noqa: PLC0415
    from archief.bewaring import categorie as categorieen  # noqa: PLC0415
    from archief.cli import _settings  # noqa: PLC0415
    from archief.composition import build_container  # noqa: PLC0415
    from archief.errors import ArchiefError  # noqa: PLC0415
    from archief.records import repository  # noqa: PLC0415

    lijst = _load(None)
    container = build_container(_settings(None))
    actor = operator()
    table = Table("dossier", "uitkomst")
    refused: dict[str, str] = {}
    moved = 0
    try:
        container.migrate()
        for kenmerk in kenmerken:
            try:
                with container.sessions.begin() as session:
                    dossier = repository.dossier_by_kenmerk(session, kenmerk)
                    if dossier is None:
                        refused[kenmerk] = "no dossier with this kenmerk"
                        table.add_row(kenmerk, "[red]geweigerd:[/red] onbekend kenmerk")
                        continue
                    n = categorieen.set_dossier(
                        session, dossier, categorie, lijst, actor=actor, at=container.clock.now()
                    )
                moved += n
                table.add_row(kenmerk, f"{categorie}: {n} record(s) herberekend")
            except ArchiefError as exc:
                refused[kenmerk] = exc.detail
                table.add_row(kenmerk, f"[red]geweigerd:[/red] {exc.detail}")
        with container.sessions.begin() as session:
            categorieen.log_batch(
                session,
                actor=actor,
                at=container.clock.now(),
                summary={
                    "categorie": categorie,
                    "dossiers": list(kenmerken),
                    "geweigerd": refused,
                    "records_herberekend": moved,
                },
            )
    finally:
        container.close()
    out.print(table)
    if refused:
        err.print(f"[red]{len(refused)} of {len(kenmerken)} dossier(s) refused[/red]")
        raise typer.Exit(1)
