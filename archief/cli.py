# SPDX-License-Identifier: EUPL-1.2
"""The `archief` command line: serve, worker, demo, status, migrate."""

from __future__ import annotations

import atexit
import ctypes
import gc
import importlib
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer import _click
from typer.core import TyperGroup

# Start-up time matters: `archief ingest` is run per batch and benchmarked
# from upload to searchable. So modules a command needs are imported in that
# command, and the sub-command groups (audit, besluit, bewaring, ...) only
# when named.
if TYPE_CHECKING:
    from archief.composition import Container
    from archief.errors import PortError
    from archief.intake import bulk
    from archief.settings import Settings

# name: (module, attribute, help). The help is here, not only on the group, so
# that `archief --help` lists every group without importing any of them.
GROUPS: dict[str, tuple[str, str, str]] = {
    "policy": ("archief.cli_toegang", "policy_app", "Check, explain and load the access policy."),
    "organisatie": (
        "archief.cli_toegang",
        "organisatie_app",
        "The organisation: diensten and afdelingen.",
    ),
    "audit": ("archief.audit.cli", "app", "The audit trail: verify, anchor, show."),
    "besluit": ("archief.besluiten.cli", "app", "Besluiten: the besluitnota workflow."),
    "bewaring": ("archief.bewaring.cli_blokkade", "app", "Retention: legal holds and fixity."),
    "selectielijst": (
        "archief.bewaring.cli",
        "app",
        "The selectielijst: retention categories, nominatie and terms.",
    ),
    "fixiteit": (
        "archief.bewaring.cli_fixiteit",
        "app",
        "Fixity: stored originals against their SHA-256.",
    ),
    "vernietiging": (
        "archief.bewaring.vernietiging.cli",
        "app",
        "Destruction lists: propose, review, execute.",
    ),
    "overbrenging": (
        "archief.bewaring.overbrenging.cli",
        "app",
        "Transfer permanent records: MDTO + BagIt.",
    ),
    "sociaal": ("archief.bewaring.sociaal.cli", "app", "Social media: capture posts as records."),
    "reconstrueer": (
        "archief.reconstructie.cli",
        "app",
        "A dossier as it was on a date (ombudsman).",
    ),
}


def load_group(name: str) -> _click.Command:
    """Import the sub-command group `name` (from GROUPS) and build its command."""
    module, attribute, help_text = GROUPS[name]
    holder = typer.Typer()
    holder.add_typer(getattr(importlib.import_module(module), attribute), name=name, help=help_text)
    return typer.main.get_group(holder).commands[name]


class _Deferred(TyperGroup):
    """A sub-command group as `--help` lists it; the real one is imported when it is used.

    Listing a group asks for its command, and importing them all (most pull
    in the composition root) made `archief --help` take two seconds.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name=name, help=GROUPS[name][2])

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: _click.Context | None = None,
        **extra: Any,
    ) -> _click.Context:
        # The context (and so every later step) belongs to the real group.
        return load_group(str(self.name)).make_context(info_name, args, parent=parent, **extra)


class _LazyGroups(TyperGroup):
    """The top-level group: a sub-command group is imported when it is used, not when listed."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in GROUPS if n not in self.commands)]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in self.commands and cmd_name in GROUPS:
            self.commands[cmd_name] = _Deferred(cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: _click.Context) -> Any:
        # Every command, groups included: a service that is away is a message
        # and an exit status a script can test, not a page of traceback.
        try:
            return super().invoke(ctx)
        except Exception as exc:
            away = _service_away(exc)
            if away is None:
                raise
            console.print(f"[red]error:[/red] {away.detail}")
            console.print("[dim]is the stack up? `make up`, then `archief status`[/dim]")
            raise typer.Exit(EXIT_SERVICE_AWAY) from None


# sysexits.h EX_UNAVAILABLE: a service the command needs is not there.
EXIT_SERVICE_AWAY = 69


def _service_away(exc: BaseException) -> PortError | None:
    """The service that is away, when that is what `exc` means; None for anything else."""
    from archief.catalog.db import unavailable  # noqa: PLC0415
    from archief.errors import PortError  # noqa: PLC0415

    if isinstance(exc, PortError):
        return exc
    return unavailable(exc)


app = typer.Typer(
    cls=_LazyGroups, help="archief: het geheugen van de gemeente.", no_args_is_help=True
)
console = Console(stderr=True)
DEFAULT_ENV_FILE = Path("var/archief.env")
# At exit the interpreter collects the whole heap of a loaded CLI (SQLAlchemy,
# Celery, Elasticsearch, ...) while it tears the modules down: about half a
# second spent on memory the process is about to give back anyway. Freezing
# it first (after the atexit handlers that flush and close) skips that.
atexit.register(gc.freeze)


def _settings(env_file: Path | None) -> Settings:
    """Settings from the environment, plus the local stack's env file if there is one."""
    from archief.logging import configure_logging  # noqa: PLC0415
    from archief.settings import load_settings  # noqa: PLC0415

    path = env_file or Path(os.environ.get("ARCHIEF_ENV_FILE", DEFAULT_ENV_FILE))
    settings = load_settings(path)
    configure_logging(settings.log_level, settings.log_format)
    if path.exists():
        console.print(f"[dim]settings: environment + {path}[/dim]")
    return settings


EnvFile = Annotated[
    Path | None,
    typer.Option(
        "--env-file", help="Settings file (default: $ARCHIEF_ENV_FILE or var/archief.env)."
    ),
]


@app.command()
def serve(
    env_file: EnvFile = None,
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Serve the HTTP API."""
    import uvicorn  # noqa: PLC0415  # only this command needs the server

    from archief.app import create_app  # noqa: PLC0415

    settings = _settings(env_file)
    uvicorn.run(
        create_app(settings),
        host=host or settings.api.host,
        port=port or settings.api.port,
        log_level=settings.log_level.lower(),
    )


@app.command()
def worker(
    env_file: EnvFile = None,
    concurrency: Annotated[
        int, typer.Option(help="Worker processes (default: one per core).")
    ] = os.cpu_count() or 1,
    queues: Annotated[str, typer.Option(help="Comma-separated queues to consume.")] = "celery",
    beat: Annotated[
        bool, typer.Option(help="Also run the scheduler (fixity); one per deployment.")
    ] = False,
) -> None:
    """Run a Celery worker for ingest tasks (and, with --beat, the scheduled retention work)."""
    from ingest.worker import create_celery  # noqa: PLC0415

    settings = _settings(env_file)
    if settings.queue.broker_url is None:
        console.print("[red]error:[/red] no broker configured (ARCHIEF_QUEUE__BROKER_URL)")
        raise typer.Exit(2)
    create_celery(settings).worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={queues}",
            "--loglevel=INFO",
            *(["--beat"] if beat else []),
        ]
    )


@app.command()
def migrate(env_file: EnvFile = None) -> None:
    """Bring the catalog schema up to date; a new one gets the default organisation and policy."""
    from archief.composition import build_container  # noqa: PLC0415

    container = build_container(_settings(env_file))
    try:
        container.migrate()
    finally:
        container.close()
    console.print("[green]catalog migrated[/green]")


@app.command()
def status(env_file: EnvFile = None) -> None:
    """Check every service archief depends on; exit 1 if any fails."""
    from rich.table import Table  # noqa: PLC0415

    from archief.composition import build_container  # noqa: PLC0415
    from archief.health import run_checks  # noqa: PLC0415

    container = build_container(_settings(env_file))
    ok, report = run_checks(container.checks())
    table = Table("service", "status", "detail")
    colour = {"ok": "green", "disabled": "yellow", "failing": "red"}
    for name, row in report.items():
        table.add_row(
            name, f"[{colour[row['status']]}]{row['status']}[/]", str(row.get("detail", ""))
        )
    Console().print(table)
    raise typer.Exit(0 if ok else 1)


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: a worker started for one command must not outlive it,
    # even when the command is killed before its cleanup runs (uvicorn
    # re-raises SIGTERM after its own shutdown).
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _start_workers(count: int, env_file: Path | None) -> list[subprocess.Popen[bytes]]:
    """Start local worker processes for the duration of a command."""
    args = [sys.executable, "-m", "archief.cli", "worker", "--concurrency", "1"]
    if env_file is not None:
        args += ["--env-file", str(env_file)]
    log_dir = Path("var/log")
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    for i in range(count):
        with (log_dir / f"worker-{i + 1}.log").open("ab") as out:
            procs.append(
                subprocess.Popen(  # noqa: S603  # our own interpreter and module
                    args,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent,  # noqa: PLW1509  # prctl only, no threads touched
                )
            )
    return procs


def _stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _run_ingest(
    container: Container,
    paths: list[Path],
    *,
    dossier_id: str,
    laag: str,
    wait_for_processing: bool,
    answer_within: float | None = None,
) -> bulk.Summary:
    """Store every file, then (with `wait_for_processing`) show the workers reading them.

    With `answer_within`, the waiting needs a worker: if none has taken up a
    file by the time the last one is stored, one is pinged, and without an
    answer in that many seconds the run ends rather than wait for nobody.
    """
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from archief.audit.chain import operator  # noqa: PLC0415
    from archief.intake import bulk  # noqa: PLC0415

    files = list(bulk.walk(paths))
    started = container.clock.now()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("storing", total=len(files), rate="")
        summary = bulk.ingest_paths(
            container,
            files,
            dossier_id=dossier_id,
            laag=laag,
            on_file=lambda _p, _i: bar.advance(task),
            actor=operator(),
        )
        if (
            wait_for_processing
            and summary.shas
            and answer_within is not None
            and not _worker_answers(container, summary.shas, started, answer_within)
        ):
            console.print(
                "[yellow]no worker answered:[/yellow] files are stored and will be read when "
                "one runs (`archief worker`, or pass --workers N); not waiting"
            )
            wait_for_processing = False
        if wait_for_processing and summary.shas:
            started_reading = time.monotonic()
            pages = bar.add_task("reading", total=None, rate="")

            def show(p: bulk.Progress) -> None:
                minutes = max(time.monotonic() - started_reading, 1e-6) / 60
                bar.update(
                    pages,
                    completed=p.pages_done,
                    total=max(p.pages_known, 1),
                    rate=f"{p.pages_done / minutes:.0f} pages/min, "
                    f"{p.contents_done}/{p.contents_total} documents",
                )

            stall = container.settings.ingest.stuck_after_seconds
            final = bulk.wait(container, summary.shas, show, stall=stall)
            if final.contents_done < final.contents_total:
                console.print(
                    f"[yellow]stopped waiting:[/yellow] nothing moved for {stall}s; "
                    "see `archief ingest-status`, and `archief resume` once workers run"
                )
    _print_summary(container, summary, wait_for_processing)
    return summary


def _print_summary(container: Container, summary: bulk.Summary, waited: bool) -> None:
    from rich.table import Table  # noqa: PLC0415

    from archief.intake import bulk  # noqa: PLC0415

    rows = bulk.outcomes(container, summary.item_ids)
    counts: dict[str, int] = {}
    for _name, status_, _code, _reason in rows:
        counts[status_] = counts.get(status_, 0) + 1
    console.print(
        f"stored {summary.stored}, duplicates {summary.duplicates}, "
        f"already in (resumed) {summary.skipped}, failed at intake {len(summary.failed)}"
    )
    if waited:
        console.print("now: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    failures = [(n, c or "", r or "") for n, s, c, r in rows if s == "failed"]
    failures += [f for f in summary.failed if f not in failures]
    if failures:
        table = Table(
            "file", "code", "reason", title="failed (quarantined where the file is the cause)"
        )
        for name, code, reason in failures:
            table.add_row(name, code, reason[:120])
        console.print(table)


def _worker_answers(container: Container, shas: set[str], since: datetime, timeout: float) -> bool:
    """Whether a worker runs: one took up a file of this run, or answers a ping in time.

    Asked once the files are stored, not before: in the usual run a worker
    has taken up a file by then, which answers the question without the
    ping's round trip (about 0.15 s in which nothing else happened). The
    ping queues behind this run's own extracts, so a worker that took one
    up meanwhile counts as an answer too.
    """
    from archief.errors import PortError  # noqa: PLC0415
    from archief.intake import bulk  # noqa: PLC0415

    if bulk.taken_up(container, shas, since):
        return True
    try:
        container.queue.ping(timeout=timeout)
    except PortError:
        return bulk.taken_up(container, shas, since)
    return True


@app.command()
def ingest(  # noqa: PLR0917  # Typer maps each parameter to an option
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to ingest.")],
    dossier: Annotated[str, typer.Option(help="Kenmerk of the dossier (created if new).")],
    layer: Annotated[str, typer.Option(help="Layer (laag) the records go into.")],
    titel: Annotated[str | None, typer.Option(help="Title of a new dossier.")] = None,
    afdeling: Annotated[
        str | None, typer.Option(help="Owning afdeling (code) of a new dossier.")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until everything is searchable.")
    ] = True,
    workers: Annotated[
        int, typer.Option(help="Start this many local worker processes for the run.")
    ] = 0,
    env_file: EnvFile = None,
) -> None:
    """Ingest a backlog: store, OCR and index files, resumably, with progress."""
    from archief.audit.chain import operator  # noqa: PLC0415
    from archief.composition import build_container  # noqa: PLC0415
    from archief.errors import ArchiefError  # noqa: PLC0415
    from archief.intake.service import ensure_dossier  # noqa: PLC0415

    settings = _settings(env_file)
    container = build_container(settings)
    container.prepare()
    try:
        with container.sessions() as session:
            known = container.policies.current(session).laag_codes
        if layer not in known:
            console.print(f"[red]refused:[/red] unknown layer {layer!r}; known: {', '.join(known)}")
            container.close()
            raise typer.Exit(2)
        record = ensure_dossier(
            container.sessions,
            container.clock,
            kenmerk=dossier,
            titel=titel or dossier,
            afdeling=afdeling,
            actor=operator(),
        )
    except ArchiefError as exc:
        console.print(f"[red]refused:[/red] {exc.detail}")
        container.close()
        raise typer.Exit(2) from exc
    procs = _start_workers(workers, env_file) if workers and settings.queue.broker_url else []
    try:
        summary = _run_ingest(
            container,
            paths,
            dossier_id=record.id,
            laag=layer,
            wait_for_processing=wait,
            # Workers started here may take a while to come up.
            answer_within=(60 if procs else 10) if settings.queue.broker_url else None,
        )
    finally:
        _stop_workers(procs)
        container.close()
    raise typer.Exit(1 if summary.failed and not (summary.stored or summary.duplicates) else 0)


@app.command()
def resume(env_file: EnvFile = None) -> None:
    """Hand on content stored but never processed, failed while a service was away, or stuck."""
    from archief.composition import build_container  # noqa: PLC0415
    from archief.intake import repository as intake_repo  # noqa: PLC0415
    from archief.ports import TASK_EXTRACT  # noqa: PLC0415

    settings = _settings(env_file)
    container = build_container(settings)
    before = container.clock.now() - timedelta(seconds=settings.ingest.stuck_after_seconds)
    with container.sessions() as session:
        todo = [c.sha256 for c in intake_repo.resumable(session, before)]
    for sha in todo:
        container.queue.enqueue(TASK_EXTRACT, sha)
    console.print(f"handed on {len(todo)} documents")


@app.command()
def thumbnails(
    dossier: Annotated[
        str | None, typer.Option(help="Only the records of this dossier (kenmerk).")
    ] = None,
    env_file: EnvFile = None,
) -> None:
    """Queue page thumbnails for indexed records that lack some (after an upgrade, or a loss).

    Drawing waits at the lowest priority behind every upload, and a content
    whose pages are all drawn costs its task one listing, so running this
    twice, or while workers draw, does no harm.
    """
    from rich.progress import track  # noqa: PLC0415
    from sqlalchemy import select  # noqa: PLC0415

    from archief.catalog.models import Content, Record  # noqa: PLC0415
    from archief.composition import build_container  # noqa: PLC0415
    from archief.records import afgeleiden  # noqa: PLC0415
    from archief.records import repository as records  # noqa: PLC0415
    from archief.storage.common import derived_key  # noqa: PLC0415
    from ingest import process  # noqa: PLC0415
    from ingest.worker import TASK_THUMBNAILS  # noqa: PLC0415

    container = build_container(_settings(env_file))
    query = select(Content.sha256, Content.media_type, Content.page_count).where(
        Content.status == "indexed"
    )
    if dossier is not None:
        with container.sessions() as session:
            found = records.dossier_by_kenmerk(session, dossier)
        if found is None:
            console.print(f"[red]refused:[/red] no dossier with kenmerk {dossier}")
            raise typer.Exit(2)
        query = query.where(
            Content.sha256.in_(select(Record.sha256).where(Record.dossier_id == found.id))
        )
    with container.sessions() as session:
        rows = session.execute(query.order_by(Content.sha256)).all()
    queued = complete = 0
    # One listing per record: on a large archive that takes a while, so show it.
    for sha256, media_type, pages in track(rows, description="checking", console=console):
        if not process.drawable(media_type):
            continue
        have = set(container.store.list_keys(derived_key(sha256, "thumbnail-")))
        if all(afgeleiden.thumbnail_key(sha256, n) in have for n in range(1, (pages or 0) + 1)):
            complete += 1
            continue
        container.queue.enqueue(TASK_THUMBNAILS, sha256)
        queued += 1
    container.close()
    console.print(f"queued {queued} records for thumbnails; {complete} have all of theirs")


@app.command("ingest-status")
def ingest_status(env_file: EnvFile = None) -> None:
    """Show processing counts, stuck documents and pages waiting for review."""
    from rich.table import Table  # noqa: PLC0415
    from sqlalchemy import func, select  # noqa: PLC0415

    from archief.catalog.models import Content  # noqa: PLC0415
    from archief.composition import build_container  # noqa: PLC0415
    from archief.intake import repository as intake_repo  # noqa: PLC0415

    settings = _settings(env_file)
    container = build_container(settings)
    before = container.clock.now() - timedelta(seconds=settings.ingest.stuck_after_seconds)
    with container.sessions() as session:
        counts = dict(
            session.execute(select(Content.status, func.count()).group_by(Content.status)).all()
        )
        quarantined = session.scalar(select(func.count()).where(Content.quarantined)) or 0
        retry = intake_repo.failed_for_a_service(session)
        stuck = intake_repo.stuck(session, before)
        review = intake_repo.pages_for_review(session)
    out = Console()
    out.print("documents: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    out.print(f"quarantined: {quarantined}")
    if retry:
        out.print(
            f"failed while a service was away: {retry} (run `archief resume` to read them again)"
        )
    if stuck:
        table = Table("sha256", "status", "since", title="stuck (run `archief resume`)")
        for c in stuck:
            table.add_row(c.sha256[:16], c.status, c.updated_at.isoformat(timespec="seconds"))
        out.print(table)
    if review:
        table = Table("sha256", "page", "confidence", title="low-confidence pages for review")
        for p in review:
            table.add_row(p.sha256[:16], str(p.number), f"{p.confidence or 0:.0f}")
        out.print(table)


@app.command()
def reindex(env_file: EnvFile = None) -> None:
    """Rebuild the search index from the catalog and the object store, then swap the alias."""
    from rich.progress import track  # noqa: PLC0415

    from archief.composition import build_container, rebuild_documents  # noqa: PLC0415

    container = build_container(_settings(env_file))
    if container.index is None:
        console.print("[red]error:[/red] no search index configured (ARCHIEF_SEARCH__URL)")
        raise typer.Exit(2)
    documents = rebuild_documents(container)
    fresh = container.index.rebuild(track(documents, description="reindexing", console=console))
    console.print(f"reindexed into {fresh}; the alias now points there")


@app.command("export-text")
def export_text(
    dossier: Annotated[str, typer.Option(help="Kenmerk of the dossier.")],
    out: Annotated[Path, typer.Option(help="Directory to write <name>/page-0001.txt into.")],
    env_file: EnvFile = None,
) -> None:
    """Write the extracted text of every record in a dossier, page by page."""
    from archief.composition import build_container  # noqa: PLC0415
    from archief.records import repository as records_repo  # noqa: PLC0415
    from ingest import process  # noqa: PLC0415

    container = build_container(_settings(env_file))
    with container.sessions() as session:
        found = records_repo.dossier_by_kenmerk(session, dossier)
        if found is None:
            console.print(f"[red]error:[/red] no dossier with kenmerk {dossier}")
            raise typer.Exit(2)
        records = records_repo.records_in_dossier(session, found.id)
        targets = [(Path(r.filename or r.id).stem or r.id, r.sha256) for r in records]
    for stem, sha in targets:
        folder = out / stem
        folder.mkdir(parents=True, exist_ok=True)
        for page in process.page_texts(container, sha):
            (folder / f"page-{page.number:04d}.txt").write_text(page.text, encoding="utf-8")
    console.print(f"wrote the text of {len(targets)} records under {out}")


@app.command()
def demo(
    env_file: EnvFile = None,
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API afterwards.")
    ] = True,
) -> None:
    """Ingest the bundled Dutch samples (scans included), show searches, serve the API."""
    from archief.audit.chain import operator  # noqa: PLC0415
    from archief.composition import build_container  # noqa: PLC0415
    from archief.demo import SAMPLES  # noqa: PLC0415
    from archief.intake.service import ensure_dossier  # noqa: PLC0415
    from archief.ports import SearchQuery  # noqa: PLC0415
    from policies.compile import search_filter  # noqa: PLC0415
    from policies.engine import OPENBAAR  # noqa: PLC0415
    from policies.subject import ANONIEM  # noqa: PLC0415

    settings = _settings(env_file)
    container = build_container(settings)
    container.prepare()
    dossier = ensure_dossier(
        container.sessions,
        container.clock,
        kenmerk="DEMO-2026-001",
        titel="Demo: wijkprojecten Groenstad",
        afdeling="openbare-ruimte",
        actor=operator(),
    )
    procs = _start_workers(2, env_file) if settings.queue.broker_url else []
    try:
        _run_ingest(
            container, [SAMPLES], dossier_id=dossier.id, laag=OPENBAAR, wait_for_processing=True
        )
        base = settings.api.public_url
        if container.index is not None:
            # The index refreshes every second; the demo shows what a user would.
            time.sleep(1.1)
            with container.sessions() as session:
                policy = container.policies.current(session)
            # What the public sees: the filter compiled from the policy for anonymous.
            public = search_filter(policy.grants(ANONIEM))
            for query in DEMO_QUERIES:
                result = container.index.search(SearchQuery(permission=public, text=query))
                console.print(f"search [bold]{query!r}[/bold]: {result.total} hits")
                for hit in result.hits:
                    console.print(f"  - {hit.title} (page {', '.join(map(str, hit.pages))})")
        console.print(
            f"\nAPI:         {base}/docs\n"
            f"health:      {base}/health/ready\n"
            f"try:         curl '{base}/search?q=kastanjebomen'\n"
        )
        if serve_api:
            serve(env_file=env_file, host=None, port=None)
    finally:
        _stop_workers(procs)
        container.close()


# The first words occur only in the scanned samples: hits prove the OCR.
DEMO_QUERIES = ("kastanjebomen", "jongerenwerkers", "besluiten speeltuin")


if __name__ == "__main__":
    app()
