# SPDX-License-Identifier: EUPL-1.2
"""`archief bewaring blokkeer|opheffen|blokkades`: legal holds from the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from archief.audit.chain import operator
from archief.bewaring import blokkade
from archief.bewaring.cli_catalog import catalog
from archief.catalog.models import Blokkade, Dossier, Record
from archief.records import repository

app = typer.Typer(no_args_is_help=True)
out = Console()


@app.command("blokkeer")
def place(
    *,
    dossier: Annotated[str, typer.Option(help="Dossier kenmerk")],
    grond: Annotated[str, typer.Option(help=" | ".join(blokkade.GRONDEN))],
    reden: Annotated[str, typer.Option(help="Why: the Woo request, complaint or case")],
    record: Annotated[str | None, typer.Option(help="Only this record (id)")] = None,
) -> None:
    """Hold a dossier (or one record): no change, no destruction until lifted."""
    with catalog() as c, c.sessions.begin() as session:
        found = repository.dossier_by_kenmerk(session, dossier)
        if found is None:
            raise blokkade.OngeldigeBlokkade(f"no dossier with kenmerk {dossier}")
        held_record = session.get(Record, record) if record else None
        if record and held_record is None:
            raise blokkade.OngeldigeBlokkade(f"no record {record}")
        hold = blokkade.place(
            session,
            c.store,
            dossier=found,
            record=held_record,
            grond=grond,
            reden=reden,
            actor=operator(),
            at=c.clock.now(),
        )
        out.print(f"held: {hold.id} ({grond}) on {record or 'dossier ' + dossier}")


@app.command("opheffen")
def lift(
    blokkade_id: Annotated[str, typer.Argument(help="The hold's id")],
    reden: Annotated[str, typer.Option(help="Why the hold ends")],
) -> None:
    """Lift a hold; it stays on record, with who lifted it and why."""
    with catalog() as c, c.sessions.begin() as session:
        blokkade.lift(
            session, c.store, blokkade_id, reden=reden, actor=operator(), at=c.clock.now()
        )
        out.print(f"lifted: {blokkade_id}")


@app.command("blokkades")
def show(
    dossier: Annotated[str | None, typer.Option(help="Only this dossier (kenmerk)")] = None,
    alle: Annotated[bool, typer.Option("--alle", help="Lifted holds too")] = False,
) -> None:
    """The holds, newest last."""
    with catalog() as c, c.sessions() as session:
        query = (
            select(Blokkade, Dossier.kenmerk)
            .join(Dossier, Blokkade.dossier_id == Dossier.id)
            .order_by(Blokkade.geplaatst_op)
        )
        if dossier:
            query = query.where(Dossier.kenmerk == dossier)
        if not alle:
            query = query.where(Blokkade.opgeheven_op.is_(None))
        table = Table("id", "dossier", "record", "grond", "reden", "geplaatst", "opgeheven")
        for hold, kenmerk in session.execute(query):
            table.add_row(
                hold.id,
                kenmerk,
                hold.record_id or "(heel dossier)",
                hold.grond,
                hold.reden,
                f"{hold.geplaatst_op:%Y-%m-%d} {hold.geplaatst_door}",
                f"{hold.opgeheven_op:%Y-%m-%d}" if hold.opgeheven_op else "",
            )
        out.print(table)
