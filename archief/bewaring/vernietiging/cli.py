# SPDX-License-Identifier: EUPL-1.2
"""`archief vernietiging voorstel|lijsten|toon|uitvoeren`: destruction from the command line.

Reviews are not here on purpose: a review is given in a role, by a named
person, and the command line only knows a login. Reviewers use the API
(`POST /vernietigingslijsten/{id}/beoordelingen`) with their own token.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import select

from archief.audit.chain import operator
from archief.bewaring.cli_catalog import catalog
from archief.bewaring.vernietiging import lijst as lijsten
from archief.bewaring.vernietiging import uitvoering, verklaring
from archief.catalog.models import Dossier, Vernietigingslijst
from archief.clock import AMSTERDAM

app = typer.Typer(no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@app.command("voorstel")
def propose(
    *,
    peildatum: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD; records due on or before (default today)")
    ] = None,
    dossier: Annotated[list[str] | None, typer.Option(help="Only this dossier (kenmerk)")] = None,
    toelichting: Annotated[str, typer.Option(help="Why this list, now")] = "",
) -> None:
    """Propose a destruction list of every record that is due and not held."""
    with catalog() as c, c.sessions.begin() as session:
        now = c.clock.now()
        dag = date.fromisoformat(peildatum) if peildatum else now.astimezone(AMSTERDAM).date()
        ids = None
        if dossier:
            query = select(Dossier.kenmerk, Dossier.id).where(Dossier.kenmerk.in_(dossier))
            found = {row.kenmerk: row.id for row in session.execute(query)}
            missing = sorted(set(dossier) - set(found))
            if missing:
                raise lijsten.Vernietigingsfout(f"no dossier {', '.join(missing)}")
            ids = list(found.values())
        lijst = lijsten.stel_voor(
            session,
            peildatum=dag,
            actor=operator(),
            at=now,
            toelichting=toelichting,
            dossier_ids=ids,
        )
        n = len(lijsten.items(session, lijst))
        out.print(
            f"Proposed [bold]{lijst.kenmerk}[/bold] ({lijst.id}): {n} records, to be reviewed by "
            + ", ".join(c.settings.bewaring.vernietiging.beoordelaars)
        )


@app.command("lijsten")
def list_lists() -> None:
    """Every destruction list, newest first."""
    with catalog() as c, c.sessions() as session:
        table = Table(
            "kenmerk", "status", "peildatum", "records", "uitvoerbaar vanaf", "verklaring"
        )
        for lijst in session.scalars(
            select(Vernietigingslijst).order_by(Vernietigingslijst.aangemaakt_op.desc())
        ):
            table.add_row(
                lijst.kenmerk,
                lijst.status,
                lijst.peildatum.isoformat(),
                str(len(lijsten.items(session, lijst))),
                f"{lijst.uitvoerbaar_vanaf:%Y-%m-%d %H:%M}" if lijst.uitvoerbaar_vanaf else "-",
                lijst.verklaring_record_id or "-",
            )
        out.print(table)


@app.command("toon")
def show(lijst: Annotated[str, typer.Argument(help="Kenmerk or id")]) -> None:
    """One list: its records (ids, no titles), reviews and state."""
    with catalog() as c, c.sessions() as session:
        row = lijsten.laad(session, lijst)
        out.print(f"[bold]{row.kenmerk}[/bold] {row.status}, peildatum {row.peildatum}")
        waiting = lijsten.openstaande_rollen(session, row, c.settings.bewaring.vernietiging)
        if row.status == lijsten.TER_BEOORDELING:
            out.print(f"Waiting for: {', '.join(waiting)}")
        table = Table("record", "dossier", "categorie", "archiefactiedatum", "status", "reden")
        for i in lijsten.items(session, row):
            table.add_row(
                i.record_id,
                i.dossier_kenmerk,
                i.categorie,
                i.archiefactiedatum.isoformat(),
                i.status,
                i.reden or "",
            )
        out.print(table)
        for b in lijsten.beoordelingen(session, row):
            out.print(f"{b.oordeel} by {b.door} as {b.rol} at {b.at:%Y-%m-%d %H:%M}")


@app.command("uitvoeren")
def execute(lijst: Annotated[str, typer.Argument(help="Kenmerk or id")]) -> None:
    """Execute an approved list whose cooling-off period is over; file the verklaring."""
    actor = operator()
    with (
        catalog() as c,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
        ) as bar,
    ):
        task = bar.add_task("destroying", total=None)

        def step(stap: uitvoering.Stap) -> None:
            bar.update(task, total=stap.totaal, completed=stap.gedaan)

        row, telling = uitvoering.voer_uit(
            c,
            lijst,
            actor=actor,
            verklaar=lambda lst, t: verklaring.archiveer(c, actor, lst, t),
            progress=step,
        )
    out.print(
        f"{row.kenmerk}: {telling.vernietigd} destroyed, {telling.overgeslagen} skipped, "
        f"{telling.objectversies} object versions purged; verklaring: record "
        f"{row.verklaring_record_id}"
    )
    if telling.overgeslagen:
        raise typer.Exit(1)
