# SPDX-License-Identifier: EUPL-1.2
"""Atom 1.0 (RFC 4287) and RSS 2.0 feeds of published records, for wijk websites and readers.

Every value goes into an element or attribute through lxml, which escapes
it; characters XML cannot hold are dropped first (`xml_tekst`), so a
hostile title can neither inject markup nor make the feed unparseable.
An entry is a published record: its title, its place on the dossier page,
its publication time, a short summary, and the original as enclosure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from archief.publiek import woo
from archief.publiek.repository import PubliekRecord
from archief.publiek.weergave import datum, pad, soortnaam, xml_tekst

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
# Enough for a reader to catch up; the sitemap lists everything.
MAX_ITEMS = 50


@dataclass(frozen=True, slots=True)
class Kanaal:
    """What a feed is about, with its absolute URLs."""

    titel: str
    omschrijving: str
    html_url: str
    atom_url: str
    rss_url: str
    uitgever: str


def utc(moment: datetime) -> datetime:
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    return utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def element(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    """A child element with escaped, XML-safe text and attributes."""
    child = etree.SubElement(parent, tag, {k: xml_tekst(v) for k, v in attrs.items()})
    if text is not None:
        child.text = xml_tekst(text)
    return child


def record_url(base: str, record: PubliekRecord) -> str:
    return f"{base}/publiek/dossiers/{pad(record.dossier_kenmerk)}#record-{record.id}"


def download_url(base: str, record: PubliekRecord) -> str:
    return f"{base}/publiek/records/{record.id}/download"


def samenvatting(record: PubliekRecord) -> str:
    """One plain sentence or two: what it is, where it belongs, when it was published."""
    text = (
        f"{soortnaam(record.soort)} in het dossier {record.dossier_titel}, "
        f"gepubliceerd op {datum(record.gepubliceerd_op)}."
    )
    categorie = woo.categorie(record.informatiecategorie)
    if categorie is not None:
        text += f" Informatiecategorie: {categorie.label}."
    return text


def _bijgewerkt(records: Sequence[PubliekRecord], nu: datetime) -> datetime:
    return max((r.gepubliceerd_op for r in records), key=utc, default=nu)


def _bytes(root: Any) -> bytes:
    data: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return data


def atom(kanaal: Kanaal, records: Sequence[PubliekRecord], base: str, nu: datetime) -> bytes:
    """The Atom document; `base` makes every link absolute, `nu` dates an empty feed."""
    records = records[:MAX_ITEMS]
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "nl")
    a = f"{{{ATOM}}}"
    element(feed, a + "id", kanaal.atom_url)
    element(feed, a + "title", kanaal.titel)
    element(feed, a + "subtitle", kanaal.omschrijving)
    element(feed, a + "updated", rfc3339(_bijgewerkt(records, nu)))
    author = element(feed, a + "author")
    element(author, a + "name", kanaal.uitgever)
    element(feed, a + "link", rel="self", type=ATOM_TYPE, href=kanaal.atom_url)
    element(feed, a + "link", rel="alternate", type="text/html", href=kanaal.html_url)
    element(feed, a + "generator", "archief")
    for record in records:
        entry = element(feed, a + "entry")
        element(entry, a + "id", f"urn:uuid:{record.id}")
        element(entry, a + "title", record.titel)
        element(entry, a + "updated", rfc3339(record.gepubliceerd_op))
        element(entry, a + "published", rfc3339(record.gepubliceerd_op))
        element(entry, a + "link", rel="alternate", type="text/html", href=record_url(base, record))
        element(
            entry,
            a + "link",
            rel="enclosure",
            type=record.media_type,
            length=str(record.size),
            href=download_url(base, record),
        )
        element(
            entry, a + "category", term=record.soort or "document", label=soortnaam(record.soort)
        )
        element(entry, a + "summary", samenvatting(record), type="text")
    return _bytes(feed)


def rss(kanaal: Kanaal, records: Sequence[PubliekRecord], base: str, nu: datetime) -> bytes:
    """The RSS 2.0 document, with an atom:link to itself as readers expect."""
    records = records[:MAX_ITEMS]
    root = etree.Element("rss", {"version": "2.0"}, nsmap={"atom": ATOM})
    channel = element(root, "channel")
    element(channel, "title", kanaal.titel)
    element(channel, "link", kanaal.html_url)
    element(channel, "description", kanaal.omschrijving)
    element(channel, "language", "nl-nl")
    element(channel, "lastBuildDate", format_datetime(utc(_bijgewerkt(records, nu)), usegmt=True))
    element(channel, "generator", "archief")
    element(channel, f"{{{ATOM}}}link", rel="self", type=RSS_TYPE, href=kanaal.rss_url)
    for record in records:
        item = element(channel, "item")
        element(item, "title", record.titel)
        element(item, "link", record_url(base, record))
        element(item, "description", samenvatting(record))
        element(item, "guid", f"urn:uuid:{record.id}", isPermaLink="false")
        element(item, "pubDate", format_datetime(utc(record.gepubliceerd_op), usegmt=True))
        element(item, "category", soortnaam(record.soort))
        element(
            item,
            "enclosure",
            url=download_url(base, record),
            length=str(record.size),
            type=record.media_type,
        )
    return _bytes(root)
