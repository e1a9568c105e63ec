# SPDX-License-Identifier: EUPL-1.2
"""The processing stages of one content, run by workers: extract → ocr (per page) → finalize.

Every stage is idempotent and keyed by the content's SHA-256, so a task that
runs twice (a redelivery after a worker died) does no harm. Each stage
touches `content.updated_at`, which is how stuck work becomes visible.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from PIL import Image
from sqlalchemy import delete, select

from archief.bewaring.sociaal import normaal
from archief.catalog.models import Content, Page, Record, Suggestion
from archief.errors import ArchiefError
from archief.ports import SearchDocument, SearchPage
from archief.storage.common import CHUNK, derived_key, work_prefix
from ingest.metadata import extract_memo_fields
from ingest.preprocess import binarize
from ingest.sandbox import Limits, default_sandbox

if TYPE_CHECKING:
    # Only for annotations: the composition root imports the worker, which imports us.
    from archief.composition import Container

log = structlog.get_logger(__name__)


def _touch(container: Container, sha256: str, **values: object) -> None:
    with container.sessions.begin() as session:
        content = session.get(Content, sha256)
        if content is None:
            return
        for name, value in values.items():
            setattr(content, name, value)
        content.updated_at = container.clock.now()


def fail(container: Container, sha256: str, error: ArchiefError, *, quarantine: bool) -> None:
    """Record why this content cannot be processed; quarantine it if the bytes are the cause."""
    log.warning("ingest.failed", sha256=sha256, code=error.code, quarantined=quarantine)
    _touch(
        container,
        sha256,
        status="failed",
        reason_code=error.code,
        reason=error.detail,
        quarantined=quarantine,
    )
    _clear_work(container, sha256)


def _clear_work(container: Container, sha256: str) -> None:
    for key in list(container.store.list_keys(work_prefix(sha256))):
        container.store.delete(key)


def _download(container: Container, key: str, target: Path) -> None:
    with container.store.open(key) as src, target.open("wb") as out:
        shutil.copyfileobj(src, out, CHUNK)


def extract(container: Container, sha256: str) -> list[int] | None:
    """Split the content into pages; return the pages that need OCR (none: indexed already)."""
    with container.sessions.begin() as session:
        content = session.get(Content, sha256, with_for_update=True)
        if content is None or content.quarantined or content.status == "indexed":
            return None
        content.status, content.attempts = "extracting", content.attempts + 1
        content.reason_code = content.reason = None
        content.updated_at = container.clock.now()
        media_type = content.media_type
    if normaal.is_vastgelegd(media_type):
        return _extract_vastgelegd(container, sha256)
    settings = container.settings.ingest
    settings.spool_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        # Named after the content, so destruction can find what a crash left.
        dir=settings.spool_dir,
        prefix=f"extract-{sha256[:16]}-",
    ) as tmp:
        original = Path(tmp) / "original"
        _download(container, f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}", original)
        plan = default_sandbox().run(
            "ingest.pages:analyze",
            str(original),
            str(Path(tmp) / "pages"),
            media_type,
            settings.max_pages,
            limits=Limits(
                cpu_seconds=settings.sandbox_cpu_seconds,
                memory_bytes=settings.sandbox_memory_bytes,
                wall_seconds=settings.sandbox_wall_seconds,
            ),
        )
        if not isinstance(plan, dict):
            raise ArchiefError(f"page analysis returned {type(plan).__name__}, not a plan")
        rows, ocr_pages, texts = _store_pages(container, sha256, plan["pages"])
        if plan.get("thumbnail"):
            with Path(plan["thumbnail"]).open("rb") as f:
                container.store.put(
                    derived_key(sha256, "thumbnail.png"), f, content_type="image/png"
                )
    with container.sessions.begin() as session:
        session.execute(delete(Page).where(Page.sha256 == sha256))
        session.add_all(rows)
        content = session.get(Content, sha256)
        if content is not None:
            content.page_count = len(rows)
            content.status = "ocr" if ocr_pages else "extracting"
            content.updated_at = container.clock.now()
    log.info("ingest.extracted", sha256=sha256, pages=len(rows), ocr=len(ocr_pages))
    if not ocr_pages:
        # Nothing to OCR: index now, with the texts in hand.
        finalize(container, sha256, pages=texts)
    return ocr_pages


def _extract_vastgelegd(container: Container, sha256: str) -> list[int]:
    """Index a captured post (or capture WARC) by the normalised form capture kept beside it.

    Never the raw payload, and no sandbox: the form is archief's own JSON,
    written before the post was filed (archief.bewaring.sociaal.normaal).
    """
    text = normaal.tekst(container.store, sha256)
    rows, _ocr, texts = _store_pages(container, sha256, [{"number": 1, "text": text}])
    with container.sessions.begin() as session:
        session.execute(delete(Page).where(Page.sha256 == sha256))
        session.add_all(rows)
        content = session.get(Content, sha256)
        if content is not None:
            content.page_count = len(rows)
            content.updated_at = container.clock.now()
    log.info("ingest.extracted", sha256=sha256, pages=len(rows), ocr=0)
    finalize(container, sha256, pages=texts)
    return []


def _store_pages(
    container: Container, sha256: str, pages: Sequence[dict[str, object]]
) -> tuple[list[Page], list[int], list[SearchPage]]:
    rows: list[Page] = []
    ocr_pages: list[int] = []
    texts: list[SearchPage] = []
    uploads: list[tuple[str, Path | bytes, str]] = []
    for page in pages:
        number = int(str(page["number"]))
        if "text" in page:
            text = str(page["text"])
            key = derived_key(sha256, f"page-{number:04d}.txt")
            uploads.append((key, text.encode("utf-8"), TEXT))
            texts.append(SearchPage(number, text))
            source = "text" if text.strip() else "blank"
            rows.append(
                Page(
                    sha256=sha256,
                    number=number,
                    source=source,
                    done=True,
                    chars=len(text),
                    text_key=key,
                )
            )
        else:
            image = Path(str(page["image"]))
            key = f"{work_prefix(sha256)}page-{number:04d}{image.suffix}"
            uploads.append((key, image, "application/octet-stream"))
            rows.append(Page(sha256=sha256, number=number, source="ocr", done=False))
            ocr_pages.append(number)
    _put_all(container, uploads)
    return rows, ocr_pages, texts


TEXT = "text/plain; charset=utf-8"
# Object store round trips dominate born-digital ingest; a few in flight at
# once hide their latency (the minio client is thread-safe).
UPLOAD_THREADS = 8


def _put_all(container: Container, uploads: Sequence[tuple[str, Path | bytes, str]]) -> None:
    def put(upload: tuple[str, Path | bytes, str]) -> None:
        key, body, content_type = upload
        if isinstance(body, bytes):
            container.store.put(key, io.BytesIO(body), content_type=content_type, size=len(body))
        else:
            with body.open("rb") as f:
                container.store.put(key, f, content_type=content_type)

    if len(uploads) <= 1:
        for upload in uploads:
            put(upload)
        return
    with ThreadPoolExecutor(max_workers=min(UPLOAD_THREADS, len(uploads))) as pool:
        list(pool.map(put, uploads))  # list() re-raises the first failure


def ocr_page(container: Container, sha256: str, number: int) -> None:
    """OCR one page image: text, hOCR and confidence, in one tesseract pass."""
    with container.sessions() as session:
        page = session.get(Page, (sha256, number))
        if page is None or page.done:
            return
    keys = list(container.store.list_keys(f"{work_prefix(sha256)}page-{number:04d}"))
    if not keys:
        raise ArchiefError(f"page image {number} of {sha256} is missing")
    settings = container.settings
    with tempfile.TemporaryDirectory(
        dir=settings.ingest.spool_dir, prefix=f"ocr-{sha256[:16]}-"
    ) as tmp:
        image = Path(tmp) / Path(keys[0]).name
        _download(container, keys[0], image)
        try:
            if settings.ocr.binarize:
                image = binarize(image, Path(tmp))
            result = container.ocr.recognize_file(
                image, timeout=settings.ingest.ocr_timeout_seconds
            )
            text, hocr, confidence = result.text, result.hocr, result.mean_confidence
        except (OSError, Image.DecompressionBombError) as exc:
            # Pillow could not read what the sandbox extracted: the page is unreadable.
            log.warning("ingest.ocr.page_unreadable", sha256=sha256, page=number, error=str(exc))
            text, hocr, confidence = "", "", 0.0
        except ArchiefError as exc:
            if exc.status >= 500:
                raise  # the engine is missing: retry later, do not blame the page
            log.warning("ingest.ocr.page_failed", sha256=sha256, page=number, code=exc.code)
            text, hocr, confidence = "", "", 0.0
    text_key = derived_key(sha256, f"page-{number:04d}.txt")
    hocr_key = derived_key(sha256, f"page-{number:04d}.hocr")
    uploads: list[tuple[str, Path | bytes, str]] = [(text_key, text.encode("utf-8"), TEXT)]
    if hocr:
        uploads.append((hocr_key, hocr.encode("utf-8"), "text/html; charset=utf-8"))
    _put_all(container, uploads)
    with container.sessions.begin() as session:
        page = session.get(Page, (sha256, number))
        if page is not None:
            page.done, page.text_key = True, text_key
            page.hocr_key = hocr_key if hocr else None
            page.confidence, page.chars = confidence, len(text)
            page.needs_review = confidence < settings.ingest.review_threshold
        content = session.get(Content, sha256)
        if content is not None:
            content.updated_at = container.clock.now()
    for key in keys:
        container.store.delete(key)
    log.info("ingest.ocr.completed", sha256=sha256, page=number, confidence=round(confidence, 1))


def page_texts(container: Container, sha256: str) -> list[SearchPage]:
    """The text of every page of a content, read back from the store."""
    with container.sessions() as session:
        pages = list(
            session.scalars(select(Page).where(Page.sha256 == sha256).order_by(Page.number))
        )
    texts: list[SearchPage] = []
    for page in pages:
        if page.text_key is None:
            continue
        with container.store.open(page.text_key) as f:
            texts.append(SearchPage(page.number, f.read().decode("utf-8")))
    return texts


def search_documents(
    sha256: str, records: Sequence[Record], pages: Sequence[SearchPage]
) -> list[SearchDocument]:
    """The index documents of the records filed with this content."""
    return [
        SearchDocument(
            record_id=r.id,
            dossier_id=r.dossier_id,
            title=r.titel,
            layer=r.laag,
            content_type=r.media_type,
            sha256=sha256,
            created_at=r.created_at,
            pages=pages,
            afdeling=r.dossier.afdeling,
            dienst=r.dossier.eigenaar.dienst_code,
            wijken=list(r.dossier.wijken or []),
            soort=r.soort,
        )
        for r in records
    ]


def finalize(container: Container, sha256: str, pages: Sequence[SearchPage] | None = None) -> None:
    """Index every record of this content and suggest metadata read from the memo."""
    if pages is None:
        pages = page_texts(container, sha256)
    with container.sessions.begin() as session:
        content = session.get(Content, sha256)
        # A page that failed for good has already failed the content.
        if content is None or content.quarantined or content.status == "failed":
            return
        # Locked until indexed: a layer move waits for us, so the index never
        # ends up with the layer from before a move that committed meanwhile.
        records = list(
            session.scalars(select(Record).where(Record.sha256 == sha256).with_for_update())
        )
        documents = search_documents(sha256, records, pages)
        fields = extract_memo_fields([(p.number, p.text) for p in pages[:2]])
        for record in records:
            has = session.scalar(select(Suggestion.id).where(Suggestion.record_id == record.id))
            if has is None:
                session.add_all(
                    Suggestion(
                        record_id=record.id,
                        field=f.field,
                        value=f.value,
                        raw=f.raw,
                        confidence=f.confidence,
                        page=f.page,
                    )
                    for f in fields
                )
        if container.index is not None and documents:
            container.index.index(documents)
    # No work/ clean-up here: each ocr_page removes its own page image.
    _touch(container, sha256, status="indexed")
    log.info("ingest.indexed", sha256=sha256, records=len(documents), pages=len(pages))
