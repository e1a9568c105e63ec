# SPDX-License-Identifier: EUPL-1.2
"""A record is indexed as soon as its own pages are read, not after later documents' pages.

Through the real Redis broker and a real worker process: queue order is what
is tested, which eager mode cannot show.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery.exceptions import Retry
from sqlalchemy import text

from archief.composition import Container, build_container
from archief.intake import bulk
from archief.intake.service import ensure_dossier
from archief.ports import TASK_EXTRACT, TASK_FINALIZE
from archief.settings import QueueSettings, Settings
from ingest.priorities import INDEX_PRIORITY, OCR_PRIORITY
from ingest.worker import TASK_OCR_PAGE, create_celery
from tests.conftest import settings_env
from tests.ingest.documents import pdf, scan
from tests.ingest.workers import stop

# Redis database 9 is this module's own (bench/ingest uses 12, other tests 11, 13-15).
DB = "/9"
# kombu keeps one Redis list per priority step: "celery" for 0, "celery\x06\x16N" for N.
SEP = b"\x06\x16"

# Every page read and every status change of a content, in commit order
# (one worker process runs one task at a time).
LOG_CHANGES = """
create table test_volgorde (seq bigserial primary key, sha256 text, event text);
create function test_page_done() returns trigger language plpgsql as $$ begin
  if new.done and not old.done then
    insert into test_volgorde (sha256, event) values (new.sha256, 'page');
  end if;
  return new;
end $$;
create trigger test_page_done after update on page
  for each row execute function test_page_done();
create function test_status() returns trigger language plpgsql as $$ begin
  if new.status is distinct from old.status then
    insert into test_volgorde (sha256, event) values (new.sha256, new.status);
  end if;
  return new;
end $$;
create trigger test_status after update on content
  for each row execute function test_status();
"""


def _broker(settings: Settings) -> str:
    return (settings.queue.broker_url or "").rsplit("/", 1)[0] + DB


@pytest.fixture
def flushed(settings: Settings) -> Iterator[redis.Redis]:
    r = redis.Redis.from_url(_broker(settings))
    r.flushdb()
    yield r
    r.flushdb()


def _lists(r: redis.Redis) -> dict[bytes, list[bytes]]:
    # redis-py types replies as bytes | str (and awaitables); this client gives bytes.
    keys: list[bytes] = r.keys("celery*")  # type: ignore[assignment]
    return {k: r.lrange(k, 0, -1) for k in keys if r.type(k) == b"list"}  # type: ignore[misc]


def _message(raw: bytes | str) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
    message = json.loads(raw)
    args, _kwargs, embed = json.loads(base64.b64decode(message["body"]))
    return message["headers"], args, embed


def _scans(path: Path, title: str, pages: int) -> Path:
    # Short lines on small pages: tesseract reads each in a fraction of a second.
    lines = [scan([f"{title} blad {n}"], noise=False) for n in range(1, pages + 1)]
    return pdf(lines, path)


def test_a_finished_document_is_indexed_before_later_documents_pages(
    own: tuple[Container, Settings],
    container: Container,  # the run's search index exists
    flushed: redis.Redis,
    tmp_path: Path,
) -> None:
    mine, settings = own
    settings = settings.model_copy(update={"queue": QueueSettings(broker_url=_broker(settings))})
    with mine.engine.begin() as conn:
        conn.execute(text(LOG_CHANGES))
    queued = build_container(settings)
    try:
        dossier = ensure_dossier(
            queued.sessions, queued.clock, kenmerk="T-VOLGORDE", titel="v", afdeling="wijkzaken"
        )
        shas = []
        # Both are queued before any worker runs: a batch handed in at once.
        for name, pages in (("eerste", 3), ("tweede", 3)):
            with _scans(tmp_path / f"{name}.pdf", name, pages).open("rb") as f:
                item = queued.intake.receive(
                    f, name=f"{name}.pdf", dossier_id=dossier.id, laag="afdeling"
                )
            assert item.sha256 is not None
            shas.append(item.sha256)
        first = shas[0]
        worker = subprocess.Popen(
            [sys.executable, "-m", "archief.cli", "worker", "--concurrency", "1"],
            env={**os.environ, **settings_env(settings)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            done = bulk.wait(queued, set(shas), lambda _p: None, timeout=240)
        finally:
            stop(worker)
        assert (done.contents_done, done.pages_done) == (2, 6)
        with mine.engine.connect() as conn:
            events = [
                (("eerste" if sha == first else "tweede"), event)
                for sha, event in conn.execute(
                    text("select sha256, event from test_volgorde order by seq")
                )
            ]
    finally:
        queued.close()
    reading = [e for e in events if e[1] in ("page", "indexed")]
    # The first document's finalize is not parked behind the second's pages:
    # it is indexed the moment its last page is read.
    assert reading == [
        *[("eerste", "page")] * 3,
        ("eerste", "indexed"),
        *[("tweede", "page")] * 3,
        ("tweede", "indexed"),
    ], events


def test_pages_their_retries_and_the_finalize_carry_their_priorities(
    settings: Settings, container: Container, flushed: redis.Redis, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"queue": QueueSettings(broker_url=_broker(settings))})
    queued = build_container(settings)
    try:
        dossier = ensure_dossier(
            queued.sessions, queued.clock, kenmerk="T-PRIO", titel="p", afdeling="wijkzaken"
        )
        with _scans(tmp_path / "prio.pdf", "prioriteit", 2).open("rb") as f:
            item = queued.intake.receive(f, name="prio.pdf", dossier_id=dossier.id, laag="afdeling")
        sha = item.sha256
        assert sha is not None
        (extract,) = _lists(flushed).pop(b"celery")
        assert _message(extract)[0]["task"] == TASK_EXTRACT
        flushed.delete(b"celery")
        # The extraction, run here as a worker would, queues the pages on the OCR
        # step, with no chord: the finalize is the last page's to queue.
        app = create_celery(settings)
        app.tasks[TASK_EXTRACT].apply(args=(sha,)).get()
        ocr_list = b"celery" + SEP + str(OCR_PRIORITY).encode()
        assert set(_lists(flushed)) == {ocr_list}
        pages = [_message(raw) for raw in flushed.lrange(ocr_list, 0, -1)]
        assert sorted(args[1] for _h, args, _e in pages) == [1, 2]
        for headers, _args, embed in pages:
            assert headers["task"] == TASK_OCR_PAGE
            assert not embed.get("chord")
        flushed.delete(ocr_list)

        # A page whose OCR engine is away is retried on the same step, also
        # when its message came without a priority (queued before there were any).
        away = settings.model_copy(
            update={"ocr": settings.ocr.model_copy(update={"tesseract_cmd": "/nonexistent/tess"})}
        )
        ocr = create_celery(away).tasks[TASK_OCR_PAGE]
        ocr.push_request(
            id="retry-me",
            args=[sha, 1],
            kwargs={},
            retries=0,
            called_directly=False,
            is_eager=False,
            delivery_info={"exchange": "", "routing_key": "celery", "priority": None},
        )
        try:
            with pytest.raises(Retry):
                ocr.run(sha, 1)
        finally:
            ocr.pop_request()
        ((where, (retried,)),) = _lists(flushed).items()
        headers, args, _embed = _message(retried)
        assert (where, headers["task"], args, headers["retries"]) == (
            ocr_list,
            TASK_OCR_PAGE,
            [sha, 1],
            1,
        )
        flushed.delete(where)

        # The first page read queues nothing; the second, the last one, queues
        # the finalize on the index step (0), ahead of every OCR page.
        ocr_task = app.tasks[TASK_OCR_PAGE]
        ocr_task.apply(args=(sha, 2)).get()
        assert _lists(flushed) == {}
        ocr_task.apply(args=(sha, 1)).get()
        ((where, (finish,)),) = _lists(flushed).items()
        headers, args, _embed = _message(finish)
        index_list = b"celery" + (SEP + str(INDEX_PRIORITY).encode() if INDEX_PRIORITY else b"")
        assert (where, headers["task"], args) == (index_list, TASK_FINALIZE, [sha])
    finally:
        queued.close()
