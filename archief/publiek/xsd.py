# SPDX-License-Identifier: EUPL-1.2
"""The DiWoo metadata schema (KOOP, version 0.9.8), vendored, and validation against it.

`schema/` holds `diwoo-metadata.xsd` and `diwoo-metadata-lijsten.xsd`
unchanged (see its README for where they come from and their digests).
The main schema imports MDTO from the Nationaal Archief's URL; that import
is answered with the copy `archief.bewaring.overbrenging` already vendors,
and nothing else is ever fetched: validation MUST work without a network
and MUST NOT read anything but these three files.

`valideer` checks what archief emits: a lone `diwoo:Document` (the
per-record metadata.xml) or every `diwoo:Document` inside a sitemap.
`waarden` reads a value list (a TOOI list) from the same schema, so the
code that chooses a `resource` and the validator agree by construction.

    python -m archief.publiek.xsd sitemap.xml metadata.xml   # exit 1 on any problem
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

DIWOO = "https://standaarden.overheid.nl/diwoo/metadata/"
VERSIE = "0.9.8"
HOOFD = "diwoo-metadata.xsd"
LIJSTEN = "diwoo-metadata-lijsten.xsd"
# The main schema's xs:import names this location; the same file (byte for
# byte the Nationaal Archief's) sits in the transfer module's schema folder.
MDTO_URL = "https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"
MDTO_BESTAND = "MDTO-XML1.0.1.xsd"
_XS = "{http://www.w3.org/2001/XMLSchema}"
_DOCUMENT = f"{{{DIWOO}}}Document"


def _lees(pakket: str, naam: str) -> bytes:
    return resources.files(pakket).joinpath("schema", naam).read_bytes()


def _bestanden() -> dict[str, bytes]:
    """What a schema load may read, by the name (or URL) it is asked for."""
    return {
        HOOFD: _lees("archief.publiek", HOOFD),
        LIJSTEN: _lees("archief.publiek", LIJSTEN),
        MDTO_URL: _lees("archief.bewaring.overbrenging", MDTO_BESTAND),
    }


class _Lokaal(etree.Resolver):  # type: ignore[misc]  # lxml's classes are untyped
    """Answer the schema's include and import from the vendored copies, and only those."""

    def __init__(self, bestanden: dict[str, bytes]) -> None:
        super().__init__()
        self.bestanden = bestanden

    def resolve(self, url: str, _pubid: str | None, context: Any) -> Any:
        if url in self.bestanden:
            return self.resolve_string(self.bestanden[url], context, base_url=url)
        # The include is relative, so it arrives resolved against the base URL.
        naam = url.rsplit("/", 1)[-1]
        if naam == LIJSTEN:
            return self.resolve_string(self.bestanden[LIJSTEN], context, base_url=LIJSTEN)
        # Anything else: refuse, rather than let libxml2 try the network or a file.
        raise etree.XMLSchemaParseError(f"{url!r} is not part of the vendored DiWoo schema")


def _parser(bestanden: dict[str, bytes] | None = None) -> Any:
    # Never fetch anything and never expand entities.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    if bestanden is not None:
        parser.resolvers.add(_Lokaal(bestanden))
    return parser


@cache
def _hoofd() -> Any:
    bestanden = _bestanden()
    return etree.fromstring(bestanden[HOOFD], _parser(bestanden), base_url=HOOFD)


@cache
def schema() -> Any:
    """The DiWoo XSD with its value lists and MDTO, parsed once."""
    return etree.XMLSchema(_hoofd())


@cache
def _lijsten() -> Any:
    return etree.fromstring(_bestanden()[LIJSTEN], _parser())


def _simple_type(naam: str) -> Any:
    for boom in (_hoofd(), _lijsten()):
        found = boom.find(f"{_XS}simpleType[@name='{naam}']")
        if found is not None:
            return found
    raise KeyError(f"no simpleType {naam!r} in the DiWoo schema")


@cache
def waarden(naam: str) -> frozenset[str]:
    """The values a DiWoo list type allows (`organisatielijst`, `formatlijst`, ...).

    A union (the organisation list is eight TOOI lists) is followed through
    its member types.
    """
    out: set[str] = set()
    for restriction in _simple_type(naam).iter(f"{_XS}restriction"):
        out.update(e.get("value") for e in restriction.findall(f"{_XS}enumeration"))
        base = restriction.get("base", "")
        if base.startswith("diwoo:") and base != f"diwoo:{naam}":
            out.update(waarden(base.removeprefix("diwoo:")))
    return frozenset(out)


def _fouten(element: Any, wat: str) -> list[str]:
    # A Document inside a sitemap is checked as a document of its own.
    xsd = schema()
    if xsd.validate(etree.ElementTree(copy.deepcopy(element))):
        return []
    return [f"{wat}: {e.message}" for e in xsd.error_log]


def valideer(data: bytes) -> list[str]:
    """The problems that keep `data` from being valid DiWoo (empty: valid).

    `data` is one `diwoo:Document`, or any document that carries them
    (a sitemap): then every `diwoo:Document` in it is checked.
    """
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        return [f"geen goedgevormde XML: {exc}"]
    documenten = [root] if root.tag == _DOCUMENT else list(root.iter(_DOCUMENT))
    if not documenten and root.tag != "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset":
        return [f"geen diwoo:Document maar {root.tag}"]
    problemen: list[str] = []
    for i, document in enumerate(documenten, start=1):
        problemen += _fouten(document, f"Document {i} (regel {document.sourceline})")
    return problemen


def main(argv: Sequence[str]) -> int:
    """Validate the files named; print the problems; exit 1 when there are any."""
    status = 0
    for pad in argv:
        problemen = valideer(Path(pad).read_bytes())
        for probleem in problemen:
            sys.stdout.write(f"{pad}: {probleem}\n")
        if problemen:
            status = 1
        else:
            sys.stdout.write(f"{pad}: geldig tegen DiWoo {VERSIE}\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
