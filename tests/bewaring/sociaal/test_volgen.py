# SPDX-License-Identifier: EUPL-1.2
"""`archief sociaal importeer|volg` and the scheduled connector, on the real stack.

The outbox is a local HTTP server (conftest.py) serving pages written here;
the catalog, MinIO and Elasticsearch are the run's own. Tasks run in-process.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from archief.bewaring.sociaal.warc import lees_warc
from archief.catalog.models import Record, SociaalBericht
from archief.cli import app
from archief.composition import Container
from archief.intake.service import ensure_dossier
from archief.settings import Settings, SociaalAccount, SociaalSettings
from archief.storage.common import original_key
from ingest.priorities import SCHEDULED_PRIORITY
from ingest.sociaal_tasks import TASK_SOCIAAL, volg_alle
from ingest.worker import create_celery
from tests.bewaring.sociaal import exporten
from tests.bewaring.sociaal.conftest import Instance, Route
from tests.conftest import settings_env

OUTBOX = "/users/gemeente/outbox"


def _dossier(c: Container) -> tuple[str, str]:
    kenmerk = f"T-SOC-{uuid.uuid4().hex[:8]}"
    dossier = ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="communicatie"
    )
    return kenmerk, dossier.id


def _rows(c: Container, dossier_id: str) -> dict[str, SociaalBericht]:
    with c.sessions() as session:
        rows = session.scalars(
            select(SociaalBericht).where(SociaalBericht.dossier_id == dossier_id)
        )
        return {r.platform_id: r for r in rows}


def _serve(instance: Instance, items: list[dict[str, Any]]) -> None:
    instance.routes.clear()
    instance.routes.update(
        {p: Route(body=b) for p, b in exporten.outbox_pages(instance.base, OUTBOX, items).items()}
    )


def _count(output: str, label: str) -> int:
    """The number in the summary table's row for `label`."""
    row = next(x for x in output.splitlines() if x.strip("│ ").startswith(label))
    return int(row.strip().strip("│").split("│")[-1])


def _cli(settings: Settings, *args: str) -> Any:
    env = {**settings_env(settings), "COLUMNS": "250"}
    return CliRunner().invoke(app, ["sociaal", *args], env=env)


def test_importeer_prints_a_summary_and_exits_by_outcome(
    eager: Container, eager_settings: Settings, tmp_path: Path
) -> None:
    t = exporten.tag()
    archief = exporten.twitter_archief(tmp_path / "archief", t, met_account_js=False)
    kenmerk, dossier_id = _dossier(eager)
    args = ["importeer", "--bron", "twitter", str(archief.root), "--dossier", kenmerk]

    # tweets.js does not name its account, and this archive has no account.js.
    refused = _cli(eager_settings, *args)
    assert refused.exit_code == 2, refused.output
    assert "--account" in refused.output

    first = _cli(eager_settings, *args, "--account", archief.account, "--warc")
    assert first.exit_code == 0, first.output
    assert (_count(first.output, "opgeslagen"), _count(first.output, "dubbel")) == (4, 0)
    assert _count(first.output, "media opgeslagen") == 1
    assert "WARC: record" in first.output
    assert len(_rows(eager, dossier_id)) == 4

    again = _cli(eager_settings, *args, "--account", archief.account)
    assert again.exit_code == 0, again.output
    assert (_count(again.output, "opgeslagen"), _count(again.output, "dubbel")) == (0, 4)

    broken = tmp_path / "kapot.xml"
    broken.write_bytes(b'<?xml version="1.0"?><rss><channel><item><guid>x</guid>')
    failed = _cli(eager_settings, "importeer", "--bron", "feed", str(broken), "--dossier", kenmerk)
    assert failed.exit_code == 1, failed.output
    assert _count(failed.output, "mislukt") == 1
    assert "ongeldige_export" in failed.output and "kapot.xml" in failed.output

    unknown = _cli(eager_settings, *args, "--account", "x", "--dossier", f"GEEN-{t}")
    assert unknown.exit_code == 2 and "no dossier" in unknown.output
    layer = _cli(eager_settings, *args, "--account", "x", "--laag", "kelder")
    assert layer.exit_code == 2 and "unknown layer" in layer.output


def test_volg_files_the_new_posts_of_an_outbox(
    eager: Container, eager_settings: Settings, instance: Instance
) -> None:
    t = exporten.tag()
    actor = f"https://social-{t}.voorbeeldstad.nl/users/gemeente"
    _serve(instance, exporten.mastodon_items(actor, t))
    kenmerk, dossier_id = _dossier(eager)
    args = ["volg", "--outbox", instance.outbox, "--dossier", kenmerk]

    first = _cli(eager_settings, *args)
    assert first.exit_code == 0, first.output
    assert "gestopt: einde" in first.output
    assert set(_rows(eager, dossier_id)) == {f"{actor}/statuses/{n}" for n in (1, 2, 3)}

    again = _cli(eager_settings, *args)
    assert again.exit_code == 0 and "gestopt: bekend" in again.output

    instance.routes[OUTBOX] = Route(status=500, body=b"{}")
    down = _cli(eager_settings, *args)
    assert down.exit_code == 2 and "ophalen_mislukt" in down.output


def test_the_scheduled_task_polls_every_account_and_stops_at_known_posts(
    eager: Container, eager_settings: Settings, instance: Instance
) -> None:
    t = exporten.tag()
    actor = f"https://social-{t}.voorbeeldstad.nl/users/gemeente"
    items = exporten.mastodon_items(actor, t)
    _serve(instance, items)
    kenmerk, dossier_id = _dossier(eager)
    sociaal = SociaalSettings(
        accounts=[
            # A broken account first: the others must still be polled.
            SociaalAccount(outbox=f"{instance.base}/users/weg/outbox", dossier=kenmerk),
            SociaalAccount(outbox=instance.outbox, dossier=kenmerk, laag="organisatie"),
        ],
        cron="*/5 * * * *",
    )
    settings = eager_settings.model_copy(
        update={"bewaring": eager_settings.bewaring.model_copy(update={"sociaal": sociaal})}
    )

    first = volg_alle(eager, settings)

    assert first[0]["outbox"].endswith("/users/weg/outbox")
    assert first[0]["fout"] == "ophalen_mislukt"
    assert (first[1]["opgeslagen"], first[1]["gestopt"], first[1]["paginas"]) == (3, "einde", 3)
    rows = _rows(eager, dossier_id)
    assert set(rows) == {f"{actor}/statuses/{n}" for n in (1, 2, 3)}
    with eager.sessions() as session:
        layers = {
            session.scalar(select(Record.laag).where(Record.id == r.record_id))
            for r in rows.values()
        }
        warc = session.get(Record, first[1]["warc_id"])
        assert warc is not None
        warc_sha = warc.sha256
    assert layers == {"organisatie"}
    # The poll's WARC keeps each HTTP response, and each post as a resource tied to its page.
    with eager.store.open(original_key(warc_sha)) as f:
        records = list(lees_warc(io.BytesIO(f.read())))
    responses = {r.record_id: r for r in records if r.type == "response"}
    assert sorted(r.target_uri or "" for r in responses.values()) == sorted(
        instance.base + p for p in instance.routes
    )
    resources = [r for r in records if r.type == "resource"]
    assert len(resources) == 3
    assert all(r.headers["WARC-Concurrent-To"] in responses for r in resources)

    # The next poll stops at the first page of known posts.
    instance.requests.clear()
    second = volg_alle(eager, settings)
    assert (second[1]["opgeslagen"], second[1]["gestopt"]) == (0, "bekend")
    assert [r for r in instance.requests if r.startswith(OUTBOX)] == [OUTBOX, f"{OUTBOX}?page=1"]

    # A new post on top: only it is filed.
    new = exporten.mastodon_note(actor, t, 4, "<p>Nieuw bericht.</p>", "2024-04-22T08:00:00Z")
    _serve(instance, [new, *items])
    third = volg_alle(eager, settings)
    assert (third[1]["opgeslagen"], third[1]["dubbel"]) == (1, 0)
    assert f"{actor}/statuses/4" in _rows(eager, dossier_id)

    # The worker's Celery app schedules the task and runs the same function.
    celery = create_celery(settings)
    entry = celery.conf.beat_schedule["bewaring-sociaal"]
    assert entry["task"] == TASK_SOCIAAL
    assert entry["schedule"].minute == set(range(0, 60, 5))
    # A post can be deleted before the next poll: the poll passes an OCR backlog.
    assert entry["options"]["priority"] == SCHEDULED_PRIORITY
    result = celery.tasks[TASK_SOCIAAL].apply().get()
    assert (result[1]["opgeslagen"], result[1]["gestopt"]) == (0, "bekend")
    assert "bewaring-sociaal" not in (create_celery(eager_settings).conf.beat_schedule or {})
