# SPDX-License-Identifier: EUPL-1.2
"""A page read twice never gets a scan indexed before its last page is read.

Redis redelivers a task whose worker died between its commit and its ack, so
an OCR page can run twice. The finalize used to be a Celery chord callback,
fired when the result backend had counted as many finished page tasks as the
scan has pages: a page counted twice fired it while another page was still
unread. The content was marked indexed without that page's words, and when
the page was read at last the count had passed the total and nothing
indexed it again. The catalog now says when a scan is ready: the page that
finds no page of its content left unread asks for the finalize, and a
finalize that comes early does nothing.

The steps are called one by one, as workers would run them in this order.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import kombu.exceptions
import pytest

from archief.catalog.models import IngestItem
from archief.composition import Container
from archief.intake.service import ensure_dossier
from archief.ports import TASK_FINALIZE
from ingest import process
from tests.ingest.documents import pdf, scan
from tests.ingest.inhoud import content_row
from tests.ingest.zoeken import hit_pages


def _word() -> str:
    # This test's own word, so that no other record in the index has it.
    return "Kade" + "".join(
        "bdfklmnprst"[int(c, 16) % 11] + "aeiou"[int(c, 16) % 5] for c in uuid.uuid4().hex[:4]
    )


def _hand_in(
    c: Container, tmp_path: Path, kenmerk: str, pages: int
) -> tuple[list[str], IngestItem]:
    """A scan of `pages` pages, each with a word of its own, handed in to a new dossier."""
    words = [_word() for _ in range(pages)]
    path = pdf([scan(["Vergunning voor de", w], noise=False) for w in words], tmp_path / "s.pdf")
    dossier = ensure_dossier(c.sessions, c.clock, kenmerk=kenmerk, titel="t", afdeling="wijkzaken")
    with path.open("rb") as f:
        item = c.intake.receive(f, name="s.pdf", dossier_id=dossier.id, laag="afdeling")
    return words, item


def test_a_page_read_twice_does_not_index_the_scan_before_its_last_page(
    eager: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Filed and stored only: the steps below are this test's to run.
    monkeypatch.setattr(eager.queue, "enqueue", lambda *_args: None)
    words, item = _hand_in(eager, tmp_path, "T-TWEEMAAL", 3)
    sha = item.sha256
    assert sha is not None

    assert process.extract(eager, sha) == [1, 2, 3]
    assert process.ocr_page(eager, sha, 1) is False
    # Page 1 again, as a redelivery: still two pages to go.
    assert process.ocr_page(eager, sha, 1) is False
    assert process.ocr_page(eager, sha, 2) is False
    # A finalize now (what the chord fired here) leaves the scan waiting.
    assert process.finalize(eager, sha) is False
    assert content_row(eager, sha).status == "ocr"
    assert hit_pages(eager, words[0], item) is None

    # The last page read asks for the finalize; a redelivery of it asks again.
    assert process.ocr_page(eager, sha, 3) is True
    assert process.ocr_page(eager, sha, 3) is True
    assert process.finalize(eager, sha) is True
    assert content_row(eager, sha).status == "indexed"
    assert [hit_pages(eager, w, item) for w in words] == [[1], [2], [3]]
    # Indexed: a late redelivery asks for nothing more.
    assert process.ocr_page(eager, sha, 2) is False


def test_a_broker_that_refuses_the_finalize_is_a_service_away_not_a_fault(
    eager: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last page queues the finalize itself now: a broker that will not
    # take it must be retried like any service away, not quarantine the scan.
    finish = eager.queue.app.tasks[TASK_FINALIZE]  # type: ignore[attr-defined]
    real = finish.apply_async
    refused: list[tuple[Any, ...]] = []

    def flaky(*args: Any, **kwargs: Any) -> object:
        if not refused:
            refused.append(args)
            raise kombu.exceptions.OperationalError("Error 111 connecting to redis. Refused.")
        return real(*args, **kwargs)

    monkeypatch.setattr(finish, "apply_async", flaky)
    words, item = _hand_in(eager, tmp_path, "T-BROKER", 2)
    assert item.sha256 is not None
    assert refused, "the finalize was never queued by a page"
    content = content_row(eager, item.sha256)
    assert (content.status, content.reason_code, content.quarantined) == ("indexed", None, False)
    assert [hit_pages(eager, w, item) for w in words] == [[1], [2]]
