# SPDX-License-Identifier: EUPL-1.2
"""Woo metadata in DiWoo (0.9.8), and the sitemap that carries it.

Each published record gets a DiWoo `Document`, valid against KOOP's XSD
(vendored in `schema/`, checked by `xsd.valideer` in the tests):

- `identifiers`: the record id;
- `publisher` and `verantwoordelijke`: the municipality, with its TOOI
  identifier as `resource` when that is in the schema's organisation lists
  (the name alone otherwise: the schema requires a publisher, not a URI);
- `titelcollectie/officieleTitel` and one `omschrijving`;
- `classificatiecollectie/informatiecategorieen`: the record's Woo category
  as a TOOI concept; a record published without one was published under the
  general duty of Woo art. 3.1, so that concept stands in (the schema
  requires a category);
- `format`, where the media type is in the schema's file type list;
- `documenthandelingen`: the one act archief witnessed itself, receiving
  the document (`ontvangst`) at its filing time. archief does not know when
  a document was made, signed or adopted, so it claims none of that (and
  gives no `creatiedatum`).

Elements follow the schema's declaration order (it is an `xs:all`, so any
order validates). The same element rides along with the record's entry in
the sitemap, as the DiWoo guide for sitemaps does, so a crawler such as the
Woo index needs one request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import structlog
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from archief.publiek import woo, xsd
from archief.publiek.feeds import download_url, element, rfc3339, samenvatting
from archief.publiek.repository import PubliekRecord

DIWOO = xsd.DIWOO
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
MEDIA_TYPE = "application/xml"
_D = f"{{{DIWOO}}}"
_S = f"{{{SITEMAP}}}"
_KERN = "https://identifier.overheid.nl/tooi/def/thes/kern/"
# ccw_plooi_documenthandelingen: receiving is the one act archief sees itself.
ONTVANGST = (_KERN + "c_dfcee535", "ontvangst")
# ccw_plooi_filetypes (the EU file type authority) for the types intake
# accepts; images and e-mail have no entry in the list, so they carry no `format`.
_EU = "http://publications.europa.eu/resource/authority/file-type/"
FORMATEN = {
    "application/pdf": (_EU + "PDF", "PDF"),
    "text/plain": (_EU + "TXT", "Plain text"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        _EU + "DOCX",
        "Word DOCX",
    ),
    "application/vnd.oasis.opendocument.text": (_EU + "ODT", "ODT"),
}

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Pagina:
    """A public page in the sitemap: where it is and when it last changed."""

    loc: str
    lastmod: datetime


@cache
def _resource(tooi: str | None) -> str | None:
    """The TOOI identifier as a `resource`, when the schema's organisation lists have it."""
    if tooi is None:
        return None
    if tooi in xsd.waarden("organisatielijst"):
        return tooi
    # Logged once per process: the setting is wrong or newer than the lists.
    log.warning("publiek.woo.tooi_not_in_diwoo_lists", tooi=tooi, diwoo=xsd.VERSIE)
    return None


def _organisatie(parent: Any, tag: str, uitgever: woo.Organisatie) -> None:
    resource = _resource(uitgever.tooi)
    attrs = {"resource": resource} if resource is not None else {}
    element(parent, _D + tag, uitgever.naam, **attrs)


def diwoo(parent: Any, record: PubliekRecord, uitgever: woo.Organisatie) -> Any:
    """Append the record's diwoo:Document to `parent` (None: make it the root)."""
    document = (
        etree.Element(_D + "Document", nsmap={"diwoo": DIWOO})
        if parent is None
        else element(parent, _D + "Document")
    )
    meta = element(document, _D + "DiWoo")
    identifiers = element(meta, _D + "identifiers")
    element(identifiers, _D + "identifier", record.id)
    # The municipality publishes and answers for what it publishes.
    _organisatie(meta, "publisher", uitgever)
    _organisatie(meta, "verantwoordelijke", uitgever)
    titels = element(meta, _D + "titelcollectie")
    element(titels, _D + "officieleTitel", record.titel)
    omschrijvingen = element(meta, _D + "omschrijvingen")
    element(omschrijvingen, _D + "omschrijving", samenvatting(record))
    categorie = woo.voor_metadata(record.informatiecategorie)
    classificatie = element(meta, _D + "classificatiecollectie")
    lijst = element(classificatie, _D + "informatiecategorieen")
    element(lijst, _D + "informatiecategorie", categorie.label, resource=categorie.uri)
    formaat = FORMATEN.get(record.media_type.split(";", 1)[0].strip().lower())
    if formaat is not None:
        element(meta, _D + "format", formaat[1], resource=formaat[0])
    handelingen = element(meta, _D + "documenthandelingen")
    handeling = element(handelingen, _D + "documenthandeling")
    element(handeling, _D + "soortHandeling", ONTVANGST[1], resource=ONTVANGST[0])
    element(handeling, _D + "atTime", rfc3339(record.created_at))
    _organisatie(handeling, "wasAssociatedWith", uitgever)
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
