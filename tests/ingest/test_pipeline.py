# SPDX-License-Identifier: EUPL-1.2
"""The demo's ingest path end to end on the real stack: store, catalog, index."""

from __future__ import annotations

import hashlib
from pathlib import Path

from archief.catalog.models import Record
from archief.composition import Container
from archief.demo import SAMPLES
from archief.storage.common import original_key
from ingest.pipeline import Outcome, ingest_file


def _ingest(container: Container, path: Path, kenmerk: str = "TEST-PIPE") -> Outcome:
    return ingest_file(
        container,
        path,
        dossier_kenmerk=kenmerk,
        dossier_titel="Pipeline-test",
        afdeling="Openbare Ruimte",
        laag="openbaar",
    )


def test_text_is_stored_by_hash_catalogued_and_searchable(container: Container) -> None:
    path = SAMPLES / "sociale-media-en-archief.txt"
    outcome = _ingest(container, path)
    assert outcome.status == "indexed"
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert container.store.stat(original_key(sha)).sha256 == sha
    with container.sessions() as session:
        record = session.get(Record, outcome.record_id)
        assert record is not None
        assert (record.sha256, record.status, record.media_type) == (sha, "indexed", "text/plain")
    assert container.index is not None
    hits = container.index.search("verklaring van vernietiging").hits
    assert outcome.record_id in [h.record_id for h in hits]


def test_same_bytes_again_is_a_duplicate(container: Container) -> None:
    path = SAMPLES / "verslag-bewonersavond-zuid.txt"
    first = _ingest(container, path, "TEST-DUP")
    second = _ingest(container, path, "TEST-DUP")
    assert second.status == "duplicate"
    assert second.record_id == first.record_id


def test_scanned_image_is_ocred_in_dutch(container: Container) -> None:
    outcome = _ingest(container, SAMPLES / "brief-bewoners-oosterpark-scan.png", "TEST-OCR")
    assert outcome.status == "indexed"
    assert container.index is not None
    hits = container.index.search("werkzaamheden speeltoestellen").hits
    assert outcome.record_id in [h.record_id for h in hits]


def test_bad_input_fails_with_a_reason_and_the_batch_goes_on(
    container: Container, tmp_path: Path
) -> None:
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    binary = tmp_path / "raar.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    outcomes = [_ingest(container, p, "TEST-BAD") for p in (bad, binary)]
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert all(o.reason for o in outcomes)
    good = _ingest(container, SAMPLES / "projectplan-fietsroute-wijk-zuid.txt", "TEST-BAD")
    assert good.status == "indexed"
