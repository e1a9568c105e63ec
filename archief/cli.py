# SPDX-License-Identifier: EUPL-1.2
"""The `archief` command line: serve, worker, demo, status, migrate."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from archief.composition import build_container
from archief.health import run_checks
from archief.logging import configure_logging
from archief.settings import Settings, load_settings

app = typer.Typer(help="archief: het geheugen van de gemeente.", no_args_is_help=True)
console = Console(stderr=True)
DEFAULT_ENV_FILE = Path("var/archief.env")


def _settings(env_file: Path | None) -> Settings:
    """Settings from the environment, plus the local stack's env file if there is one."""
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
) -> None:
    """Run a Celery worker for ingest tasks."""
    from ingest.worker import create_celery  # noqa: PLC0415

    settings = _settings(env_file)
    if settings.queue.broker_url is None:
        console.print("[red]error:[/red] no broker configured (ARCHIEF_QUEUE__BROKER_URL)")
        raise typer.Exit(2)
    create_celery(settings).worker_main(
        ["worker", f"--concurrency={concurrency}", f"--queues={queues}", "--loglevel=INFO"]
    )


@app.command()
def migrate(env_file: EnvFile = None) -> None:
    """Bring the catalog schema up to date."""
    from archief.catalog import db  # noqa: PLC0415

    container = build_container(_settings(env_file))
    db.migrate(container.engine)
    console.print("[green]catalog migrated[/green]")


@app.command()
def status(env_file: EnvFile = None) -> None:
    """Check every service archief depends on; exit 1 if any fails."""
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


@app.command()
def demo(
    env_file: EnvFile = None,
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API afterwards.")
    ] = True,
) -> None:
    """Ingest the bundled Dutch sample documents, run an example search, serve the API."""
    from archief.demo import SAMPLES  # noqa: PLC0415
    from ingest.pipeline import ingest_file  # noqa: PLC0415

    settings = _settings(env_file)
    container = build_container(settings)
    container.prepare()
    files = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    counts: dict[str, int] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("ingesting samples", total=len(files))
        for path in files:
            outcome = ingest_file(
                container,
                path,
                dossier_kenmerk="DEMO-2026-001",
                dossier_titel="Demo: wijkprojecten Groenstad",
                afdeling="Openbare Ruimte",
                laag="openbaar",
                wijken=("Oosterpark", "Zuid"),
            )
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            if outcome.status == "failed":
                console.print(f"[red]failed[/red] {path.name}: {outcome.reason}")
            progress.advance(task)
    console.print(
        "samples: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + f" of {len(files)}"
    )
    base = settings.api.public_url
    query = "besluiten speeltuin"
    if container.index is not None:
        result = container.index.search(query, filters=[{"term": {"layer": "openbaar"}}])
        console.print(f"example search [bold]{query!r}[/bold]: {result.total} hits")
        for hit in result.hits:
            console.print(f"  - {hit.title} (pages {list(hit.pages)})")
    console.print(
        f"\nAPI:         {base}/docs\n"
        f"health:      {base}/health/ready\n"
        f"try:         curl '{base}/search?q=besluiten+speeltuin'\n"
    )
    container.close()
    if serve_api:
        serve(env_file=env_file, host=None, port=None)


if __name__ == "__main__":
    app()
