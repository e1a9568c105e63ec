# SPDX-License-Identifier: EUPL-1.2
"""HTTP endpoints for records and search. Every one decides through the policy.

Search sends the caller's compiled filter into Elasticsearch, so totals,
facets, highlights and suggestions only count what the caller may see; the
hits that come back are checked once more with casbin against the catalog.
Single records the caller may not read answer 404, exactly as missing ones.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Query, Request
from fastapi import Path as FastApiPath
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlalchemy import select

from archief.audit.chain import Actor, append
from archief.bewaring.status import check_inhoud
from archief.catalog.models import Content, Page, Record
from archief.errors import ArchiefError, NotFound, PortError
from archief.ports import ObjectStore, SearchIndex, SearchQuery
from archief.records import afgeleiden, service
from archief.records.schemas import (
    MoveIn,
    PageOut,
    RecordOut,
    SearchHitOut,
    SearchOut,
    SearchParams,
    SuggestOut,
)
from archief.storage.common import CHUNK, derived_key
from archief.toegang.access import Access, positions, target_of
from archief.toegang.deps import CurrentAccess
from policies.engine import OPENBAAR

router = APIRouter(tags=["records"])
log = structlog.get_logger(__name__)

# A presigned download URL lives this long: enough to start the download,
# too short to be worth passing around.
PRESIGN_SECONDS = 60


class BadCursor(ArchiefError):
    code = "invalid_cursor"
    status = 422
    title = "Ongeldige cursor"


def _index(request: Request) -> SearchIndex:
    index: SearchIndex | None = request.app.state.container.index
    if index is None:
        raise PortError("search", "no search index configured (ARCHIEF_SEARCH__URL)")
    return index


def encode_cursor(sort: str, values: Sequence[Any]) -> str:
    """The last hit's sort values, with the order they belong to, as an opaque string."""
    raw = json.dumps({"sort": sort, "after": list(values)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _scalar(value: object) -> bool:
    return value is None or (isinstance(value, str | int | float) and not isinstance(value, bool))


def decode_cursor(cursor: str, sort: str) -> list[Any]:
    """Refuse anything this API did not hand out for this order, before it reaches the index."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise BadCursor("the cursor is not one this API handed out") from exc
    values = data.get("after") if isinstance(data, dict) else None
    if not isinstance(values, list) or len(values) != 2 or not all(_scalar(v) for v in values):
        raise BadCursor("the cursor is not one this API handed out")
    if data.get("sort") != sort:
        raise BadCursor(f"the cursor belongs to sort={data.get('sort')!r}, not sort={sort!r}")
    return values


@router.get("/search")
def search(
    request: Request, access: CurrentAccess, params: Annotated[SearchParams, Query()]
) -> SearchOut:
    """Search the records the caller may see: stemming, "phrases", -not, a | b."""
    index = _index(request)
    query = SearchQuery(
        permission=access.search_filter(),
        text=params.q.strip(),
        dossiers=params.dossier,
        layers=params.laag,
        afdelingen=params.afdeling,
        wijken=params.wijk,
        soorten=params.soort,
        media_types=params.media_type,
        date_from=params.van,
        date_to=params.tot,
        sort=params.sort,
        size=params.size,
        search_after=decode_cursor(params.cursor, params.sort) if params.cursor else None,
    )
    result = index.search(query)
    hits = _recheck(request, access, result.hits)
    last = result.hits[-1] if result.hits else None
    return SearchOut(
        total=result.total,
        hits=[
            SearchHitOut(
                record_id=h.record_id,
                dossier_id=h.dossier_id,
                title=h.title,
                laag=h.layer,
                score=h.score,
                pages=list(h.pages),
                highlights=list(h.highlights),
            )
            for h in hits
        ],
        facets={name: dict(counts) for name, counts in result.facets.items()},
        next_cursor=encode_cursor(params.sort, last.sort)
        if last is not None and len(result.hits) == params.size
        else None,
    )


def _recheck(request: Request, access: Access, hits: Any) -> list[Any]:
    """The second line of defence: every hit asked of casbin, against the catalog."""
    with request.app.state.container.sessions() as session:
        where = positions(session, [h.record_id for h in hits])
    kept = []
    for hit in hits:
        pos = where.get(hit.record_id)
        if pos is not None and access.can(pos.target, "read"):
            kept.append(hit)
        else:
            # The filter let through what casbin denies: the index is stale or
            # the compiler is wrong. Never show it; shout in the log.
            log.error("search.recheck_denied", record_id=hit.record_id, subject=access.subject.id)
    return kept


@router.get("/search/suggest")
def suggest(
    request: Request,
    access: CurrentAccess,
    prefix: Annotated[str, Query(min_length=1, max_length=100)],
    size: Annotated[int, Query(ge=1, le=20)] = 8,
) -> SuggestOut:
    """Title completions, from permitted records only."""
    titles = _index(request).suggest(prefix, permission=access.search_filter(), size=size)
    return SuggestOut(suggestions=titles)


def _ports(container: Any) -> service.Ports:
    return service.Ports(container.sessions, container.index, container.clock)


def _audit(
    request: Request,
    access: Access,
    record: Record,
    actie: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Log a read (opening, downloading) before the caller gets anything."""
    container = request.app.state.container
    with container.sessions.begin() as session:
        append(
            session,
            actor=Actor.of(access.subject),
            actie=actie,
            object_type="record",
            object_id=record.id,
            dossier_id=record.dossier_id,
            at=container.clock.now(),
            details={"versie": record.versie, **(details or {})},
        )


def _readable(request: Request, access: Access, record_id: str, act: str = "read") -> Record:
    with request.app.state.container.sessions() as session:
        record = session.get(Record, record_id)
        if record is None:
            raise NotFound(f"no record {record_id}")
        access.require(target_of(session, record), act, f"record {record_id}")
        session.expunge(record)
        return record  # type: ignore[no-any-return]  # session.get is typed loosely here


def record_out(request: Request, access: Access, record_id: str, *, check: bool) -> RecordOut:
    with request.app.state.container.sessions() as session:
        record = session.get(Record, record_id)
        if record is None:
            raise NotFound(f"no record {record_id}")
        if check:
            access.require(target_of(session, record), "read", f"record {record_id}")
        content = session.get(Content, record.sha256)
        laag = access.policy.laag(record.laag)
        return RecordOut(
            id=record.id,
            dossier_id=record.dossier_id,
            dossier_kenmerk=record.dossier.kenmerk,
            titel=record.titel,
            laag=record.laag,
            vertrouwelijkheid=laag.vertrouwelijkheid if laag else "",
            publicabel=record.laag == OPENBAAR,
            soort=record.soort,
            media_type=record.media_type,
            size=record.size,
            filename=record.filename,
            sha256=record.sha256,
            status=record.status,
            processing=content.status if content else "unknown",
            page_count=content.page_count if content else None,
            created_at=record.created_at,
            versie=record.versie,
            categorie=record.categorie or record.dossier.categorie,
            archiefnominatie=record.archiefnominatie,
            archiefactiedatum=record.archiefactiedatum,
        )


@router.get("/records/{record_id}")
def get_record(request: Request, access: CurrentAccess, record_id: str) -> RecordOut:
    """A record's metadata (opening it is logged in the audit trail)."""
    _audit(request, access, _readable(request, access, record_id), "record.geopend")
    return record_out(request, access, record_id, check=False)


@router.get("/records/{record_id}/pages")
def get_pages(request: Request, access: CurrentAccess, record_id: str) -> list[PageOut]:
    """The text of every page, with where it came from (text layer or OCR) and confidence."""
    record = _readable(request, access, record_id)
    check_inhoud(record)
    _audit(request, access, record, "record.geopend", {"onderdeel": "tekst"})
    container = request.app.state.container
    with container.sessions() as session:
        pages = list(
            session.scalars(select(Page).where(Page.sha256 == record.sha256).order_by(Page.number))
        )
    texts = afgeleiden.read(container.store, [(p.number, p.text_key) for p in pages])
    return [
        PageOut(
            number=page.number,
            source=page.source,
            confidence=page.confidence,
            needs_review=page.needs_review,
            turned=page.turned,
            text=texts.get(page.number, ""),
        )
        for page in pages
    ]


def _stream(store: ObjectStore, key: str) -> Iterator[bytes]:
    with store.open(key) as f:
        while chunk := f.read(CHUNK):
            yield chunk


def original_response(
    store: ObjectStore, key: str, *, media_type: str, filename: str, sha256: str
) -> StreamingResponse:
    """An original as an attachment, streamed; its hash is the ETag (it never changes)."""
    info = store.stat(key)
    return StreamingResponse(
        _stream(store, key),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Length": str(info.size),
            "ETag": f'"{sha256}"',
        },
    )


@router.get("/records/{record_id}/download", response_model=None)
def download(
    request: Request,
    access: CurrentAccess,
    record_id: str,
    presigned: Annotated[bool, Query(description="Redirect to a short-lived URL")] = False,
) -> StreamingResponse | RedirectResponse:
    """The original, authorised first, then streamed (or a 60-second presigned URL)."""
    record = _readable(request, access, record_id, "download")
    check_inhoud(record)
    _audit(request, access, record, "record.gedownload", {"presigned": presigned})
    store = request.app.state.container.store
    name = (record.filename or record.sha256).replace('"', "")
    if presigned and hasattr(store, "presigned_url"):
        url = store.presigned_url(record.object_key, seconds=PRESIGN_SECONDS, filename=name)
        return RedirectResponse(url, status_code=307)
    return original_response(
        store, record.object_key, media_type=record.media_type, filename=name, sha256=record.sha256
    )


def _thumbnail(
    request: Request, access: Access, record_id: str, number: int, details: dict[str, Any]
) -> StreamingResponse:
    """A page as a small PNG: a derivative, so it needs download rights; 404 until drawn."""
    record = _readable(request, access, record_id, "download")
    check_inhoud(record)
    store: ObjectStore = request.app.state.container.store
    key = afgeleiden.thumbnail_key(record.sha256, number)
    try:
        store.stat(key)  # 404 before the stream starts
    except NotFound:
        if number != 1:
            raise NotFound(f"page {number} of record {record_id} has no thumbnail") from None
        # Ingested before every page got one: only page 1 was drawn, under this name.
        key = derived_key(record.sha256, afgeleiden.LEGACY_THUMBNAIL)
        try:
            store.stat(key)
        except NotFound:
            raise NotFound(f"page 1 of record {record_id} has no thumbnail") from None
    _audit(request, access, record, "record.gedownload", details)
    return StreamingResponse(_stream(store, key), media_type="image/png")


@router.get("/records/{record_id}/thumbnail", response_model=None)
def thumbnail(request: Request, access: CurrentAccess, record_id: str) -> StreamingResponse:
    """The first page as a small PNG: a derivative, so it needs download rights."""
    return _thumbnail(request, access, record_id, 1, {"afgeleide": "thumbnail"})


@router.get("/records/{record_id}/pages/{number}/thumbnail", response_model=None)
def page_thumbnail(
    request: Request,
    access: CurrentAccess,
    record_id: str,
    number: Annotated[int, FastApiPath(ge=1, le=100_000)],
) -> StreamingResponse:
    """Page `number` as a small PNG (drawn shortly after indexing; 404 until then)."""
    return _thumbnail(
        request, access, record_id, number, {"afgeleide": "thumbnail", "pagina": number}
    )


def _moved(request: Request, access: Access, record: Record) -> RecordOut:
    # The caller could read the record before acting on it; after the move
    # it may sit in a layer they cannot read, and they still get its new state.
    return record_out(request, access, record.id, check=False)


@router.post("/records/{record_id}/laag")
def move(request: Request, access: CurrentAccess, record_id: str, body: MoveIn) -> RecordOut:
    """Move a record to another layer of its dossier; every path sees it at once."""
    container = request.app.state.container
    record = service.move(_ports(container), access, record_id, body.laag)
    return _moved(request, access, record)


@router.post("/records/{record_id}/publicatie")
def publish(request: Request, access: CurrentAccess, record_id: str) -> RecordOut:
    """Mark a record publicabel: it moves to the public layer in one step."""
    container = request.app.state.container
    record = service.publish(_ports(container), access, record_id)
    return _moved(request, access, record)


@router.delete("/records/{record_id}/publicatie")
def withdraw(request: Request, access: CurrentAccess, record_id: str) -> RecordOut:
    """Withdraw a publication: off the public layer, back to where it was, at once."""
    container = request.app.state.container
    record = service.withdraw(_ports(container), access, record_id)
    return _moved(request, access, record)
