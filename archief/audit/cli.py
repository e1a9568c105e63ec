# SPDX-License-Identifier: EUPL-1.2
"""`archief audit`: verify the chain, anchor its head, show entries.

`verify` exits 1 when the chain was tampered with, naming each entry that
does not fit, so it can run from cron or CI and page someone.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from archief.audit.chain import anchor, append, fields, operator, verify
from archief.catalog.models import AuditEntry
from archief.composition import Container, build_container
from archief.records import repository

app = typer.Typer(no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def _container() -> Container:
    # Imported late: the main CLI module imports this one.
    from archief.cli import _settings  # noqa: PLC0415

    container = build_container(_settings(None))
    container.migrate()
    return container


@app.command("verify")
def verify_command(
    write_anchor: Annotated[
        bool,
        typer.Option("--anchor/--no-anchor", help="After a clean walk, anchor the head in storage"),
    ] = True,
) -> None:
    """Walk the whole chain: changed, deleted or reordered entries make it exit 1."""
    container = _container()
    try:
        with container.sessions() as session:
            report = verify(session, container.store)
        for problem in report.problems:
            err.print(f"[red]✗[/red] entry {problem.seq}: {problem.kind}: {problem.detail}")
        with container.sessions.begin() as session:
            append(
                session,
                actor=operator(),
                actie="audit.geverifieerd",
                object_type="audit",
                object_id="trail",
                at=container.clock.now(),
                details={"ok": report.ok, "entries": report.entries},
            )
        if not report.ok:
            err.print(
                f"[red]the audit trail was tampered with:[/red] {len(report.problems)} "
                f"problem(s) in {report.entries} entries"
            )
            raise typer.Exit(1)
        if write_anchor:
            with container.sessions() as session:
                head = anchor(session, container.store, container.clock.now())
            out.print(f"anchored head {head['seq']} ({head['hash'][:12]}…)")
        out.print(
            f"[green]ok:[/green] {report.entries} entries, chain intact up to {report.head_seq}; "
            f"{report.anchors} anchor(s) match"
        )
    finally:
        container.close()


@app.command("anchor")
def anchor_command() -> None:
    """Copy the chain head to object storage, so a truncated chain is caught later."""
    container = _container()
    try:
        with container.sessions() as session:
            head = anchor(session, container.store, container.clock.now())
        out.print(f"anchored head {head['seq']} ({head['hash'][:12]}…)")
    finally:
        container.close()


@app.command("toon")
def show(
    dossier: Annotated[str | None, typer.Option(help="Only this dossier (kenmerk)")] = None,
    last: Annotated[int, typer.Option(min=1, max=10000, help="How many entries")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """The newest entries (of one dossier). Reading the trail is itself logged."""
    container = _container()
    try:
        with container.sessions.begin() as session:
            query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(last)
            dossier_id = None
            if dossier is not None:
                found = repository.dossier_by_kenmerk(session, dossier)
                if found is None:
                    err.print(f"[red]refused:[/red] no dossier with kenmerk {dossier}")
                    raise typer.Exit(2)
                dossier_id = found.id
                query = query.where(AuditEntry.dossier_id == dossier_id)
            rows = list(reversed(list(session.scalars(query))))
            shown = [_plain(e) for e in rows]
            append(
                session,
                actor=operator(),
                actie="audit.gelezen",
                object_type="audit",
                object_id=dossier_id or "trail",
                dossier_id=dossier_id,
                at=container.clock.now(),
                details={"filter": {"dossier": dossier} if dossier else {}, "shown": len(shown)},
            )
        if as_json:
            for entry in shown:
                out.print_json(json.dumps(entry))
            return
        table = Table("seq", "at", "actor", "actie", "object", "voor → na")
        for e in shown:
            change = f"{e['voor'] or ''} → {e['na'] or ''}" if e["voor"] or e["na"] else ""
            table.add_row(
                str(e["seq"]),
                str(e["at"])[:19],
                str(e["actor"]),
                str(e["actie"]),
                str(e["object_id"]),
                change,
            )
        out.print(table)
    finally:
        container.close()


def _plain(e: AuditEntry) -> dict[str, object]:
    plain = fields(e)
    plain["at"] = e.at.isoformat()
    del plain["prev_hash"]
    return plain
