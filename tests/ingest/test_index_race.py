# SPDX-License-Identifier: EUPL-1.2
"""A record filed while its content is being indexed is indexed too.

Intake files a record for content that is being read without handing
anything on: the reading indexes every record of the content when it
finishes. The finalize after OCR selected the records before it indexed
them, so a record filed in between was missed for good. (A born-digital
reading writes its page rows in the same transaction, whose foreign key
holds the content row against intake's lock until it commits: intake then
sees "indexed" and queues a finalize of its own.) Here the finalize of a
scan is held inside its bulk request while the same bytes are filed in a
second dossier; both records must end up in the index.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from archief.catalog.models import Content, IngestItem, Record
from archief.composition import Container
from archief.intake.service import ensure_dossier
from archief.ports import SearchDocument
from search.index import ElasticsearchIndex
from tests.ingest.documents import pdf, scan

WAIT = 60.0


def _dossier(c: Container, kenmerk: str) -> str:
    return ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    ).id


def _word() -> str:
    # Makes the scan's bytes this test's own; letters only, consonant and
    # vowel by turns, so the page reads like a street name.
    digits = uuid.uuid4().int
    word = ""
    for i in range(8):
        letters = "bdfgklmnprstvz" if i % 2 == 0 else "aeiou"
        digits, n = divmod(digits, len(letters))
        word += letters[n]
    return word + "laan"


def test_a_record_filed_during_the_finalize_is_indexed(
    eager: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    word = _word()
    path = pdf(
        [scan(["De bomen aan de", word.capitalize(), "blijven staan."], noise=False)],
        tmp_path / "scan.pdf",
    )
    first_dossier, second_dossier = _dossier(eager, "T-RACE-1"), _dossier(eager, "T-RACE-2")

    in_bulk, filed = threading.Event(), threading.Event()
    original = ElasticsearchIndex.index

    def held(self: ElasticsearchIndex, documents: Sequence[SearchDocument], **kw: Any) -> None:
        # Only the first bulk request, the finalize's, waits for the second filing.
        if not in_bulk.is_set():
            in_bulk.set()
            assert filed.wait(WAIT), "the second record was never filed"
        original(self, documents, **kw)

    monkeypatch.setattr(ElasticsearchIndex, "index", held)
    outcome: dict[str, IngestItem | BaseException] = {}

    def first() -> None:
        try:
            with path.open("rb") as f:
                outcome["first"] = eager.intake.receive(
                    f, name=path.name, dossier_id=first_dossier, laag="afdeling"
                )
        except BaseException as exc:  # noqa: BLE001  # reported by the main thread
            outcome["first"] = exc

    reading = threading.Thread(target=first)
    reading.start()
    try:
        assert in_bulk.wait(WAIT), "the first reading never reached its bulk request"
        with path.open("rb") as f:
            second = eager.intake.receive(
                f, name=path.name, dossier_id=second_dossier, laag="afdeling"
            )
    finally:
        filed.set()
        reading.join(WAIT)
    assert not reading.is_alive()
    first_item = outcome["first"]
    assert isinstance(first_item, IngestItem), first_item
    assert (first_item.status, second.status) == ("stored", "stored")
    assert first_item.sha256 == second.sha256

    with eager.sessions() as s:
        content = s.get(Content, second.sha256)
        assert content is not None
        assert content.status == "indexed"
        records = set(s.scalars(select(Record.id).where(Record.sha256 == second.sha256)))
    assert records == {first_item.record_id, second.record_id}
    # Asked by id, not by the scan's words: what is checked is the index, not the OCR.
    assert isinstance(eager.index, ElasticsearchIndex)
    for record_id in records:
        assert eager.index.client.exists(index=eager.index.alias, id=record_id)
