# SPDX-License-Identifier: EUPL-1.2
"""Read RSS 2.0 (and RSS 1.0) and Atom 1.0 feeds.

Raw: the exact bytes of one `<item>` or `<entry>` element, start tag to end
tag, as they stand in the document (in its own encoding). Namespace
declarations made on the root are not inside that span, so the fragment is
evidence, not always a standalone XML document; the WARC record keeps it
as it is.

The document is read with expat as a stream, so only the item being read
is held apart from the input. Expat reports each element's byte offset,
which is what makes the raw span exact. A document type declaration is
refused outright: feeds need none, and entity declarations are how XML
bombs and external-entity reads get in.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from xml.parsers import expat

from archief.bewaring.sociaal import _json, _tijd
from archief.bewaring.sociaal._tekst import html_naar_tekst, normaliseer
from archief.bewaring.sociaal.model import Bericht, Media, OngeldigeExport, Overslaan

ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MRSS = "http://search.yahoo.com/mrss/"
THREAD = "http://purl.org/syndication/thread/1.0"

_ITEMS = {"item", f"{RSS1} item", f"{ATOM} entry"}
_ROOTS = {"rss", f"{RDF} RDF", f"{ATOM} feed"}
_CHUNK = 1 << 16
# An encoding name as it may stand in a media type parameter.
_CHARSET = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,39}")


@dataclass
class _Node:
    name: str
    attrs: dict[str, str]
    parts: list[str | _Node] = field(default_factory=list)

    def child(self, *names: str) -> _Node | None:
        for part in self.parts:
            if isinstance(part, _Node) and part.name in names:
                return part
        return None

    def children(self, *names: str) -> list[_Node]:
        return [p for p in self.parts if isinstance(p, _Node) and p.name in names]

    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text() for p in self.parts)

    def child_text(self, *names: str) -> str | None:
        node = self.child(*names)
        text = node.text().strip() if node else ""
        return text or None


class _Reader:
    def __init__(self, data: _json.Bron, bron: str, overslaan: Overslaan | None = None) -> None:
        self.data = data
        self.bron = bron
        self.overslaan = overslaan
        # A byte order mark decides the encoding; else the XML declaration; else UTF-8.
        head = bytes(data[:2])
        self.bom = {b"\xff\xfe": "utf-16le", b"\xfe\xff": "utf-16be"}.get(head)
        self.tekenset = self.bom or "utf-8"
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.chars
        self.parser.StartDoctypeDeclHandler = self.refuse_dtd
        self.parser.XmlDeclHandler = self.declaration
        self.parser.EntityDeclHandler = self.refuse_dtd
        self.depth = 0
        self.root: str | None = None
        # The feed's own fields (title, link, id): direct children of channel or feed.
        self.head = _Node("head", {})
        self.stack: list[_Node] = []
        self.item_start = -1
        self.item_empty_end = -1
        self.ready: list[Bericht] = []

    def refuse_dtd(self, *_args: object) -> None:
        # Expat reports the handler past the declaration's name; point at its start.
        here = self.here()
        start = self.data.rfind(b"<!DOCTYPE", 0, here + 1)
        raise OngeldigeExport(
            self.bron,
            "documenttypedeclaratie (DTD) niet toegestaan",
            positie=start if start >= 0 else here,
        )

    def declaration(self, _version: str, encoding: str | None, _standalone: int) -> None:
        if encoding and not self.bom and _CHARSET.fullmatch(encoding):
            self.tekenset = encoding.lower()

    def here(self) -> int:
        return int(self.parser.CurrentByteIndex)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.root is None:
            if name not in _ROOTS:
                raise OngeldigeExport(
                    self.bron, f"geen RSS- of Atom-document (<{name}>)", positie=self.here()
                )
            self.root = name
        if self.stack:
            node = _Node(name, attrs)
            self.stack[-1].parts.append(node)
            self.stack.append(node)
        elif name in _ITEMS:
            self.item_start = self.here()
            # Expat reports an empty element's end past its tag, not at it;
            # so find out now whether `<item/>` closes itself.
            tag_end = _end_of_tag(self.data, self.item_start, self.bron)
            self.item_empty_end = tag_end if self.data[tag_end - 2] == ord("/") else -1
            self.stack.append(_Node(name, attrs))
        elif self._head_level():
            node = _Node(name, attrs)
            self.head.parts.append(node)
            self.stack.append(node)

    def _head_level(self) -> bool:
        # Atom: feed/title; RSS 2.0: rss/channel/title; RSS 1.0: rdf:RDF/channel/title.
        return self.depth == (2 if self.root == f"{ATOM} feed" else 3)

    def end(self, _name: str) -> None:
        self.depth -= 1
        if not self.stack:
            return
        node = self.stack.pop()
        if not self.stack and node.name in _ITEMS:
            if self.item_empty_end >= 0:
                stop = self.item_empty_end
            else:
                stop = _end_of_tag(self.data, self.here(), self.bron)
            try:
                self.ready.append(self.bericht(node, self.item_start, stop))
            except OngeldigeExport as exc:
                if self.overslaan is None:
                    raise
                self.overslaan(exc)

    def chars(self, text: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(text)

    def account(self) -> str:
        if self.root == f"{ATOM} feed":
            return self.head.child_text(f"{ATOM} id") or _atom_link(self.head) or self.bron
        return self.head.child_text("link", f"{RSS1} link") or self.bron

    def bericht(self, node: _Node, start: int, stop: int) -> Bericht:
        def fout(reden: str) -> OngeldigeExport:
            return OngeldigeExport(self.bron, reden, positie=start)

        account = self.account()
        feed_title = self.head.child_text("title", f"{RSS1} title", f"{ATOM} title")
        velden = _atom(node) if node.name == f"{ATOM} entry" else _rss(node)
        ident = velden.ident
        if not ident:
            raise fout("item zonder id, guid of link")
        if velden.moment is None:
            raise fout(f"{ident}: ongeldige of ontbrekende datum {velden.raw_date!r}")
        # A guid is only promised unique within its feed; make it so across feeds.
        if not (":" in ident and urlsplit(ident).scheme):
            ident = f"{account}#{ident}"
        title = node.child_text("title", f"{RSS1} title", f"{ATOM} title")
        return Bericht(
            platform="feed",
            platform_id=ident,
            account=account,
            auteur=velden.auteur or feed_title or account,
            tekst=velden.tekst,
            geplaatst_op=velden.moment,
            url=velden.url,
            ruw=bytes(self.data[start:stop]),
            bron=self.bron,
            in_antwoord_op=velden.parent,
            gesprek=None if velden.parent else ident,
            media=velden.media,
            soort="antwoord" if velden.parent else "bericht",
            titel=normaliseer(title) if title else None,
            tekenset=self.tekenset,
        )


@dataclass(frozen=True, slots=True)
class _Velden:
    """What an item or entry says, before it is checked and made into a `Bericht`."""

    ident: str | None
    url: str | None
    moment: datetime | None
    raw_date: str | None
    tekst: str
    auteur: str | None
    media: tuple[Media, ...]
    parent: str | None = None


def _rss(node: _Node) -> _Velden:
    guid_node = node.child("guid")
    guid = guid_node.text().strip() if guid_node else ""
    link = node.child_text("link", f"{RSS1} link")
    about = node.attrs.get(f"{RDF} about")
    ident = guid or link or about
    if not link and guid and guid_node and guid_node.attrs.get("isPermaLink", "true") != "false":
        link = guid if guid.startswith(("http://", "https://")) else None
    raw_date = node.child_text("pubDate", f"{DC} date")
    moment = _tijd.rfc822(raw_date) or _tijd.iso(raw_date)
    markup = node.child_text(f"{CONTENT} encoded") or node.child_text(
        "description", f"{RSS1} description"
    )
    auteur = node.child_text(f"{DC} creator", "author")
    media: list[Media] = []
    for enclosure in node.children("enclosure", f"{MRSS} content"):
        url = enclosure.attrs.get("url")
        if url:
            media.append(_medium(url, enclosure.attrs.get("type")))
    return _Velden(
        ident, link, moment, raw_date, html_naar_tekst(markup or ""), auteur, tuple(media)
    )


def _atom(node: _Node) -> _Velden:
    ident = node.child_text(f"{ATOM} id")
    raw_date = node.child_text(f"{ATOM} published") or node.child_text(f"{ATOM} updated")
    moment = _tijd.iso(raw_date)
    author = node.child(f"{ATOM} author")
    auteur = author.child_text(f"{ATOM} name") if author else None
    content = node.child(f"{ATOM} content") or node.child(f"{ATOM} summary")
    text = ""
    if content is not None:
        kind = content.attrs.get("type", "text")
        if kind in ("html", "text/html"):
            text = html_naar_tekst(content.text())
        elif kind in ("xhtml", "application/xhtml+xml"):
            text = normaliseer(content.text())
        else:
            text = normaliseer(content.text())
    media = tuple(
        _medium(link.attrs["href"], link.attrs.get("type"))
        for link in node.children(f"{ATOM} link")
        if link.attrs.get("rel") == "enclosure" and link.attrs.get("href")
    )
    reply = node.child(f"{THREAD} in-reply-to")
    parent = reply.attrs.get("ref") if reply else None
    return _Velden(ident, _atom_link(node), moment, raw_date, text, auteur, media, parent)


def _atom_link(node: _Node) -> str | None:
    for link in node.children(f"{ATOM} link"):
        if link.attrs.get("rel", "alternate") == "alternate" and link.attrs.get("href"):
            return link.attrs["href"]
    return None


def _medium(url: str, media_type: str | None) -> Media:
    path = urlsplit(url).path
    return Media(
        url=url,
        media_type=media_type or mimetypes.guess_type(path)[0],
        naam=path.rsplit("/", 1)[-1] or None,
    )


def _end_of_tag(data: _json.Bron, pos: int, bron: str) -> int:
    """Return the position after the tag starting at `pos` (an end tag or an empty-element tag)."""
    quote: int | None = None
    for index in range(pos, len(data)):
        ch = data[index]
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in (ord('"'), ord("'")):
            quote = ch
        elif ch == ord(">"):
            return index + 1
    raise OngeldigeExport(bron, "element niet afgesloten", positie=pos)


def lees_feed(
    data: _json.Bron, *, bron: str, overslaan: Overslaan | None = None
) -> Iterator[Bericht]:
    """Yield one `Bericht` per item (RSS) or entry (Atom) of a feed document."""
    reader = _Reader(data, bron, overslaan)
    size = len(data)
    try:
        for offset in range(0, max(size, 1), _CHUNK):
            chunk = bytes(data[offset : offset + _CHUNK])
            reader.parser.Parse(chunk, offset + _CHUNK >= size)
            yield from reader.ready
            reader.ready.clear()
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code) if exc.code else str(exc)
        at = int(reader.parser.ErrorByteIndex)
        # Expat has no byte index for "no element found" at the very end.
        raise OngeldigeExport(
            bron, f"ongeldige XML: {reason}", positie=at if at >= 0 else size
        ) from exc
    if reader.root is None:
        raise OngeldigeExport(bron, "leeg document", positie=0)
