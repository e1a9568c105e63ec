# SPDX-License-Identifier: EUPL-1.2
"""`archief policy ...` and `archief organisatie ...`: check, explain and load access data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from archief.audit.chain import operator
from archief.catalog.models import Record
from archief.composition import build_container
from archief.errors import ArchiefError
from archief.settings import Settings
from archief.toegang import beleid, organisatie
from archief.toegang.access import target_of
from policies.check import check
from policies.engine import RECORD_ACTIONS, SYSTEM_ACTIONS, Policy, PolicyTexts
from policies.subject import ANONIEM, Subject

policy_app = typer.Typer(help="Check, explain and load the access policy.", no_args_is_help=True)
organisatie_app = typer.Typer(help="The organisation: diensten and afdelingen.")
out = Console()
err = Console(stderr=True)


def _settings() -> Settings:
    # Imported late: the main CLI module imports this one.
    from archief.cli import _settings as load  # noqa: PLC0415

    return load(None)


def _texts(regels: Path | None, lagen: Path | None, model: Path | None) -> PolicyTexts:
    default = PolicyTexts.default()
    try:
        return PolicyTexts(
            model=model.read_text(encoding="utf-8") if model else default.model,
            regels=regels.read_text(encoding="utf-8") if regels else default.regels,
            lagen=lagen.read_text(encoding="utf-8") if lagen else default.lagen,
        )
    except OSError as exc:
        err.print(f"[red]cannot read:[/red] {exc}")
        raise typer.Exit(2) from exc


RegelsArg = Annotated[
    Path | None, typer.Argument(help="Rules file (beleid.csv); default: the shipped one.")
]
LagenOpt = Annotated[Path | None, typer.Option(help="Layers file (lagen.yaml).")]
ModelOpt = Annotated[Path | None, typer.Option(help="casbin model (model.conf).")]


def _matrix(policy: Policy) -> Table:
    table = Table(title="who may read which layer (bereik)")
    table.add_column("rol")
    for laag in policy.laag_codes:
        table.add_column(laag)
    matrix = policy.matrix("read")
    for rol, lagen in sorted(matrix.items()):
        table.add_row(rol, *(", ".join(lagen.get(code, [])) or "-" for code in policy.laag_codes))
    return table


@policy_app.command("check")
def check_cmd(regels: RegelsArg = None, lagen: LagenOpt = None, model: ModelOpt = None) -> None:
    """Validate a policy: syntax, roles, layers, actions, and that search agrees with casbin."""
    report = check(_texts(regels, lagen, model))
    if not report.ok:
        err.print(f"[red]policy refused[/red] ({len(report.problems)} problems):")
        for problem in report.problems:
            err.print(f"  - {problem}")
        raise typer.Exit(1)
    assert report.policy is not None
    out.print(_matrix(report.policy))
    out.print(
        f"[green]ok[/green]: {len(report.policy.rules)} rules, "
        f"{len(report.policy.system_rules)} system rules, {len(report.policy.lagen)} layers; "
        f"{report.decisions_compared} decisions compared between casbin and the search filter, "
        "all equal"
    )


def parse_subject(spec: str) -> Subject:
    """`rol[+rol...][@afdeling]`, or `anoniem`: e.g. `medewerker+leidinggevende@wijkzaken`."""
    if spec in ("anoniem", "publiek"):
        return ANONIEM
    rollen, _, afdeling = spec.partition("@")
    return Subject(
        id=f"cli:{spec}",
        rollen=tuple(r for r in rollen.split("+") if r),
        afdeling=afdeling or None,
    )


@policy_app.command()
def explain(
    subject: Annotated[str, typer.Argument(help="rol[+rol][@afdeling], or anoniem")],
    record: Annotated[str, typer.Argument(help="Record id")],
    action: Annotated[str, typer.Argument(help=f"One of {', '.join(RECORD_ACTIONS)}")],
) -> None:
    """Say why SUBJECT may or may not do ACTION on RECORD, under the live policy."""
    if action not in RECORD_ACTIONS + SYSTEM_ACTIONS:
        err.print(f"[red]unknown action[/red] {action!r}")
        raise typer.Exit(2)
    container = build_container(_settings())
    try:
        container.prepare()
        with container.sessions() as session:
            who = parse_subject(subject)
            if who.afdeling:
                dienst = organisatie.dienst_of(session, who.afdeling)
                if dienst is None:
                    err.print(f"[red]unknown afdeling[/red] {who.afdeling!r}")
                    raise typer.Exit(2)
                who = Subject(who.id, who.rollen, who.afdeling, dienst)
            policy = container.policies.current(session)
            row = session.get(Record, record)
            if row is None:
                err.print(f"[red]no record[/red] {record}")
                raise typer.Exit(2)
            target = target_of(session, row)
        decision = policy.explain(who, target, action)
    finally:
        container.close()
    out.print(
        f"policy version {policy.versie}; record {record} sits in layer {target.laag!r} "
        f"of afdeling {target.afdeling} (dienst {target.dienst})"
    )
    colour = "green" if decision.allowed else "red"
    verdict = "ALLOWED" if decision.allowed else "DENIED"
    out.print(f"[{colour}]{verdict}[/{colour}]: {decision.reason}")
    raise typer.Exit(0 if decision.allowed else 1)


@policy_app.command()
def load(
    regels: Annotated[Path, typer.Argument(help="Rules file (beleid.csv).")],
    lagen: LagenOpt = None,
    model: ModelOpt = None,
    toelichting: Annotated[str, typer.Option(help="Why this change.")] = "",
) -> None:
    """Check and store a new policy version; it governs the next request of every process."""
    texts = _texts(regels, lagen, model)
    container = build_container(_settings())
    try:
        container.prepare()
        with container.sessions.begin() as session:
            row = beleid.store(
                session, texts, by=operator(), now=container.clock.now(), toelichting=toelichting
            )
            versie = row.versie
    except ArchiefError as exc:
        err.print(f"[red]refused:[/red] {exc.detail}")
        for problem in exc.extra.get("problems", []):
            err.print(f"  - {problem}")
        raise typer.Exit(1) from exc
    finally:
        container.close()
    out.print(f"policy version {versie} is live")


@policy_app.command()
def versions() -> None:
    """Every stored policy version."""
    container = build_container(_settings())
    try:
        container.prepare()
        with container.sessions() as session:
            table = Table("versie", "sha256", "by", "at", "toelichting")
            for row in beleid.versions(session):
                table.add_row(
                    str(row.versie),
                    row.sha256[:12],
                    row.created_by,
                    f"{row.created_at:%Y-%m-%d %H:%M}",
                    row.toelichting,
                )
    finally:
        container.close()
    out.print(table)


@organisatie_app.command("load")
def load_organisatie(
    file: Annotated[Path, typer.Argument(help="organisatie.yaml: diensten with afdelingen.")],
) -> None:
    """Add or rename diensten and afdelingen (never delete); reindex when one moved."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        err.print(f"[red]cannot read:[/red] {exc}")
        raise typer.Exit(2) from exc
    container = build_container(_settings())
    try:
        container.prepare()
        with container.sessions.begin() as session:
            report = organisatie.load(session, text, by=operator(), now=container.clock.now())
        if report.verhuisd and container.index is not None:
            from archief.composition import rebuild_documents  # noqa: PLC0415

            # The index holds each record's dienst: records of a moved
            # afdeling are filtered by the old one until rebuilt.
            container.index.rebuild(rebuild_documents(container))
    except ArchiefError as exc:
        err.print(f"[red]refused:[/red] {exc.detail}")
        raise typer.Exit(1) from exc
    finally:
        container.close()
    out.print(
        f"{report.diensten} diensten, {report.afdelingen} afdelingen; "
        f"moved to another dienst: {', '.join(report.verhuisd) or 'none'}"
    )
