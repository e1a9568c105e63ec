# SPDX-License-Identifier: EUPL-1.2
"""`archief reconstrueer ...`: grant, revoke and list case grants; write a reconstruction.

Shell access is trusted to act as operator (as `archief policy load` is),
but a reconstruction still needs an active grant for the named ombudsman
and that dossier: the command line is not a way around the case grant.
Every grant, revocation and use is audited with the operator as actor.
Refusals exit with code 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from archief.audit.chain import operator
from archief.catalog import db
from archief.clock import SystemClock
from archief.errors import ArchiefError, NotFound
from archief.ports import Clock
from archief.reconstructie import machtiging, report, repository, service
from archief.reconstructie.schemas import Formaat
from archief.reconstructie.tijd import aware, end_of_day, parse_as_of, shown

app = typer.Typer(no_args_is_help=True)
out = Console()
err = Console(stderr=True)

REFUSED = 2
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class _Catalog:
    sessions: sessionmaker[Session]
    clock: Clock


@contextmanager
def _catalog() -> Iterator[_Catalog]:
    # Imported late: the main CLI module imports this one.
    from archief.cli import _settings  # noqa: PLC0415

    engine = db.build_engine(_settings(None).database)
    try:
        yield _Catalog(db.session_factory(engine), SystemClock())
    finally:
        engine.dispose()


@contextmanager
def _refusals() -> Iterator[None]:
    """Any refusal or invalid input: its message and exit code 2, no traceback."""
    try:
        yield
    except ArchiefError as exc:
        err.print(f"[red]{exc.title}[/red] ({exc.code}): {exc.detail}")
        raise typer.Exit(REFUSED) from exc


def _moment(text: str) -> datetime:
    """A date is the end of that day (Europe/Amsterdam); a date-time without offset is local."""
    try:
        if _DATE.match(text.strip()):
            return end_of_day(date.fromisoformat(text.strip()))
        return aware(datetime.fromisoformat(text.strip()))
    except ValueError as exc:
        err.print(f"[red]not a date or ISO date-time:[/red] {text!r}")
        raise typer.Exit(REFUSED) from exc


@app.command("machtig")
def grant(
    *,
    ombudsman: Annotated[str, typer.Option(help="The ombudsman's subject id, e.g. oidc:<sub>.")],
    dossier: Annotated[str, typer.Option(help="Dossier kenmerk (or id).")],
    zaak: Annotated[str, typer.Option(help="The complaint reference.")],
    reden: Annotated[str, typer.Option(help="Why the ombudsman needs this case.")],
    tot: Annotated[str, typer.Option(help="Valid until (a date: to the end of that day).")],
    van: Annotated[str | None, typer.Option(help="Valid from (default: now).")] = None,
) -> None:
    """Grant an ombudsman reconstruction of one dossier (at most 90 days); audited."""
    geldig_tot, geldig_van = _moment(tot), _moment(van) if van else None
    with _catalog() as c, _refusals(), c.sessions.begin() as session:
        row = machtiging.verleen(
            session,
            by=operator(),
            ombudsman=ombudsman,
            dossier=dossier,
            zaak=zaak,
            reden=reden,
            geldig_van=geldig_van,
            geldig_tot=geldig_tot,
            now=c.clock.now(),
        )
        out.print(row.id)
        err.print(
            f"[green]granted[/green] {row.ombudsman} dossier {dossier} "
            f"from {shown(aware(row.geldig_van))} until {shown(aware(row.geldig_tot))}"
        )


@app.command("intrekken")
def revoke(grant_id: Annotated[str, typer.Argument(help="The grant's id.")]) -> None:
    """Revoke a grant from now on; audited."""
    with _catalog() as c, _refusals(), c.sessions.begin() as session:
        row = machtiging.trek_in(session, grant_id, by=operator(), now=c.clock.now())
        err.print(f"[green]revoked[/green] {row.id} ({row.ombudsman}, zaak {row.zaak})")


@app.command("lijst")
def list_grants(
    dossier: Annotated[str | None, typer.Option(help="Only this dossier (kenmerk or id).")] = None,
) -> None:
    """The grants, with their state now."""
    with _catalog() as c, _refusals(), c.sessions() as session:
        dossier_id = None
        if dossier is not None:
            found = repository.dossier_by_kenmerk_or_id(session, dossier)
            if found is None:
                raise NotFound(f"no dossier {dossier!r}")
            dossier_id = found.id
        now = c.clock.now()
        table = Table(title="machtigingen")
        for column in ("id", "ombudsman", "dossier", "zaak", "van", "tot", "status"):
            table.add_column(column)
        for row in machtiging.lijst(session, dossier_id=dossier_id):
            table.add_row(
                row.id,
                row.ombudsman,
                row.dossier_id,
                row.zaak,
                shown(aware(row.geldig_van)),
                shown(aware(row.geldig_tot)),
                machtiging.status(row, now),
            )
        out.print(table)


@app.command("dossier")
def reconstruct(
    kenmerk: Annotated[str, typer.Argument(help="Dossier kenmerk (or id).")],
    as_of: Annotated[str, typer.Option("--as-of", help="Date or ISO date-time; not future.")],
    ombudsman: Annotated[str, typer.Option(help="The ombudsman the grant names (oidc:<sub>).")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the report.")],
    fmt: Annotated[Formaat, typer.Option("--format", help="html or json.")] = Formaat.html,
) -> None:
    """Write the dossier as it was at --as-of; needs an active grant; audited."""
    if not out_file.parent.is_dir():
        # Checked first, so a typo does not leave an audited use without a report.
        err.print(f"[red]no such directory:[/red] {out_file.parent}")
        raise typer.Exit(REFUSED)
    with _catalog() as c, _refusals():
        now = c.clock.now()
        moment = parse_as_of(as_of, now)
        with c.sessions() as session:
            found = repository.dossier_by_kenmerk_or_id(session, kenmerk)
            if found is None:
                raise NotFound(f"no dossier {kenmerk!r}")
            dossier_id = found.id
            allowed = machtiging.actief(session, ombudsman.strip(), dossier_id, now)
        rapport = service.produce(
            c.sessions,
            c.clock.now,
            dossier_id=dossier_id,
            as_of=moment,
            grant=allowed,
            actor=operator(),
            via="cli",
            fmt=fmt.value,
        )
    if fmt is Formaat.html:
        out_file.write_text(report.html(rapport), encoding="utf-8")
    else:
        out_file.write_bytes(service.export_bytes(rapport))
    v = rapport.verantwoording
    err.print(
        f"[green]written[/green] {out_file}: {len(rapport.data.documenten)} documents, "
        f"{len(rapport.data.gebeurtenissen)} audit events; registered as audit entry "
        f"#{v.gebruik_seq}; data sha256 {v.data_sha256}"
    )
    if not v.keten.ok:
        err.print("[red]warning:[/red] the audit chain did not verify; see the report")
