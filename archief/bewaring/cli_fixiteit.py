# SPDX-License-Identifier: EUPL-1.2
"""`archief fixiteit`: check stored originals against their SHA-256 by hand.

`controleer` exits 1 when any original deviates (changed, missing or
unreadable) and 2 when the object store cannot be reached at all, so it can
run from cron or CI and page someone; the scheduled Celery task runs the
same check.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from archief.audit.chain import operator
from archief.bewaring.fixiteit import Report, Stap, check
from archief.composition import Container, build_container
from archief.errors import PortError

app = typer.Typer(no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@app.callback()
def fixiteit() -> None:
    """Fixity: stored originals against their SHA-256."""
    # A callback keeps `controleer` a subcommand, as more commands will join it.


def _container() -> Container:
    # Imported late: the main CLI module imports this one.
    from archief.cli import _settings  # noqa: PLC0415

    container = build_container(_settings(None))
    container.migrate()
    return container


@app.command("controleer")
def controleer(
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Check at most this many originals")
    ] = None,
    ouder_dan: Annotated[
        int | None,
        typer.Option(
            "--ouder-dan",
            min=0,
            help="Skip originals checked less than this many days ago (default: check all)",
        ),
    ] = None,
    webhook_url: Annotated[
        str | None,
        typer.Option(help="POST each deviation here (default: bewaring.fixiteit.webhook_url)"),
    ] = None,
) -> None:
    """Stream every original back and compare its SHA-256; any deviation makes it exit 1."""
    container = _container()
    try:
        url = webhook_url or container.settings.bewaring.fixiteit.webhook_url
        with Progress(
            TextColumn("[bold]fixiteit[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[afwijkingen]}"),
            TimeRemainingColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("fixiteit", total=None, afwijkingen="")
            deviations = 0

            def show(stap: Stap) -> None:
                nonlocal deviations
                deviations += stap.uitkomst != "ok"
                bar.update(
                    task,
                    completed=stap.gedaan,
                    total=stap.totaal,
                    afwijkingen=f"[red]{deviations} afwijking(en)[/red]" if deviations else "",
                )

            try:
                report = check(
                    container,
                    limit=limit,
                    older_than=timedelta(days=ouder_dan) if ouder_dan is not None else None,
                    webhook_url=url,
                    actor=operator(),
                    progress=show,
                )
            except PortError as exc:
                err.print(f"[red]aborted:[/red] {exc.detail}")
                raise typer.Exit(2) from exc
            # Skipped originals never reach the callback: close the bar honestly.
            bar.update(task, total=report.gecontroleerd, completed=report.gecontroleerd)
        _show(report)
        if not report.in_orde:
            raise typer.Exit(1)
    finally:
        container.close()


def _show(report: Report) -> None:
    summary = Table(title=f"Fixiteit (run {report.run})")
    summary.add_column("uitkomst")
    summary.add_column("aantal", justify="right")
    for name, count in report.counts().items():
        if name == "bytes":
            continue
        style = "red" if name in ("mismatch", "missing", "unreadable") and count else ""
        summary.add_row(name, f"[{style}]{count}[/{style}]" if style else str(count))
    summary.add_row("bytes gelezen", f"{report.bytes:,}")
    out.print(summary)
    if not report.afwijkingen:
        out.print("[green]ok:[/green] every checked original matches its SHA-256")
        return
    detail = Table(title="Afwijkingen")
    for column in ("uitkomst", "sha256", "gevonden / fout", "records"):
        detail.add_column(column, overflow="fold")
    for afwijking in report.afwijkingen:
        detail.add_row(
            afwijking.uitkomst,
            afwijking.sha256,
            afwijking.gevonden or afwijking.fout or "",
            ", ".join(r.record_id for r in afwijking.records) or "(geen record)",
        )
    out.print(detail)
    out.print(
        f"[red]{len(report.afwijkingen)} original(s) deviate;[/red] "
        "see `archief audit toon` (actie bewaring.fixiteit_afwijking)"
    )
