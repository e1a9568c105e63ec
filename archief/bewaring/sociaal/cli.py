# SPDX-License-Identifier: EUPL-1.2
"""`archief sociaal importeer|volg`: capture social media posts as records.

Both end with a summary (stored, duplicates, failed with reasons) and exit
1 when anything failed, 2 when the run could not start (no such dossier,
layer, category or export). What was filed stays filed either way; a run
again files only what is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from archief.audit.chain import operator
from archief.bewaring.sociaal import bronnen, volgen
from archief.bewaring.sociaal.archiveren import Archivering, Doel, Uitkomst, Verslag
from archief.composition import Container, build_container
from archief.errors import ArchiefError

app = typer.Typer(no_args_is_help=True)
out = Console()
err = Console(stderr=True)


class Bron(StrEnum):
    twitter = "twitter"
    mastodon = "mastodon"
    facebook = "facebook"
    feed = "feed"


Dossier = Annotated[str, typer.Option(help="Kenmerk of the (existing) dossier the posts go in.")]
Laag = Annotated[
    str | None,
    typer.Option(help="Layer of the records (default: bewaring.sociaal.laag, openbaar)."),
]
Categorie = Annotated[
    str | None,
    typer.Option(help="Selectielijst category (default: bewaring.sociaal.categorie, 20.1)."),
]
Warc = Annotated[bool, typer.Option("--warc", help="Also keep the raw payloads as a WARC record.")]


@app.callback()
def sociaal() -> None:
    """Social media: capture posts as records."""


@contextmanager
def _container() -> Iterator[Container]:
    # Imported late: the main CLI module imports this one.
    from archief.cli import _settings  # noqa: PLC0415

    container = build_container(_settings(None))
    try:
        container.prepare()
        yield container
    finally:
        container.close()


def _doel(container: Container, dossier: str, laag: str | None, categorie: str | None) -> Doel:
    cfg = container.settings.bewaring.sociaal
    return Doel(
        dossier=dossier,
        laag=laag or cfg.laag,
        categorie=categorie if categorie is not None else cfg.categorie,
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]vastleggen[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stand]}"),
        TimeRemainingColumn(),
        console=err,
    )


class _Teller:
    """Advance the bar per post and keep a running tally beside it."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self.bar, self.task = bar, task
        self.tel = {"opgeslagen": 0, "dubbel": 0, "mislukt": 0}

    def __call__(self, uitkomst: Uitkomst) -> None:
        self.tel[uitkomst.status] += 1
        stand = ", ".join(f"{n} {s}" for s, n in self.tel.items() if n)
        self.bar.update(self.task, advance=1, stand=stand)


@app.command("importeer")
def importeer(  # noqa: PLR0917  # Typer maps each parameter to an option
    pad: Annotated[Path, typer.Argument(help="The export: its main file or unpacked folder.")],
    bron: Annotated[Bron, typer.Option(help="The platform the export comes from.")],
    dossier: Dossier,
    laag: Laag = None,
    categorie: Categorie = None,
    warc: Warc = False,
    account: Annotated[
        str | None,
        typer.Option(help="Twitter screen name or Facebook page name; else from the export."),
    ] = None,
) -> None:
    """File every post of a platform export as a record; media files it holds too."""
    with _container() as container:
        try:
            export = bronnen.open_export(bron.value, pad, account=account)
            archivering = Archivering(
                container,
                _doel(container, dossier, laag, categorie),
                bron=f"{bron.value}:{pad.name}",
                actor=operator(),
            )
        except ArchiefError as exc:
            err.print(f"[red]refused:[/red] {exc.detail}", highlight=False)
            raise typer.Exit(2) from exc
        totaal = export.voorbereid()
        with _progress() as bar:
            teller = _Teller(bar, bar.add_task("vastleggen", total=totaal, stand=""))
            verslag = archivering.archiveer(
                export.berichten(archivering.overslaan),
                media=export.media,
                warc=warc,
                voortgang=teller,
            )
    _toon(verslag)
    raise typer.Exit(0 if verslag.in_orde else 1)


@app.command("volg")
def volg(
    outbox: Annotated[str, typer.Option(help="The account's public outbox URL.")],
    dossier: Dossier,
    laag: Laag = None,
    categorie: Categorie = None,
    warc: Warc = False,
) -> None:
    """Poll a Mastodon outbox once and file the posts not filed yet."""
    with _container() as container:
        cfg = container.settings.bewaring.sociaal
        with _progress() as bar:
            teller = _Teller(bar, bar.add_task("vastleggen", total=None, stand=""))
            try:
                gevolgd = volgen.volg(
                    container,
                    outbox,
                    _doel(container, dossier, laag, categorie),
                    actor=operator(),
                    warc=warc,
                    max_paginas=cfg.max_paginas,
                    timeout=cfg.timeout_seconden,
                    voortgang=teller,
                )
            except ArchiefError as exc:
                bar.stop()
                err.print(f"[red]refused:[/red] {exc.code}: {exc.detail}", highlight=False)
                raise typer.Exit(2) from exc
    out.print(
        f"{gevolgd.paginas} pagina('s) opgehaald, gestopt: {gevolgd.gestopt}", highlight=False
    )
    _toon(gevolgd.verslag)
    raise typer.Exit(0 if gevolgd.verslag.in_orde else 1)


def _toon(verslag: Verslag) -> None:
    summary = Table(title=f"Sociale media: {verslag.bron}")
    summary.add_column("uitkomst")
    summary.add_column("aantal", justify="right")
    rows = [
        ("opgeslagen", len(verslag.opgeslagen)),
        ("dubbel (al vastgelegd)", verslag.dubbel),
        ("waarvan gewijzigd", len(verslag.gewijzigd)),
        ("mislukt", len(verslag.mislukt)),
        ("media opgeslagen", verslag.media_opgeslagen),
        ("media alleen als URL", verslag.media_alleen_url),
        ("media met een probleem", len(verslag.media_problemen)),
    ]
    for name, count in rows:
        style = "red" if name in ("mislukt", "media met een probleem") and count else ""
        summary.add_row(name, f"[{style}]{count}[/{style}]" if style else str(count))
    out.print(summary)
    if verslag.warc_id:
        out.print(f"WARC: record {verslag.warc_id}", highlight=False)
    for regel in verslag.waarschuwingen:
        out.print(f"[yellow]let op:[/yellow] {regel}", highlight=False)
    problemen = verslag.mislukt + verslag.media_problemen
    if problemen:
        detail = Table(title="Mislukt (opgeslagen waar een record-id staat, in quarantaine)")
        for column in ("wat", "code", "reden", "record"):
            detail.add_column(column, overflow="fold")
        for u in problemen:
            detail.add_row(u.wat, u.code or "", (u.reden or "")[:160], u.record_id or "")
        out.print(detail)
    if verslag.afgebroken:
        err.print(
            f"[red]afgebroken:[/red] {verslag.afgebroken}; wat is vastgelegd blijft, "
            "een volgende run legt de rest vast",
            highlight=False,
        )
    elif verslag.in_orde:
        out.print("[green]ok:[/green] alles vastgelegd of al aanwezig")
