# SPDX-License-Identifier: EUPL-1.2
"""`archief overbrenging maak|bevestig|annuleer|lijst|valideer`: transfers by hand.

The operator at the command line acts on every record (no layer filter),
as with the other retention commands. Refusals exit 2 with the problem's
code; `valideer` exits 1 when the bag has problems.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from archief.audit.chain import operator
from archief.bewaring.cli_catalog import catalog
from archief.bewaring.overbrenging import bagit, repository, service
from archief.bewaring.overbrenging.pakket import Stap
from archief.composition import Container

app = typer.Typer(no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def _dag(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007  # a calendar day, no time
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from exc


def _show(c: Container, ref: str) -> None:
    with c.sessions() as session:
        ob = repository.by_ref(session, ref)
        assert ob is not None
        aantal = repository.counts(session, [ob.id]).get(ob.id, 0)
        out.print(f"{ob.kenmerk} ({ob.id}): {ob.status}, {aantal} record(s)")
        if ob.pakket:
            out.print(f"  pakket: {ob.pakket}")
            out.print(f"  tagmanifest sha256: {ob.pakket_sha256}")
        for skipped in ob.overgeslagen or []:
            out.print(
                f"  [yellow]overgeslagen[/yellow] {skipped['record_id']} "
                f"({skipped['dossier_kenmerk']}): {skipped['toelichting']}"
            )


@app.command("maak")
def maak(
    peildatum: Annotated[str, typer.Option(help="Records due on or before this day (YYYY-MM-DD)")],
    dossier: Annotated[
        list[str] | None, typer.Option("--dossier", help="Only this dossier (kenmerk); repeatable")
    ] = None,
    ontvanger: Annotated[
        str | None, typer.Option(help="The receiving repository (default: from the settings)")
    ] = None,
    vervroegd: Annotated[
        bool, typer.Option("--vervroegd", help="Allow a peildatum after today")
    ] = False,
) -> None:
    """Select the permanent records due for transfer, build the package, record the transfer."""
    dag = _dag(peildatum)
    with catalog() as c:
        with Progress(
            TextColumn("[bold]overbrenging[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[omvang]}"),
            TimeRemainingColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("overbrenging", total=None, omvang="")

            def show(stap: Stap) -> None:
                bar.update(
                    task,
                    completed=stap.gedaan,
                    total=stap.totaal,
                    omvang=f"{stap.bytes / 1_000_000:,.1f} MB",
                )

            ob_id = service.maak(
                c,
                peildatum=dag,
                dossiers=dossier,
                ontvanger=ontvanger,
                vervroegd=vervroegd,
                actor=operator(),
                voortgang=show,
            )
        _show(c, ob_id)


@app.command("bevestig")
def bevestig(
    overbrenging: Annotated[str, typer.Argument(help="The transfer's id or kenmerk")],
    ontvangstbewijs: Annotated[str, typer.Option(help="The repository's receipt, as text")],
) -> None:
    """The repository confirmed receipt: check the package and mark the records overgebracht."""
    with catalog() as c:
        ob_id = service.bevestig(c, overbrenging, ontvangstbewijs=ontvangstbewijs, actor=operator())
        _show(c, ob_id)


@app.command("annuleer")
def annuleer(
    overbrenging: Annotated[str, typer.Argument(help="The transfer's id or kenmerk")],
    reden: Annotated[str, typer.Option(help="Why the transfer is cancelled")],
) -> None:
    """Cancel a transfer that is not confirmed; its package is removed."""
    with catalog() as c:
        ob_id = service.annuleer(c, overbrenging, reden=reden, actor=operator())
        _show(c, ob_id)


@app.command("lijst")
def lijst() -> None:
    """Every transfer, newest first."""
    with catalog() as c, c.sessions() as session:
        transfers = repository.all_transfers(session)
        aantallen = repository.counts(session, [ob.id for ob in transfers])
        table = Table("kenmerk", "id", "status", "peildatum", "records", "ontvanger", "aangemaakt")
        for ob in transfers:
            table.add_row(
                ob.kenmerk,
                ob.id,
                ob.status,
                ob.peildatum.isoformat(),
                str(aantallen.get(ob.id, 0)),
                ob.ontvanger,
                f"{ob.aangemaakt_op:%Y-%m-%d} {ob.aangemaakt_door}",
            )
        out.print(table)


@app.command("valideer")
def valideer(pad: Annotated[Path, typer.Argument(help="The package (BagIt directory)")]) -> None:
    """Check a package: manifests, Payload-Oxum, unlisted files, MDTO against the XSD."""
    problemen = bagit.valideer(pad)
    if not problemen:
        out.print(f"[green]ok:[/green] {pad} is a complete BagIt 1.0 bag with valid MDTO")
        return
    for problem in problemen:
        out.print(f"[red]✗[/red] {problem}")
    out.print(f"[red]{len(problemen)} problem(s)[/red]")
    raise typer.Exit(1)
