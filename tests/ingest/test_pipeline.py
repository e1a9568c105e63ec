# SPDX-License-Identifier: EUPL-1.2
"""The ingest pipeline end to end on the real stack: intake, extraction, OCR, indexing.

These tests run the tasks in-process (eager) for determinism; test_worker.py
runs the same pipeline through Redis and a real worker process.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from archief.catalog.models import Content, IngestItem, Page, Record, Suggestion
from archief.composition import Container, build_container
from archief.demo import SAMPLES
from archief.intake import bulk
from archief.intake.repository import pages_for_review
from archief.intake.schemas import effective_status
from archief.intake.service import ensure_dossier
from archief.ports import SearchQuery
from archief.settings import Settings
from search.index import ElasticsearchIndex
from tests.ingest.documents import pdf, scan

SCAN_LINES = [
    "Gemeente Groenstad",
    "Onderwerp: herinrichting Zonnebloemplein",
    "Het college besluit de zonnebloemperken",
    "te vervangen door wadi's en speelgroen.",
]
# These tests are about the pipeline, not access: search everything.
EVERYTHING: dict[str, Any] = {"match_all": {}}


def _dossier(c: Container, kenmerk: str) -> str:
    return ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    ).id


def _receive(c: Container, path: Path, kenmerk: str, laag: str = "openbaar") -> IngestItem:
    with path.open("rb") as f:
        return c.intake.receive(f, name=path.name, dossier_id=_dossier(c, kenmerk), laag=laag)


def _status(c: Container, item: IngestItem) -> tuple[str, str | None]:
    with c.sessions() as s:
        row = s.get(IngestItem, item.id)
        assert row is not None
        content = s.get(Content, row.sha256) if row.sha256 else None
        status, code, _ = effective_status(row, content)
    return status, code


def _pages(c: Container, sha: str) -> list[Page]:
    with c.sessions() as s:
        return list(s.scalars(select(Page).where(Page.sha256 == sha).order_by(Page.number)))


def _search(c: Container, text: str) -> list[str]:
    assert isinstance(c.index, ElasticsearchIndex)
    c.index.client.indices.refresh(index=c.index.alias)
    return [h.record_id for h in c.index.search(SearchQuery(permission=EVERYTHING, text=text)).hits]


def test_text_file_is_stored_by_hash_split_into_pages_and_searchable(eager: Container) -> None:
    path = SAMPLES / "sociale-media-en-archief.txt"
    item = _receive(eager, path, "T-TEXT")
    assert _status(eager, item) == ("indexed", None)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert item.sha256 == sha
    assert eager.store.stat(f"originals/{sha[:2]}/{sha[2:4]}/{sha}").sha256 == sha
    pages = _pages(eager, sha)
    assert [(p.number, p.source, p.done) for p in pages] == [(1, "text", True)]
    assert pages[0].text_key is not None
    with eager.store.open(pages[0].text_key) as f:
        assert "verklaring van vernietiging" in f.read().decode()
    assert item.record_id in _search(eager, "verklaring van vernietiging")


def test_same_bytes_are_a_duplicate_and_read_once(eager: Container) -> None:
    path = SAMPLES / "verslag-bewonersavond-zuid.txt"
    first = _receive(eager, path, "T-DUP-A")
    again = _receive(eager, path, "T-DUP-A")
    assert _status(eager, again) == ("duplicate", None)
    assert again.record_id == first.record_id
    other = _receive(eager, path, "T-DUP-B")  # the same letter filed in a second dossier
    assert other.record_id != first.record_id
    assert _status(eager, other) == ("indexed", None)
    with eager.sessions() as s:
        content = s.get(Content, first.sha256)
        assert content is not None
        assert content.attempts == 1  # extracted once, indexed for both records
    hits = _search(eager, "Lindelaan parkeerplaatsen")
    assert {first.record_id, other.record_id} <= set(hits)


def test_scanned_pdf_is_ocred_from_its_embedded_jpeg(eager: Container, tmp_path: Path) -> None:
    path = pdf([scan(SCAN_LINES)], tmp_path / "scan.pdf")
    item = _receive(eager, path, "T-SCAN")
    assert _status(eager, item) == ("indexed", None)
    (page,) = _pages(eager, item.sha256 or "")
    assert page.source == "ocr"
    assert page.confidence is not None
    assert page.confidence > 60
    assert page.hocr_key is not None
    with eager.store.open(page.hocr_key) as f:
        assert b"ocrx_word" in f.read()
    # Words that exist only in the scan are found, stemmed.
    assert item.record_id in _search(eager, "zonnebloemperk")
    # Work images are cleaned up; the page's thumbnail stays.
    assert list(eager.store.list_keys(f"work/{item.sha256}/")) == []
    assert eager.store.stat(f"derived/{item.sha256}/thumbnail-0001.png").size > 0


def test_mixed_pdf_uses_the_text_layer_where_there_is_one(eager: Container, tmp_path: Path) -> None:
    text_page = "Besluitnota over de kinderboerderij aan de Populierenlaan.\nHet college besluit."
    path = pdf([text_page, scan(SCAN_LINES), ""], tmp_path / "gemengd.pdf")
    item = _receive(eager, path, "T-MIXED")
    assert _status(eager, item) == ("indexed", None)
    assert [p.source for p in _pages(eager, item.sha256 or "")] == ["text", "ocr", "blank"]
    assert [item.record_id] == _search(eager, "kinderboerderij zonnebloemperken")
    assert eager.index is not None
    hits = eager.index.search(
        SearchQuery(permission=EVERYTHING, text="kinderboerderij zonnebloemperken")
    )
    assert [h.record_id for h in hits.hits] == [item.record_id]
    assert sorted(hits.hits[0].pages) == [1, 2]


def test_multipage_tiff_is_split_into_pages(eager: Container, tmp_path: Path) -> None:
    first, second = scan(SCAN_LINES[:2]), scan(["Tweede pagina over de fietsenstalling."])
    path = tmp_path / "fax.tif"
    first.save(path, save_all=True, append_images=[second], compression="tiff_lzw")
    item = _receive(eager, path, "T-TIFF")
    assert _status(eager, item) == ("indexed", None)
    assert [p.source for p in _pages(eager, item.sha256 or "")] == ["ocr", "ocr"]
    assert item.record_id in _search(eager, "fietsenstalling")


def test_memo_header_becomes_suggestions(eager: Container) -> None:
    item = _receive(eager, SAMPLES / "besluitnota-speeltuin-oosterpark.txt", "T-META")
    with eager.sessions() as s:
        fields = {
            x.field: x.value
            for x in s.scalars(select(Suggestion).where(Suggestion.record_id == item.record_id))
        }
    assert fields["kenmerk"] == "BN-2026-0142"
    assert fields["datum"] == "2026-03-03"
    assert fields["steller_email"] == "m.devries@groenstad.example"
    assert fields["onderwerp"].startswith("Vervanging speeltoestellen")


def test_low_confidence_page_goes_to_review(
    eager_settings: Settings, eager: Container, tmp_path: Path
) -> None:
    # A strict threshold sends a clear scan to review; a lax one does not.
    strict = eager_settings.model_copy(
        update={"ingest": eager_settings.ingest.model_copy(update={"review_threshold": 99.5})}
    )
    c = build_container(strict)
    try:
        clear, other = tmp_path / "helder.png", tmp_path / "ander.png"
        scan(SCAN_LINES).save(clear)
        scan(["Een tweede pagina over het buurthuis."]).save(other)
        strict_item = _receive(c, clear, "T-REVIEW")
    finally:
        c.close()
    lax_item = _receive(eager, other, "T-REVIEW")
    (strict_page,) = _pages(eager, strict_item.sha256 or "")
    (lax_page,) = _pages(eager, lax_item.sha256 or "")
    assert strict_page.needs_review
    assert (strict_page.confidence or 0) < 99.5
    assert not lax_page.needs_review
    assert (lax_page.confidence or 0) >= eager.settings.ingest.review_threshold
    with eager.sessions() as s:
        review = {(p.sha256, p.number) for p in pages_for_review(s)}
    assert (strict_item.sha256, 1) in review
    assert (lax_item.sha256, 1) not in review


def test_bulk_import_resumes_and_summarises(eager: Container, tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"brief-{i}.txt").write_text(f"Brief nummer {i} over de wijk Oosterpark.\n" * 3)
    (tmp_path / "leeg.txt").write_bytes(b"")
    dossier = _dossier(eager, "T-BULK")
    files = list(bulk.walk([tmp_path]))
    first = bulk.ingest_paths(eager, files, dossier_id=dossier, laag="afdeling")
    assert (first.stored, first.duplicates, first.skipped) == (3, 0, 0)
    assert [(name, code) for name, code, _ in first.failed] == [("leeg.txt", "empty_file")]
    again = bulk.ingest_paths(eager, files, dossier_id=dossier, laag="afdeling")
    assert (again.stored, again.skipped) == (0, 4)
    statuses = {s for _, s, _, _ in bulk.outcomes(eager, first.item_ids)}
    assert statuses == {"indexed", "failed"}


def test_records_of_one_scan_get_their_own_layer(eager: Container, tmp_path: Path) -> None:
    path = tmp_path / "gedeeld.png"
    scan(["Vertrouwelijk advies over de grondaankoop Veenweg."]).save(path)
    public = _receive(eager, path, "T-LAYER-A", laag="openbaar")
    internal = _receive(eager, path, "T-LAYER-B", laag="college")
    _search(eager, "grondaankoop")  # refreshes the index
    assert eager.index is not None
    hits = eager.index.search(
        SearchQuery(permission={"terms": {"layer": ["openbaar"]}}, text="grondaankoop")
    )
    assert [h.record_id for h in hits.hits] == [public.record_id]
    with eager.sessions() as s:
        layers = {
            r.id: r.laag for r in s.scalars(select(Record).where(Record.sha256 == public.sha256))
        }
    assert layers == {public.record_id: "openbaar", internal.record_id: "college"}


def test_jpeg_photo_of_a_page_is_read(eager: Container, tmp_path: Path) -> None:
    path = tmp_path / "foto.jpg"
    scan(SCAN_LINES).save(path, format="JPEG", quality=30)
    item = _receive(eager, path, "T-JPEG")
    assert _status(eager, item) == ("indexed", None)
    assert item.record_id in _search(eager, "speelgroen")


def test_garbage_is_stored_quarantined_and_reported(eager: Container) -> None:
    item = eager.intake.receive(
        io.BytesIO(bytes(range(256)) * 16),
        name="factuur.pdf",
        dossier_id=_dossier(eager, "T-Q"),
        laag="afdeling",
    )
    assert _status(eager, item) == ("failed", "unsupported_type")
    with eager.sessions() as s:
        content = s.get(Content, item.sha256)
        assert content is not None
        assert content.quarantined
    # Nothing is lost: the bytes are kept.
    sha = item.sha256 or ""
    assert eager.store.stat(f"originals/{sha[:2]}/{sha[2:4]}/{sha}").size == 4096


def test_original_bytes_are_kept_exactly(eager: Container, tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    scan(SCAN_LINES).save(path)
    original = path.read_bytes()
    item = _receive(eager, path, "T-PNG")
    assert _status(eager, item) == ("indexed", None)
    sha = item.sha256 or ""
    with eager.store.open(f"originals/{sha[:2]}/{sha[2:4]}/{sha}") as f:
        assert f.read() == original
    with Image.open(io.BytesIO(original)) as img:
        assert img.size == scan(SCAN_LINES).size
