# SPDX-License-Identifier: EUPL-1.2
"""Server-rendered public pages under /publiek, their feeds, the widget and the sitemap.

Everything here shows the public's view (`repository.Publiek`): the
caller's token, if any, is not even read. Pages are plain HTML from Jinja2
templates with one stylesheet and no scripts; `antwoord.PubliekRoute` adds
the security and caching headers and turns a missing or hidden page into
one HTML 404.

`router` is what the app includes: these pages plus the civil servant's
publishing endpoints (`publicatie`), which live beside the dossier API.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

import structlog
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from markupsafe import Markup

from archief.errors import NotFound, PortError
from archief.ports import ObjectStore, SearchQuery
from archief.publiek import feeds, metadata, publicatie, woo
from archief.publiek.antwoord import (
    LANG_BEWAREN,
    OPNIEUW_VRAGEN,
    PubliekRoute,
    html,
    widget_csp,
)
from archief.publiek.repository import Publiek, PubliekRecord
from archief.publiek.weergave import css_versie, pad, render, statisch, wijknaam
from archief.settings import PubliekSettings
from archief.storage.common import CHUNK
from policies.engine import OPENBAAR

log = structlog.get_logger(__name__)

pagina = APIRouter(
    prefix="/publiek", tags=["publiek"], include_in_schema=False, route_class=PubliekRoute
)

# How many recent publications a page lists, and hits a search page shows.
RECENT = 10
WIJK_RECENT = 20
TREFFERS = 20
# Numbered search pages stop here: 50 pages of 20, 1,000 hits. Elasticsearch
# refuses from + size beyond index.max_result_window (10,000 by default), and
# nobody pages that far; a narrower query serves them better. A higher
# `pagina` is a 400, never a 500 from the index.
MAX_PAGINA = 50
MAX_RESULT_WINDOW = 10_000
if MAX_PAGINA * TREFFERS > MAX_RESULT_WINDOW:  # pragma: no cover - a constant edited wrongly
    raise RuntimeError("search pages would pass Elasticsearch's max_result_window")
Formaat = Literal["atom", "rss"]


@dataclass(frozen=True, slots=True)
class Treffer:
    record: PubliekRecord
    fragmenten: Sequence[str]
    paginas: Sequence[int]


@dataclass(frozen=True, slots=True)
class Zoekresultaat:
    """One page of a public search, with what its links need to keep the query and filters."""

    q: str
    wijk: str = ""
    pagina: int = 1
    totaal: int = 0
    treffers: Sequence[Treffer] = field(default_factory=tuple)
    fout: bool = False

    @property
    def aantal_paginas(self) -> int:
        """Pages that can be asked for (at most MAX_PAGINA, however many hits there are)."""
        return min(-(-self.totaal // TREFFERS), MAX_PAGINA)

    @property
    def afgekapt(self) -> bool:
        """More hits than the numbered pages reach."""
        return self.totaal > self.bereik

    @property
    def bereik(self) -> int:
        """How many hits the numbered pages reach."""
        return MAX_PAGINA * TREFFERS

    @property
    def eerste(self) -> int:
        return (self.pagina - 1) * TREFFERS + 1

    @property
    def laatste(self) -> int:
        return self.eerste + len(self.treffers) - 1

    @property
    def vorige(self) -> int | None:
        return self.pagina - 1 if 1 < self.pagina <= self.aantal_paginas else None

    @property
    def volgende(self) -> int | None:
        return self.pagina + 1 if self.pagina < self.aantal_paginas else None

    def url(self, pagina: int) -> str:
        """This search on another page: the query and every filter travel along."""
        params: dict[str, str | int] = {"q": self.q}
        if self.wijk:
            params["wijk"] = self.wijk
        if pagina > 1:
            params["pagina"] = pagina
        return "/publiek?" + urlencode(params)

    def nummers(self) -> list[int | None]:
        """The page numbers to link: the first, the last, two either side (None: a gap)."""
        laatste = self.aantal_paginas
        wanted = {1, laatste, *range(self.pagina - 2, self.pagina + 3)}
        out: list[int | None] = []
        for n in sorted(n for n in wanted if 1 <= n <= laatste):
            if out and out[-1] is not None and n > out[-1] + 1:
                out.append(None)
            out.append(n)
        return out


def _settings(request: Request) -> PubliekSettings:
    settings: PubliekSettings = request.app.state.container.settings.publiek
    return settings


def _base(request: Request) -> str:
    return str(request.app.state.container.settings.api.public_url).rstrip("/")


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.container.clock.now()
    return now


@contextmanager
def _publiek(request: Request) -> Iterator[Publiek]:
    container = request.app.state.container
    with container.sessions() as session:
        yield Publiek(session, container.policies.current(session))


def _pagina(request: Request, template: str, **context: Any) -> Response:
    settings = _settings(request)
    body = render(
        template,
        organisatie=settings.organisatie,
        uitgever=woo.uitgever(settings),
        wijknaam=lambda slug: wijknaam(slug, settings.wijknamen),
        **context,
    )
    return html(body)


# -- pages --------------------------------------------------------------------


def _zoek(request: Request, publiek: Publiek, q: str, wijk: str, nummer: int) -> Zoekresultaat:
    """One page of hits in the public layer, the public's permission filter inside the index."""
    index = request.app.state.container.index
    if index is None:
        return Zoekresultaat(q, wijk, nummer, fout=True)
    query = SearchQuery(
        permission=publiek.access.search_filter(),
        text=q,
        layers=[OPENBAAR],
        wijken=[wijk] if wijk else [],
        size=TREFFERS,
        offset=(nummer - 1) * TREFFERS,
        facets=False,
    )
    try:
        result = index.search(query)
    except PortError:
        log.warning("publiek.search.unavailable")
        return Zoekresultaat(q, wijk, nummer, fout=True)
    found = publiek.which([h.record_id for h in result.hits])
    treffers = []
    for hit in result.hits:
        record = found.get(hit.record_id)
        if record is None:
            # The index lags the catalog (or the record is no longer active):
            # never show it.
            log.error("publiek.search.recheck_denied", record_id=hit.record_id)
            continue
        treffers.append(Treffer(record, list(hit.highlights), list(hit.pages)))
    # The total is exact (track_total_hits); a hit the re-check refused is not counted.
    totaal = result.total - (len(result.hits) - len(treffers))
    return Zoekresultaat(q, wijk, nummer, totaal, treffers)


@pagina.get("")
def home(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    wijk: Annotated[str, Query(max_length=100)] = "",
    # Out of range or not a number: the friendly 400 page (PubliekRoute).
    nummer: Annotated[int, Query(alias="pagina", ge=1, le=MAX_PAGINA)] = 1,
) -> Response:
    """Search over the public layer (paged), the wijken, and what was published last."""
    with _publiek(request) as publiek:
        zoek = _zoek(request, publiek, q.strip(), wijk.strip(), nummer) if q.strip() else None
        wijken = publiek.wijken()
        recent = publiek.records(limit=RECENT)
    return _pagina(request, "home.html", zoek=zoek, wijken=wijken, recent=recent)


def _wijk_of_404(request: Request, publiek: Publiek, wijk: str) -> list[Any]:
    dossiers = publiek.dossiers_in(wijk)
    # A wijk the settings name exists before anything is published in it
    # (its widget can be embedded from day one); any other only with content.
    if not dossiers and wijk not in _settings(request).wijknamen:
        raise NotFound(f"no wijk {wijk}")
    return dossiers


def _widget_code(request: Request, wijk: str) -> str:
    naam = wijknaam(wijk, _settings(request).wijknamen)
    return (
        f'<iframe src="{_base(request)}/publiek/wijken/{pad(wijk)}/widget" '
        f'title="Nieuw in {naam}" width="100%" height="360" loading="lazy"></iframe>'
    )


@pagina.get("/wijken/{wijk}")
def wijk(request: Request, wijk: str) -> Response:
    """The dossiers of a wijk with public content, and its recent publications."""
    with _publiek(request) as publiek:
        dossiers = _wijk_of_404(request, publiek, wijk)
        recent = publiek.records(dossier_ids=[d.id for d in dossiers], limit=WIJK_RECENT)
    return _pagina(
        request,
        "wijk.html",
        wijk=wijk,
        dossiers=dossiers,
        recent=recent,
        widget_code=_widget_code(request, wijk),
    )


@pagina.get("/dossiers/{kenmerk}")
def dossier(request: Request, kenmerk: str) -> Response:
    """The communicatiedossier: summary, planning, documents, reports, decisions, FAQ."""
    with _publiek(request) as publiek:
        found = publiek.dossier(kenmerk)
        if found is None:
            raise NotFound(f"no dossier {kenmerk}")
        records = publiek.records(dossier_ids=[found.id])
        besluiten = publiek.besluiten_van(found.id)
    return _pagina(
        request,
        "dossier.html",
        dossier=found,
        documenten=[r for r in records if r.soort != "verslag"],
        verslagen=[r for r in records if r.soort == "verslag"],
        besluiten=besluiten,
        reactie=None,
    )


@pagina.get("/besluiten/{kenmerk}")
def besluit(request: Request, kenmerk: str) -> Response:
    """A decision's public timeline: the steps the public may see, with their public records."""
    with _publiek(request) as publiek:
        view = publiek.besluit(kenmerk)
        if view is None:
            raise NotFound(f"no besluit {kenmerk}")
        openbaar = publiek.which([r.id for s in view.stappen for r in s.records])
        dossier = publiek.dossier(view.dossier.kenmerk)
    return _pagina(request, "besluit.html", besluit=view, openbaar=openbaar, dossier=dossier)


# -- records: the original and its Woo metadata ---------------------------------


def _stream(store: ObjectStore, key: str) -> Iterator[bytes]:
    with store.open(key) as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _disposition(name: str) -> str:
    # RFC 6266: an ASCII fallback, and the real name percent-encoded.
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _publiek_record(request: Request, record_id: str) -> PubliekRecord:
    with _publiek(request) as publiek:
        record = publiek.record(record_id)
    if record is None:
        raise NotFound(f"no record {record_id}")
    return record


@pagina.get("/records/{record_id}/download")
def download(request: Request, record_id: str) -> Response:
    """The original of a public, active record, streamed; anything else is 404."""
    record = _publiek_record(request, record_id)
    store: ObjectStore = request.app.state.container.store
    info = store.stat(record.object_key)  # a 404 before the stream starts
    log.info("publiek.download", record_id=record.id)
    return StreamingResponse(
        _stream(store, record.object_key),
        media_type=record.media_type,
        headers={
            "Content-Disposition": _disposition(record.filename or record.sha256),
            "Content-Length": str(info.size),
            # The bytes never change, but publication may end: revalidate.
            "ETag": f'"{record.sha256}"',
            "Cache-Control": OPNIEUW_VRAGEN,
        },
    )


@pagina.get("/records/{record_id}/metadata.xml")
def record_metadata(request: Request, record_id: str) -> Response:
    """The record's Woo metadata (DiWoo 0.9.8) as an XML document."""
    record = _publiek_record(request, record_id)
    body = metadata.document(record, woo.uitgever(_settings(request)))
    return Response(body, media_type=metadata.MEDIA_TYPE)


# -- feeds and the widget -------------------------------------------------------


def _feed(request: Request, formaat: Formaat, kanaal: feeds.Kanaal, records: Any) -> Response:
    base, now = _base(request), _now(request)
    if formaat == "atom":
        return Response(feeds.atom(kanaal, records, base, now), media_type=feeds.ATOM_TYPE)
    return Response(feeds.rss(kanaal, records, base, now), media_type=feeds.RSS_TYPE)


def _alles(request: Request, formaat: Formaat) -> Response:
    base, settings = _base(request), _settings(request)
    with _publiek(request) as publiek:
        records = publiek.records(limit=feeds.MAX_ITEMS)
    kanaal = feeds.Kanaal(
        titel=f"Publicaties van {settings.organisatie}",
        omschrijving=f"Wat {settings.organisatie} openbaar maakt over projecten in de wijken.",
        html_url=f"{base}/publiek",
        atom_url=f"{base}/publiek/feeds/alles.atom",
        rss_url=f"{base}/publiek/feeds/alles.rss",
        uitgever=settings.organisatie,
    )
    return _feed(request, formaat, kanaal, records)


@pagina.get("/feeds/alles.atom")
def alles_atom(request: Request) -> Response:
    """Every publication, newest first (Atom)."""
    return _alles(request, "atom")


@pagina.get("/feeds/alles.rss")
def alles_rss(request: Request) -> Response:
    """Every publication, newest first (RSS 2.0)."""
    return _alles(request, "rss")


def _wijk_feed(request: Request, wijk: str, formaat: Formaat) -> Response:
    base, settings = _base(request), _settings(request)
    with _publiek(request) as publiek:
        dossiers = _wijk_of_404(request, publiek, wijk)
        records = publiek.records(dossier_ids=[d.id for d in dossiers], limit=feeds.MAX_ITEMS)
    naam = wijknaam(wijk, settings.wijknamen)
    url = f"{base}/publiek/wijken/{pad(wijk)}"
    kanaal = feeds.Kanaal(
        titel=f"Publicaties in {naam}",
        omschrijving=f"Wat {settings.organisatie} openbaar maakt over projecten in {naam}.",
        html_url=url,
        atom_url=f"{url}/feed.atom",
        rss_url=f"{url}/feed.rss",
        uitgever=settings.organisatie,
    )
    return _feed(request, formaat, kanaal, records)


@pagina.get("/wijken/{wijk}/feed.atom")
def wijk_atom(request: Request, wijk: str) -> Response:
    """A wijk's publications (Atom)."""
    return _wijk_feed(request, wijk, "atom")


@pagina.get("/wijken/{wijk}/feed.rss")
def wijk_rss(request: Request, wijk: str) -> Response:
    """A wijk's publications (RSS 2.0)."""
    return _wijk_feed(request, wijk, "rss")


def _dossier_feed(request: Request, kenmerk: str, formaat: Formaat) -> Response:
    base, settings = _base(request), _settings(request)
    with _publiek(request) as publiek:
        found = publiek.dossier(kenmerk)
        if found is None:
            raise NotFound(f"no dossier {kenmerk}")
        records = publiek.records(dossier_ids=[found.id], limit=feeds.MAX_ITEMS)
    url = f"{base}/publiek/dossiers/{pad(kenmerk)}"
    kanaal = feeds.Kanaal(
        titel=f"{found.titel}: publicaties",
        omschrijving=f"Nieuwe documenten in het project {found.titel}.",
        html_url=url,
        atom_url=f"{url}/feed.atom",
        rss_url=f"{url}/feed.rss",
        uitgever=settings.organisatie,
    )
    return _feed(request, formaat, kanaal, records)


@pagina.get("/dossiers/{kenmerk}/feed.atom")
def dossier_atom(request: Request, kenmerk: str) -> Response:
    """A dossier's publications (Atom)."""
    return _dossier_feed(request, kenmerk, "atom")


@pagina.get("/dossiers/{kenmerk}/feed.rss")
def dossier_rss(request: Request, kenmerk: str) -> Response:
    """A dossier's publications (RSS 2.0)."""
    return _dossier_feed(request, kenmerk, "rss")


@pagina.get("/wijken/{wijk}/widget")
def widget(request: Request, wijk: str, aantal: Annotated[int, Query(ge=1, le=20)] = 5) -> Response:
    """A small self-contained page for an iframe on a wijk website: the newest publications."""
    settings = _settings(request)
    with _publiek(request) as publiek:
        dossiers = _wijk_of_404(request, publiek, wijk)
        records = publiek.records(dossier_ids=[d.id for d in dossiers], limit=aantal)
    css = statisch("widget.css").decode().strip()
    body = render(
        "widget.html",
        # Trusted: our own file, and its bytes are what the CSP hash allows.
        css=Markup(css),  # noqa: S704
        naam=wijknaam(wijk, settings.wijknamen),
        organisatie=settings.organisatie,
        wijk=wijk,
        records=records,
        base=_base(request),
    )
    return html(body, headers={"Content-Security-Policy": widget_csp(css)})


# -- sitemap and static ---------------------------------------------------------


@pagina.get("/sitemap.xml")
def sitemap(request: Request) -> Response:
    """Every public page and published record (sitemaps.org), records with DiWoo metadata."""
    base, now = _base(request), _now(request)
    with _publiek(request) as publiek:
        dossiers = publiek.dossiers()
        records = publiek.records()
        besluiten = publiek.alle_besluiten()
    wijken: dict[str, datetime] = {}
    for d in dossiers:
        for w in d.wijken:
            wijken[w] = max(wijken.get(w, d.bijgewerkt), d.bijgewerkt, key=feeds.utc)
    paginas = [
        metadata.Pagina(
            f"{base}/publiek", max((r.gepubliceerd_op for r in records), key=feeds.utc, default=now)
        ),
        *(metadata.Pagina(f"{base}/publiek/wijken/{pad(w)}", t) for w, t in sorted(wijken.items())),
        *(
            metadata.Pagina(f"{base}/publiek/dossiers/{pad(d.kenmerk)}", d.bijgewerkt)
            for d in dossiers
        ),
        *(
            metadata.Pagina(
                f"{base}/publiek/besluiten/{pad(b.kenmerk)}",
                max((s.vastgelegd for s in b.stappen), key=feeds.utc),
            )
            for b in besluiten
        ),
    ]
    body = metadata.sitemap(paginas, records, base, woo.uitgever(_settings(request)))
    return Response(body, media_type=metadata.MEDIA_TYPE)


@pagina.get("/static/publiek.css")
def stylesheet(v: str = "") -> Response:
    """The one stylesheet; its URL carries its hash, so browsers may keep it for a year."""
    return Response(
        statisch("publiek.css"),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": LANG_BEWAREN if v == css_versie() else OPNIEUW_VRAGEN},
    )


# Any other path under /publiek: the same HTML 404 with the same headers. It
# matches everything, so it is included last: a later public module (the
# reaction form) adds its router to `router` before `_rest`.
_rest = APIRouter(
    prefix="/publiek", tags=["publiek"], include_in_schema=False, route_class=PubliekRoute
)


@_rest.get("/{rest:path}")
def elders(rest: str) -> Response:
    """No such public page (and /publiek/ is /publiek)."""
    if not rest:
        return RedirectResponse("/publiek", status_code=308)
    raise NotFound(f"no public page {rest}")


router = APIRouter()
router.include_router(pagina)
router.include_router(publicatie.router)
router.include_router(_rest)
