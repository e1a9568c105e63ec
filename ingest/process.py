# SPDX-License-Identifier: EUPL-1.2
"""The processing stages of one content, run by workers: extract → ocr (per page) → finalize.

Every stage is idempotent and keyed by the content's SHA-256, so a task that
runs twice (a redelivery after a worker died) does no harm. Each stage
touches `content.updated_at`, which is how stuck work becomes visible.

After a content is indexed, `thumbnails` draws its pages, in chunks, off the
path to searchable (the worker queues it behind everything else).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Required, TypedDict, TypeVar

import structlog
from PIL import Image
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from archief.bewaring.sociaal import normaal
from archief.bewaring.status import VERNIETIGD
from archief.catalog.models import Afdeling, Content, Dossier, Page, Record, Suggestion
from archief.errors import ArchiefError
from archief.intake.detect import DOCX, ODT, ZIP
from archief.intake.repository import among
from archief.ports import OcrResult, SearchDocument, SearchPage
from archief.records import afgeleiden
from archief.storage.common import CHUNK, derived_key, original_key, work_prefix
from ingest.metadata import extract_memo_fields
from ingest.preprocess import CLOCKWISE, binarize, turned_pnm
from ingest.sandbox import JSONable, Limits, SandboxError, default_sandbox

if TYPE_CHECKING:
    # Only for annotations: the composition root imports the worker, which imports us.
    from archief.composition import Container

log = structlog.get_logger(__name__)

TEXT = "text/plain; charset=utf-8"
# Object store round trips dominate what is left of a born-digital ingest; a
# few in flight at once hide their latency (the minio client is thread-safe).
UPLOAD_THREADS = 8
# Pages drawn per thumbnail task: a long document yields the worker between
# chunks, so new uploads are not kept waiting behind its thumbnails.
THUMBNAIL_CHUNK = 50


class PageRow(TypedDict, total=False):
    """A page row as written at extraction; the other columns take their defaults."""

    sha256: Required[str]
    number: Required[int]
    source: Required[str]
    done: Required[bool]
    chars: int
    text_key: str


_T = TypeVar("_T")
_R = TypeVar("_R")
_pool: tuple[int, ThreadPoolExecutor] | None = None


def _in_parallel(call: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
    """`call` on every item, a few at once; re-raises the first failure."""
    global _pool  # noqa: PLW0603  # one pool per process, made on first use
    if len(items) <= 1:
        return [call(item) for item in items]
    # Threads do not survive a fork: a worker child makes its own pool.
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(UPLOAD_THREADS, thread_name_prefix="store"))
    return list(_pool[1].map(call, items))


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


def _limits(container: Container) -> Limits:
    settings = container.settings.ingest
    return Limits(
        cpu_seconds=settings.sandbox_cpu_seconds,
        memory_bytes=settings.sandbox_memory_bytes,
        wall_seconds=settings.sandbox_wall_seconds,
    )


def _spool(container: Container, stage: str, sha256: str) -> tempfile.TemporaryDirectory[str]:
    spool_dir = container.settings.ingest.spool_dir
    spool_dir.mkdir(parents=True, exist_ok=True)
    # Named after the content, so destruction can find what a crash left.
    return tempfile.TemporaryDirectory(dir=spool_dir, prefix=f"{stage}-{sha256[:16]}-")


def _start(container: Container, sha256: str) -> str | None:
    """Mark the content extracting (one statement); its media type, or None to skip it."""
    return start(container, [sha256]).get(sha256)


def start(container: Container, sha256s: Sequence[str]) -> dict[str, str]:
    """Mark the contents extracting, in one statement; the media type of each to read.

    A content quarantined, indexed, destroyed or gone is left out: skipped.
    """
    with container.sessions.begin() as session:
        rows = session.execute(
            update(Content)
            .where(
                among(Content.sha256, sha256s),
                Content.quarantined.is_(False),
                Content.status.not_in(("indexed", VERNIETIGD)),
            )
            .values(
                status="extracting",
                attempts=Content.attempts + 1,
                reason_code=None,
                reason=None,
                updated_at=container.clock.now(),
            )
            .returning(Content.sha256, Content.media_type)
        )
        return {row.sha256: row.media_type for row in rows}


@dataclass(frozen=True, slots=True)
class Gelezen:
    """A content read to its last page, the texts in hand: ready to be indexed.

    `rows` are the page rows to write with the index (None: written already).
    """

    sha256: str
    pages: Sequence[SearchPage]
    rows: Sequence[PageRow] | None = None


def extract(container: Container, sha256: str) -> list[int] | None:
    """Split the content into pages; return the pages that need OCR ([]: indexed already).

    None means nothing happened (quarantined, indexed or gone before we came).
    """
    outcome = read(container, sha256)
    if isinstance(outcome, Gelezen):
        return [] if index_read(container, [outcome]) else None
    return outcome


def read(container: Container, sha256: str) -> Gelezen | list[int] | None:
    """Split the content into pages: read, if no page needs OCR, else the pages that do.

    A content read whole is not indexed here: `extract` indexes it at once,
    a batch (`index_read`) together with the others. None means nothing
    happened (quarantined, indexed or gone before we came); [] that the
    content was indexed on the way (a captured post).
    """
    with contextlib.ExitStack() as spool:
        ready = prepare(container, sha256, spool)
        if not isinstance(ready, Klaargezet):
            return ready
        (plan,) = analyze(container, [ready])
        return take_in(container, ready, plan)


@dataclass(frozen=True, slots=True)
class Klaargezet:
    """A content marked extracting, its original downloaded into a spool folder to be read."""

    sha256: str
    media_type: str
    spool: Path
    size: int


def prepare(
    container: Container, sha256: str, spool: contextlib.ExitStack, media_type: str | None = None
) -> Klaargezet | list[int] | None:
    """Mark the content extracting and download its original; `spool` removes the copy.

    With `media_type`, the content was marked extracting already (`start`).
    What is not to be read by the sandbox is done with here: None as in
    `read`, or [] for a captured post, indexed from the form capture kept.
    """
    if media_type is None:
        media_type = _start(container, sha256)
    if media_type is None:
        return None
    if normaal.is_vastgelegd(media_type):
        return _extract_vastgelegd(container, sha256)
    folder = Path(spool.enter_context(_spool(container, "extract", sha256)))
    original = folder / "original"
    _download(container, original_key(sha256), original)
    return Klaargezet(sha256, media_type, folder, original.stat().st_size)


def analyze(container: Container, ready: Sequence[Klaargezet]) -> list[JSONable | SandboxError]:
    """The page plan of each content, or why the sandbox could not make one.

    One sandbox child reads them one after another (`Sandbox.run_each`): a
    child of its own cost a short born-digital document about a quarter of
    its reading. A document that fails is judged again in a child of its own.
    """
    settings = container.settings.ingest
    jobs: list[list[JSONable]] = [
        [str(r.spool / "original"), str(r.spool / "pages"), r.media_type, settings.max_pages]
        for r in ready
    ]
    return default_sandbox().run_each("ingest.pages:analyze", jobs, limits=_limits(container))


def take_in(
    container: Container, ready: Klaargezet, plan: JSONable | SandboxError
) -> Gelezen | list[int]:
    """Store what the page analysis found: the content read, or the pages that need OCR.

    Raises the sandbox's error for a content it could not read.
    """
    if isinstance(plan, SandboxError):
        raise plan
    if not isinstance(plan, dict):
        raise ArchiefError(f"page analysis returned {type(plan).__name__}, not a plan")
    sha256 = ready.sha256
    _settle_type(container, sha256, ready.media_type, plan.get("media_type"))
    pages = plan["pages"]
    if not isinstance(pages, list):
        raise ArchiefError(f"page analysis returned {type(pages).__name__} pages, not a list")
    rows, ocr_pages, texts = _store_pages(container, sha256, pages)
    log.info("ingest.extracted", sha256=sha256, pages=len(rows), ocr=len(ocr_pages))
    if not ocr_pages:
        # Nothing to OCR: page rows, suggestions, index and status go in one
        # transaction, with the texts in hand.
        return Gelezen(sha256, texts, rows)
    with container.sessions.begin() as session:
        _replace_pages(session, [sha256], rows)
        session.execute(
            update(Content)
            .where(Content.sha256 == sha256)
            .values(status="ocr", page_count=len(rows), updated_at=container.clock.now())
        )
    return ocr_pages


def _settle_type(container: Container, sha256: str, stored: str, settled: object) -> None:
    """A ZIP intake could not place from its head is a DOCX or ODT once the sandbox opened it.

    Only that refinement is taken from the sandbox: never a type change of
    anything intake did recognise.
    """
    if stored != ZIP or settled not in (DOCX, ODT):
        return
    with container.sessions.begin() as session:
        session.execute(update(Content).where(Content.sha256 == sha256).values(media_type=settled))
        session.execute(update(Record).where(Record.sha256 == sha256).values(media_type=settled))
    log.info("ingest.type_settled", sha256=sha256, media_type=settled)


def _extract_vastgelegd(container: Container, sha256: str) -> list[int] | None:
    """Index a captured post (or capture WARC) by the normalised form capture kept beside it.

    Never the raw payload, and no sandbox: the form is archief's own JSON,
    written before the post was filed (archief.bewaring.sociaal.normaal).
    """
    text = normaal.tekst(container.store, sha256)
    rows, _ocr, texts = _store_pages(container, sha256, [{"number": 1, "text": text}])
    log.info("ingest.extracted", sha256=sha256, pages=len(rows), ocr=0)
    return [] if _index(container, sha256, texts, rows=rows) else None


def _replace_pages(session: Session, sha256s: Sequence[str], rows: Sequence[PageRow]) -> None:
    """The page rows of these contents, all replaced by `rows`."""
    session.execute(delete(Page).where(Page.sha256.in_(sha256s)))
    if rows:
        # One multi-row INSERT, no unit of work: these rows are never read back here.
        session.execute(insert(Page), [dict(row) for row in rows])


def _store_pages(
    container: Container, sha256: str, pages: Sequence[dict[str, object]]
) -> tuple[list[PageRow], list[int], list[SearchPage]]:
    """Store page texts (one object for all) and page images (for OCR); the page rows."""
    rows: list[PageRow] = []
    ocr_pages: list[int] = []
    texts: list[SearchPage] = []
    uploads: list[tuple[str, Path | bytes, str]] = []
    shared = afgeleiden.texts_key(sha256)
    for page in pages:
        number = int(str(page["number"]))
        if "text" in page:
            text = str(page["text"])
            texts.append(SearchPage(number, text))
            source = "text" if text.strip() else "blank"
            rows.append(
                PageRow(
                    sha256=sha256,
                    number=number,
                    source=source,
                    done=True,
                    chars=len(text),
                    text_key=shared,
                )
            )
        else:
            image = Path(str(page["image"]))
            key = f"{work_prefix(sha256)}page-{number:04d}{image.suffix}"
            uploads.append((key, image, "application/octet-stream"))
            rows.append(PageRow(sha256=sha256, number=number, source="ocr", done=False))
            ocr_pages.append(number)
    if texts:
        body = afgeleiden.encode({p.number: p.text for p in texts})
        uploads.append((shared, body, afgeleiden.CONTENT_TYPE))
    _put_all(container, uploads)
    return rows, ocr_pages, texts


def _put_all(container: Container, uploads: Sequence[tuple[str, Path | bytes, str]]) -> None:
    def put(upload: tuple[str, Path | bytes, str]) -> None:
        key, body, content_type = upload
        if isinstance(body, bytes):
            container.store.put(key, io.BytesIO(body), content_type=content_type, size=len(body))
        else:
            with body.open("rb") as f:
                container.store.put(key, f, content_type=content_type)

    _in_parallel(put, uploads)


def ocr_page(container: Container, sha256: str, number: int) -> bool:
    """OCR one page image: text, hOCR and confidence, in one tesseract pass.

    Returns True when the content is ready to be indexed: every page of it is
    read and it waits in `ocr`. The catalog says so, not a count of finished
    tasks: a page task that runs twice (redelivered after its worker died
    between its commit and its ack) would make such a count reach the total
    before the last page was read, index the content without that page, and
    never index it again.
    """
    with container.sessions() as session:
        page = session.get(Page, (sha256, number))
        if page is None:
            return False
        if page.done:
            # Read before: a redelivery. If the finalize that should have
            # followed was lost, this one asks again (finalize is idempotent).
            return _ready(session, sha256)
    keys = list(container.store.list_keys(f"{work_prefix(sha256)}page-{number:04d}"))
    if not keys:
        raise ArchiefError(f"page image {number} of {sha256} is missing")
    settings = container.settings
    with _spool(container, "ocr", sha256) as tmp:
        image = Path(tmp) / Path(keys[0]).name
        _download(container, keys[0], image)
        try:
            if settings.ocr.binarize:
                image = binarize(image, Path(tmp))
            result = container.ocr.recognize_file(
                image, timeout=settings.ingest.ocr_timeout_seconds
            )
            turned = 0
            if (
                settings.ocr.detect_orientation
                and result.mean_confidence < settings.ingest.review_threshold
            ):
                result, turned = _read_turned(container, image, Path(tmp), result)
            text, hocr, confidence = result.text, result.hocr, result.mean_confidence
        except (OSError, Image.DecompressionBombError) as exc:
            # Pillow could not read what the sandbox extracted: the page is unreadable.
            log.warning("ingest.ocr.page_unreadable", sha256=sha256, page=number, error=str(exc))
            text, hocr, confidence, turned = "", "", 0.0, 0
        except ArchiefError as exc:
            if exc.status >= 500:
                raise  # the engine is missing: retry later, do not blame the page
            log.warning("ingest.ocr.page_failed", sha256=sha256, page=number, code=exc.code)
            text, hocr, confidence, turned = "", "", 0.0, 0
    text_key = afgeleiden.page_key(sha256, number)
    hocr_key = derived_key(sha256, f"page-{number:04d}.hocr")
    uploads: list[tuple[str, Path | bytes, str]] = [(text_key, text.encode("utf-8"), TEXT)]
    if hocr:
        uploads.append((hocr_key, hocr.encode("utf-8"), "text/html; charset=utf-8"))
    _put_all(container, uploads)
    with container.sessions.begin() as session:
        # The content row first, locked: the pages of one content finish one
        # after another here, so exactly one of them sees none left to read.
        touched = session.execute(
            update(Content)
            .where(Content.sha256 == sha256)
            .values(updated_at=container.clock.now())
            .returning(Content.sha256)
        ).first()
        session.execute(
            update(Page)
            .where(Page.sha256 == sha256, Page.number == number)
            .values(
                done=True,
                text_key=text_key,
                hocr_key=hocr_key if hocr else None,
                confidence=confidence,
                chars=len(text),
                turned=turned,
                needs_review=confidence < settings.ingest.review_threshold,
            )
        )
        ready = touched is not None and _ready(session, sha256)
    for key in keys:
        container.store.delete(key)
    log.info("ingest.ocr.completed", sha256=sha256, page=number, confidence=round(confidence, 1))
    return ready


def _ready(session: Session, sha256: str) -> bool:
    """Whether this content waits in `ocr` with every page read: time to index it."""
    return _in_ocr(session, sha256) and not _unread(session, sha256)


def _in_ocr(session: Session, sha256: str) -> bool:
    return bool(session.scalar(select(Content.status == "ocr").where(Content.sha256 == sha256)))


def _unread(session: Session, sha256: str) -> bool:
    """Whether a page of this content still waits for OCR."""
    return (
        session.scalar(
            select(Page.number).where(Page.sha256 == sha256, Page.done.is_(False)).limit(1)
        )
        is not None
    )


def _read_turned(
    container: Container, image: Path, tmp: Path, first: OcrResult
) -> tuple[OcrResult, int]:
    """A page that read badly may lie upside down or on its side: read it turned, if it does.

    Only pages below the review threshold pay for the orientation detection
    (a second tesseract run), and the turned reading is kept only when its
    confidence is higher. Returns the reading kept and the degrees clockwise
    it was turned (0: the first): its word boxes are those of the page so
    turned, and the thumbnail is drawn turned as much.
    """
    timeout = container.settings.ingest.ocr_timeout_seconds
    degrees = container.ocr.orientation(image, timeout=timeout)
    if not degrees:
        return first, 0
    try:
        with Image.open(image) as img:
            turned = Path(turned_pnm(img, CLOCKWISE[degrees], tmp / f"{image.stem}-upright.pnm"))
        second = container.ocr.recognize_file(turned, timeout=timeout)
    except (OSError, Image.DecompressionBombError):
        return first, 0  # the turned copy could not be made: keep the first reading
    except ArchiefError as exc:
        if exc.status >= 500:
            raise  # the engine is missing: retry later
        return first, 0  # the turned page timed out or could not be read: keep the first reading
    kept = second.mean_confidence > first.mean_confidence
    log.info(
        "ingest.ocr.turned",
        degrees=degrees,
        confidence=round(first.mean_confidence, 1),
        turned=round(second.mean_confidence, 1),
        kept=kept,
    )
    return (second, degrees) if kept else (first, 0)


def _read(container: Container, key: str) -> dict[int, str] | str:
    with container.store.open(key) as f:
        return afgeleiden.decode(key, f.read())


def page_texts(container: Container, sha256: str) -> list[SearchPage]:
    """The text of every page of a content, read back from the store (NotFound if one is gone)."""
    with container.sessions() as session:
        rows = session.execute(
            select(Page.number, Page.text_key)
            .where(Page.sha256 == sha256, Page.text_key.is_not(None))
            .order_by(Page.number)
        ).all()
    keys = sorted({key for _, key in rows if key is not None})
    held = dict(zip(keys, _in_parallel(lambda k: _read(container, k), keys), strict=True))
    return [SearchPage(n, afgeleiden.pick(held[k], n)) for n, k in rows if k is not None]


@dataclass(frozen=True, slots=True)
class Filed:
    """A record filed with a content, as much of it as its index document needs."""

    id: str
    dossier_id: str
    titel: str
    laag: str
    media_type: str
    created_at: datetime
    soort: str | None
    afdeling: str
    wijken: list[str] | None
    dienst_code: str


def filed(
    session: Session, sha256: str, *, lock: bool = False, besides: Collection[str] = ()
) -> list[Filed]:
    """The records filed with this content (but `besides`), for their index documents.

    One statement of plain columns: loading Record, Dossier and Afdeling
    objects took about a third of a worker's own catalog time for a
    born-digital document, and a rebuild loaded each record's dossier and
    afdeling with a query of its own.
    With `lock`, the records stay locked until the transaction ends (_index).
    """
    return filed_all(session, [sha256], lock=lock, besides=besides).get(sha256, [])


def filed_all(
    session: Session, sha256s: Sequence[str], *, lock: bool = False, besides: Collection[str] = ()
) -> dict[str, list[Filed]]:
    """`filed` for several contents in one statement: the records of each that has any."""
    query = (
        select(
            Record.sha256,
            Record.id,
            Record.dossier_id,
            Record.titel,
            Record.laag,
            Record.media_type,
            Record.created_at,
            Record.soort,
            Dossier.afdeling,
            Dossier.wijken,
            Afdeling.dienst_code,
        )
        .join(Dossier, Dossier.id == Record.dossier_id)
        .join(Afdeling, Afdeling.code == Dossier.afdeling)
        .where(Record.sha256.in_(sha256s))
        # One order for every worker: two batches never wait on each other's locks.
        .order_by(Record.sha256, Record.id)
    )
    if besides:
        query = query.where(Record.id.not_in(besides))
    if lock:
        query = query.with_for_update(of=Record)
    found: dict[str, list[Filed]] = {}
    for row in session.execute(query):
        fields = dict(row._mapping)
        found.setdefault(fields.pop("sha256"), []).append(Filed(**fields))
    return found


def search_documents(
    sha256: str, records: Sequence[Filed], pages: Sequence[SearchPage]
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
            afdeling=r.afdeling,
            dienst=r.dienst_code,
            wijken=list(r.wijken or []),
            soort=r.soort,
        )
        for r in records
    ]


def _suggest(
    session: Session, filings: Sequence[tuple[Sequence[Filed], Sequence[SearchPage]]]
) -> None:
    """Metadata suggestions read from each memo, for records that have none yet."""
    ids = [r.id for records, _pages in filings for r in records]
    if not ids:
        return
    have = set(session.scalars(select(Suggestion.record_id).where(Suggestion.record_id.in_(ids))))
    rows = []
    for records, pages in filings:
        todo = [r.id for r in records if r.id not in have]
        if not todo:
            continue
        fields = extract_memo_fields([(p.number, p.text) for p in pages[:2]])
        rows += [
            {
                "record_id": record_id,
                "field": f.field,
                "value": f.value,
                "raw": f.raw,
                "confidence": f.confidence,
                "page": f.page,
            }
            for record_id in todo
            for f in fields
        ]
    if rows:
        session.execute(insert(Suggestion), rows)


def _index(
    container: Container,
    sha256: str,
    pages: Sequence[SearchPage],
    *,
    rows: Sequence[PageRow] | None = None,
) -> bool:
    """Index every record of the content and mark it indexed, in one transaction.

    With `rows`, the page rows are written in the same transaction. Returns
    False when the content is no longer ours to index (failed, destroyed, gone).
    """
    return bool(index_read(container, [Gelezen(sha256, pages, rows)]))


def index_read(container: Container, contents: Sequence[Gelezen]) -> list[str]:
    """Index every record of these contents and mark them indexed; the ones indexed.

    One transaction and one index request for them all, and each step one
    statement for the whole batch (whether each is still ours, its page
    rows, its records, their suggestions, its status): a batch from a
    backlog pays the commit, the Elasticsearch round trip, the question
    whether more is on its way and every statement once, not once a
    document. A content no longer ours to index (failed, destroyed, gone)
    is left out.
    """
    with container.sessions.begin() as session:
        # Always in the same order, so two batches never wait on each other's locks.
        taken = _take(session, sorted(contents, key=lambda c: c.sha256))
        documents = _documents(session, taken)
        # The last of a batch, or a lone upload, is searchable at once rather
        # than after the next periodic refresh (up to a second later). While
        # more content is on its way the periodic refresh serves: a refresh
        # per document would cost Elasticsearch a segment each.
        last = bool(taken) and not _on_the_way(session, [c.sha256 for c, _ in taken])
        # Before the status, as before the commit: a content is never
        # `indexed` without its documents, and intake, filing a record for it
        # meanwhile, is not kept waiting on the content row for this request.
        _write(container, documents, refresh=last)
        _write(container, _mark_indexed(container, session, taken))
    for content, records in taken:
        log.info(
            "ingest.indexed", sha256=content.sha256, records=len(records), pages=len(content.pages)
        )
    return [content.sha256 for content, _ in taken]


def _write(container: Container, documents: list[SearchDocument], *, refresh: bool = False) -> None:
    if documents and container.index is not None:
        container.index.index(documents, refresh=refresh)


def _take(session: Session, contents: Sequence[Gelezen]) -> list[tuple[Gelezen, list[Filed]]]:
    """In the transaction: the contents still ours, their page rows written, records locked."""
    shas = [c.sha256 for c in contents]
    states = session.execute(
        select(Content.sha256, Content.status, Content.quarantined).where(Content.sha256.in_(shas))
    )
    # A page that failed for good has already failed the content.
    ours = {
        row.sha256
        for row in states
        if not row.quarantined and row.status not in ("failed", VERNIETIGD)
    }
    mine = [c for c in contents if c.sha256 in ours]
    paged = [c for c in mine if c.rows is not None]
    if paged:
        _replace_pages(session, [c.sha256 for c in paged], [r for c in paged for r in c.rows or ()])
    # Locked: a layer move waits for us, so the index never ends up with
    # the layer from before a move that committed meanwhile.
    records = filed_all(session, [c.sha256 for c in mine], lock=True) if mine else {}
    return [(c, records.get(c.sha256, [])) for c in mine]


def _mark_indexed(
    container: Container, session: Session, taken: Sequence[tuple[Gelezen, Sequence[Filed]]]
) -> list[SearchDocument]:
    """In the transaction, documents written: the statuses; documents of records filed since."""
    if not taken:
        return []
    now = container.clock.now()
    # No work/ clean-up here: each ocr_page removes its own page image.
    done = [
        {"sha256": c.sha256, "status": "indexed", "updated_at": now}
        | ({"page_count": len(c.rows)} if c.rows is not None else {})
        for c, _records in taken
    ]
    # Each UPDATE waits for its content row's lock, which intake holds
    # while it files a record for the content. A record filed since our
    # select has committed by now and is indexed here; one filed after
    # this sees "indexed" and gets a finalize of its own (intake.service).
    session.execute(update(Content), done)
    seen = [r.id for _c, records in taken for r in records]
    shas = [c.sha256 for c, _records in taken]
    since = set(
        session.scalars(
            select(Record.sha256).where(Record.sha256.in_(shas), Record.id.not_in(seen))
        )
    )
    if not since:
        return []
    late = filed_all(session, sorted(since), lock=True, besides=seen)
    return _documents(session, [(c, late[c.sha256]) for c, _r in taken if c.sha256 in late])


def _documents(
    session: Session, taken: Sequence[tuple[Gelezen, Sequence[Filed]]]
) -> list[SearchDocument]:
    """Suggest metadata for these contents' records; their index documents."""
    _suggest(session, [(records, c.pages) for c, records in taken])
    return [
        document
        for c, records in taken
        for document in search_documents(c.sha256, records, c.pages)
    ]


def _on_the_way(session: Session, besides: Collection[str]) -> bool:
    """Whether other content is on its way to the index: stored, being read, or in OCR.

    Content stuck on the way counts too; it only means the index shows new
    records at its periodic refresh, as it would without this.
    """
    query = (
        select(Content.sha256)
        .where(
            Content.status.in_(("stored", "extracting", "ocr")),
            Content.quarantined.is_(False),
            Content.sha256.not_in(besides),
        )
        .limit(1)
    )
    return session.scalar(query) is not None


def finalize(container: Container, sha256: str, pages: Sequence[SearchPage] | None = None) -> bool:
    """Index every record of this content and suggest metadata read from the memo.

    A content still in `ocr` with a page unread is left alone: the page's
    own task asks for the finalize when it is done (`ocr_page`). Indexing now
    would mark it indexed without that page's words.
    """
    with container.sessions() as session:
        if _in_ocr(session, sha256) and _unread(session, sha256):
            log.info("ingest.finalize.early", sha256=sha256)
            return False
    return _index(container, sha256, page_texts(container, sha256) if pages is None else pages)


# --------------------------------------------------------------------------
# Thumbnails
# --------------------------------------------------------------------------


def drawable(media_type: str) -> bool:
    """Whether thumbnails are drawn for this type (PDF and images; not office or mail)."""
    return media_type == "application/pdf" or media_type.startswith("image/")


def thumbnails(container: Container, sha256: str, first: int = 1) -> int | None:
    """Draw pages `first`.. (one chunk) of an indexed content; the next chunk's first page.

    Runs after indexing, so it is never on the path to searchable. The
    drawing parses the original again, so it happens in the sandbox; a page
    that cannot be drawn just has no thumbnail.
    """
    with container.sessions() as session:
        content = session.get(Content, sha256)
        if content is None or content.status != "indexed" or not drawable(content.media_type):
            return None
        media_type, count = content.media_type, content.page_count or 0
        last = min(first + THUMBNAIL_CHUNK - 1, count)
        # Pages OCR found lying on their side are drawn as they were read.
        turned: dict[int, int] = dict(
            session.execute(
                select(Page.number, Page.turned).where(
                    Page.sha256 == sha256,
                    Page.number.between(first, last),
                    Page.turned != 0,
                )
            ).all()
        )
    if first > last:
        return None
    following = last + 1 if last < count else None
    wanted = {afgeleiden.thumbnail_key(sha256, n) for n in range(first, last + 1)}
    if wanted <= set(container.store.list_keys(derived_key(sha256, "thumbnail-"))):
        return following  # drawn already: a redelivery
    with _spool(container, "thumbs", sha256) as tmp:
        original = Path(tmp) / "original"
        _download(container, original_key(sha256), original)
        drawn = default_sandbox().run(
            "ingest.pages:thumbnails",
            str(original),
            str(Path(tmp) / "thumbs"),
            media_type,
            first,
            last,
            container.settings.ingest.max_pages,
            {str(n): d for n, d in turned.items()},
            limits=_limits(container),
        )
        if not isinstance(drawn, dict):
            raise ArchiefError(f"thumbnails returned {type(drawn).__name__}, not a result")
        made = [(int(p["number"]), Path(str(p["image"]))) for p in drawn["pages"]]
        _store_thumbnails(container, sha256, made)
    log.info("ingest.thumbnails", sha256=sha256, first=first, last=last, drawn=len(made))
    return following


def _store_thumbnails(container: Container, sha256: str, made: Iterable[tuple[int, Path]]) -> None:
    uploads: list[tuple[str, Path | bytes, str]] = [
        (afgeleiden.thumbnail_key(sha256, n), path, "image/png") for n, path in made
    ]
    with container.sessions.begin() as session:
        # Destruction locks the record before it purges the content's prefix:
        # holding the records while we write means we either finish first and
        # are purged with the rest, or see the content destroyed and write
        # nothing. Either way no thumbnail outlives its content.
        session.execute(
            select(Record.id)
            .where(Record.sha256 == sha256)
            .order_by(Record.id)  # the order _index locks them in: no deadlock
            .with_for_update(read=True)
        ).all()
        status = session.scalar(select(Content.status).where(Content.sha256 == sha256))
        if status != "indexed":
            return
        _put_all(container, uploads)
