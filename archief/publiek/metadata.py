# SPDX-License-Identifier: EUPL-1.2
"""Woo metadata in the DiWoo style, and the sitemap that carries it.

Each published record gets a DiWoo `Document`: its creation date, its
identifier, the publisher (and responsible organisation) as a TOOI
organisation where known, its official title, a one-line description and
its Woo information category as a TOOI concept. The same element rides
along with the record's entry in the sitemap, as the DiWoo guide for
sitemaps does, so a crawler such as the Woo index needs one request.

The element order follows public implementations that validate against
the DiWoo XSD (0.9.x); archief could not obtain the XSD itself, so these
documents are *DiWoo-style*, not schema-validated (see docs/publiek.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from archief.publiek import woo
from archief.publiek.feeds import download_url, element, rfc3339, samenvatting
from archief.publiek.repository import PubliekRecord
from archief.publiek.weergave import lokaal

DIWOO = "https://standaarden.overheid.nl/diwoo/metadata/"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
MEDIA_TYPE = "application/xml"
_D = f"{{{DIWOO}}}"
_S = f"{{{SITEMAP}}}"


@dataclass(frozen=True, slots=True)
class Pagina:
    """A public page in the sitemap: where it is and when it last changed."""

    loc: str
    lastmod: datetime


def diwoo(parent: Any, record: PubliekRecord, uitgever: woo.Organisatie) -> Any:
    """Append the record's diwoo:Document to `parent` (None: make it the root)."""
    document = (
        etree.Element(_D + "Document", nsmap={"diwoo": DIWOO})
        if parent is None
        else element(parent, _D + "Document")
    )
    meta = element(document, _D + "DiWoo")
    element(meta, _D + "creatiedatum", lokaal(record.created_at).date().isoformat())
    identifiers = element(meta, _D + "identifiers")
    element(identifiers, _D + "identifier", record.id)
    if uitgever.tooi is not None:
        # The municipality publishes and answers for what it publishes.
        element(meta, _D + "publisher", uitgever.naam, resource=uitgever.tooi)
        element(meta, _D + "verantwoordelijke", uitgever.naam, resource=uitgever.tooi)
    omschrijvingen = element(meta, _D + "omschrijvingen")
    element(omschrijvingen, _D + "omschrijving", samenvatting(record))
    titels = element(meta, _D + "titelcollectie")
    element(titels, _D + "officieleTitel", record.titel)
    categorie = woo.categorie(record.informatiecategorie)
    if categorie is not None:
        classificatie = element(meta, _D + "classificatiecollectie")
        lijst = element(classificatie, _D + "informatiecategorieen")
        element(lijst, _D + "informatiecategorie", categorie.label, resource=categorie.uri)
    return document


def _bytes(root: Any) -> bytes:
    data: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return data


def document(record: PubliekRecord, uitgever: woo.Organisatie) -> bytes:
    """The DiWoo metadata of one published record, as its own XML document."""
    return _bytes(diwoo(None, record, uitgever))


def sitemap(
    paginas: Iterable[Pagina],
    records: Sequence[PubliekRecord],
    base: str,
    uitgever: woo.Organisatie,
) -> bytes:
    """sitemaps.org urlset: every public page, then every published record with its DiWoo."""
    root = etree.Element(_S + "urlset", nsmap={None: SITEMAP, "diwoo": DIWOO})
    for pagina in paginas:
        url = element(root, _S + "url")
        element(url, _S + "loc", pagina.loc)
        element(url, _S + "lastmod", rfc3339(pagina.lastmod))
    for record in records:
        url = element(root, _S + "url")
        element(url, _S + "loc", download_url(base, record))
        element(url, _S + "lastmod", rfc3339(record.gepubliceerd_op))
        diwoo(url, record, uitgever)
    return _bytes(root)
