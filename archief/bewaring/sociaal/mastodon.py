# SPDX-License-Identifier: EUPL-1.2
"""Read a Mastodon (ActivityPub) outbox: an ActivityStreams 2.0 collection of activities.

Both shapes are read: the `outbox.json` of a Mastodon account archive (an
OrderedCollection with every item inline) and one OrderedCollectionPage of
a live outbox, as the connector fetches it. Raw: the exact bytes of one
element of `orderedItems` (the Create or Announce activity with its inline
object), as they stand in the file or the HTTP response body.

`Create` of a note-like object becomes a post; `Announce` a repost. Other
activities (Update, Delete, Like, ...) carry no post of their own and are
passed over, as are items given only as a bare URI.
"""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from archief.bewaring.sociaal import _json, _tijd
from archief.bewaring.sociaal._tekst import html_naar_tekst, normaliseer
from archief.bewaring.sociaal._waarden import dict_, dicts, link, str_
from archief.bewaring.sociaal.model import Bericht, Media, OngeldigeExport, Overslaan

COLLECTIE_TYPES = {"OrderedCollection", "OrderedCollectionPage", "Collection", "CollectionPage"}


@dataclass(frozen=True, slots=True)
class Collectie:
    """One outbox document: its kind, where the items go on, and the item spans."""

    type: str
    id: str | None
    eerste: str | None  # `first`: the first page, when the items are not inline
    volgende: str | None  # `next`: the following page
    aantal_items: int


def lees_outbox(
    data: _json.Bron, *, bron: str, overslaan: Overslaan | None = None
) -> Iterator[Bericht]:
    """Yield one `Bericht` per post in an outbox collection or collection page."""
    _collectie, berichten = lees_collectie(data, bron=bron, overslaan=overslaan)
    yield from berichten


def lees_collectie(
    data: _json.Bron, *, bron: str, overslaan: Overslaan | None = None
) -> tuple[Collectie, Iterator[Bericht]]:
    """Return the collection's paging links and a lazy iterator of its posts."""
    pos = _json.start_of(data)
    members, end = _json.object_members(data, pos, bron)
    _json.expect_end(data, end, bron)

    def member(name: str) -> Any:
        span = members.get(name)
        return None if span is None else _json.load_span(data, *span, bron)

    kind = member("type")
    if kind not in COLLECTIE_TYPES:
        raise OngeldigeExport(bron, f"geen ActivityStreams-collectie (type {kind!r})", positie=pos)
    items = members.get("orderedItems") or members.get("items")
    spans: list[tuple[int, int]] = []
    if items is not None:
        if _json.byte_at(data, items[0]) != ord("["):
            raise OngeldigeExport(bron, "orderedItems is geen lijst", positie=items[0])
        # Spans only: the scan costs no parsing, and the count is known up front.
        spans = list(_json.ArrayWalk(data, items[0], bron))
    first = member("first")
    collectie = Collectie(
        type=kind,
        id=str_(member("id")),
        eerste=link(first),
        volgende=link(member("next")),
        aantal_items=len(spans),
    )

    def berichten() -> Iterator[Bericht]:
        for start, stop in spans:
            try:
                item = _json.load_span(data, start, stop, bron)
                bericht = _bericht(item, bytes(data[start:stop]), bron=bron, positie=start)
            except OngeldigeExport as exc:
                if overslaan is None:
                    raise
                overslaan(exc)
                continue
            if bericht is not None:
                yield bericht

    return collectie, berichten()


def _bericht(item: Any, ruw: bytes, *, bron: str, positie: int) -> Bericht | None:
    def fout(reden: str) -> OngeldigeExport:
        return OngeldigeExport(bron, reden, positie=positie)

    if not isinstance(item, dict):
        return None  # a bare link: nothing to keep but the link itself
    kind = item.get("type")
    actor = link(item.get("actor"))
    if kind == "Announce":
        activity_id = str_(item.get("id"))
        if not activity_id:
            raise fout("Announce zonder id")
        geplaatst = _tijd.iso(item.get("published"))
        if geplaatst is None:
            raise fout(f"{activity_id}: ongeldige published {item.get('published')!r}")
        return Bericht(
            platform="mastodon",
            platform_id=activity_id,
            account=actor or "",
            auteur=actor or "",
            tekst="",
            geplaatst_op=geplaatst,
            url=activity_id,
            ruw=ruw,
            bron=bron,
            soort="repost",
            gedeeld_van=link(item.get("object")),
        )
    if kind != "Create":
        return None
    note = item.get("object")
    if not isinstance(note, dict):
        # A public outbox always inlines what it creates; without it there is no post to keep.
        raise fout("Create zonder ingesloten object")
    note_id = str_(note.get("id"))
    if not note_id:
        raise fout("object zonder id")
    published = note.get("published", item.get("published"))
    geplaatst = _tijd.iso(published)
    if geplaatst is None:
        raise fout(f"{note_id}: ongeldige published {published!r}")
    content = str_(note.get("content"))
    if content is None:
        content_map = dict_(note.get("contentMap"))
        content = next((v for v in content_map.values() if isinstance(v, str)), "")
    summary = str_(note.get("summary")) or str_(note.get("name"))
    parent = link(note.get("inReplyTo"))
    auteur = link(note.get("attributedTo")) or actor or ""
    gesprek = str_(note.get("conversation")) or link(note.get("context"))
    return Bericht(
        platform="mastodon",
        platform_id=note_id,
        account=actor or auteur,
        auteur=auteur,
        tekst=html_naar_tekst(content),
        geplaatst_op=geplaatst,
        url=_web_url(note.get("url")) or note_id,
        ruw=ruw,
        bron=bron,
        in_antwoord_op=parent,
        gesprek=gesprek or (None if parent else note_id),
        media=_media(note.get("attachment")),
        soort="antwoord" if parent else "bericht",
        titel=normaliseer(summary) if summary else None,
    )


def _web_url(value: object) -> str | None:
    # `url` may list several links; the HTML page is the one people open.
    for candidate in dicts(value):
        if candidate.get("mediaType") in (None, "text/html") and str_(candidate.get("href")):
            return str(candidate["href"])
    return link(value)


def _media(value: object) -> tuple[Media, ...]:
    found: list[Media] = []
    for attachment in dicts(value):
        url = link(attachment.get("url"))
        if not url:
            continue
        path = urlsplit(url).path
        found.append(
            Media(
                url=url,
                media_type=str_(attachment.get("mediaType")) or mimetypes.guess_type(path)[0],
                # In an account archive the url is the file's path inside it.
                naam=posixpath.basename(path) or None,
                beschrijving=str_(attachment.get("name")),
            )
        )
    return tuple(found)
