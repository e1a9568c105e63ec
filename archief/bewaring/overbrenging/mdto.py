# SPDX-License-Identifier: EUPL-1.2
"""MDTO XML: informatieobjecten and bestanden, written and checked against the XSD.

This module knows MDTO's syntax and nothing of archief's catalog (that is
`mapping`). Elements are written in the order `MDTO-XML1.0.1.xsd` declares
them, and every document is validated with lxml against the Nationaal
Archief's schema, vendored unchanged in `schema/` (see its README): `tekst`
MUST be the only way text reaches an element, and `naar_bytes` MUST be the
only way a document leaves this module, so nothing unvalidated or unescaped
is ever written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from archief.errors import ArchiefError

NS = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_BESTAND = "MDTO-XML1.0.1.xsd"
SCHEMA_VERSIE = "1.0.1"
SCHEMA_LOCATION = f"{NS} https://www.nationaalarchief.nl/mdto/{SCHEMA_BESTAND}"
# Sidecar names from the MDTO SIP specification: <naam>.MDTO.xml beside (or,
# for an aggregation, inside) what it describes; <bestand>.bestand.MDTO.xml.
SIDECAR = ".MDTO.xml"
BESTAND_SIDECAR = ".bestand.MDTO.xml"

# XML 1.0 allows tab, LF, CR and these ranges; anything else (C0 controls,
# lone surrogates, U+FFFE/U+FFFF) cannot be written at all, escaped or not.
_NIET_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
VERVANGING = "\ufffd"


class MdtoOngeldig(ArchiefError):
    """An MDTO document does not validate against the XSD; nothing was written."""

    code = "mdto_ongeldig"
    status = 422
    title = "MDTO voldoet niet aan het XML-schema"

    def __init__(self, wat: str, problemen: list[str]) -> None:
        shown = "; ".join(problemen[:5]) + (
            f" (+{len(problemen) - 5})" if len(problemen) > 5 else ""
        )
        super().__init__(f"{wat}: {shown}", problemen=problemen)
        self.problemen = problemen


def tekst(value: str) -> str:
    """Text as XML 1.0 can carry it: characters it forbids become U+FFFD."""
    return _NIET_XML.sub(VERVANGING, value)


# -- the data types of the schema, as plain values ---------------------------


@dataclass(frozen=True, slots=True)
class Identificatie:
    kenmerk: str
    bron: str


@dataclass(frozen=True, slots=True)
class Verwijzing:
    naam: str
    identificatie: Identificatie | None = None


@dataclass(frozen=True, slots=True)
class Begrip:
    label: str
    lijst: Verwijzing
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Termijn:
    trigger: Begrip | None = None
    startdatum: date | None = None
    looptijd: str | None = None  # xsd:duration, e.g. P10Y
    einddatum: date | None = None


@dataclass(frozen=True, slots=True)
class Event:
    type: Begrip
    tijd: datetime | date | None = None
    actor: Verwijzing | None = None
    resultaat: str | None = None


@dataclass(frozen=True, slots=True)
class DekkingInTijd:
    type: Begrip
    begin: date
    eind: date | None = None


@dataclass(frozen=True, slots=True)
class BeperkingGebruik:
    type: Begrip
    nadere_beschrijving: str | None = None
    documentatie: tuple[Verwijzing, ...] = ()
    termijn: Termijn | None = None


@dataclass(frozen=True, slots=True)
class Checksum:
    algoritme: Begrip
    waarde: str
    datum: datetime


@dataclass(frozen=True, slots=True)
class Informatieobject:
    """The elements of `informatieobjectType` archief fills, in schema order."""

    identificatie: tuple[Identificatie, ...]
    naam: str
    waardering: Begrip
    archiefvormer: tuple[Verwijzing, ...]
    beperking_gebruik: tuple[BeperkingGebruik, ...]
    aggregatieniveau: Begrip | None = None
    classificatie: tuple[Begrip, ...] = ()
    omschrijving: tuple[str, ...] = ()
    dekking_in_tijd: tuple[DekkingInTijd, ...] = ()
    event: tuple[Event, ...] = ()
    bewaartermijn: Termijn | None = None
    informatiecategorie: Begrip | None = None
    is_onderdeel_van: tuple[Verwijzing, ...] = ()
    bevat_onderdeel: tuple[Verwijzing, ...] = ()
    heeft_representatie: tuple[Verwijzing, ...] = ()


@dataclass(frozen=True, slots=True)
class Bestand:
    """The elements of `bestandType`, in schema order."""

    identificatie: tuple[Identificatie, ...]
    naam: str
    omvang: int
    bestandsformaat: Begrip
    checksum: tuple[Checksum, ...]
    is_representatie_van: Verwijzing
    url: str | None = None


# -- writing -------------------------------------------------------------------


def _el(parent: Any, name: str, value: str | None = None) -> Any:
    child = etree.SubElement(parent, f"{{{NS}}}{name}")
    if value is not None:
        child.text = tekst(value)
    return child


def _identificatie(parent: Any, name: str, ident: Identificatie) -> None:
    el = _el(parent, name)
    _el(el, "identificatieKenmerk", ident.kenmerk)
    _el(el, "identificatieBron", ident.bron)


def _verwijzing(parent: Any, name: str, ref: Verwijzing) -> None:
    el = _el(parent, name)
    _el(el, "verwijzingNaam", ref.naam)
    if ref.identificatie is not None:
        _identificatie(el, "verwijzingIdentificatie", ref.identificatie)


def _begrip(parent: Any, name: str, begrip: Begrip) -> None:
    el = _el(parent, name)
    _el(el, "begripLabel", begrip.label)
    if begrip.code is not None:
        _el(el, "begripCode", begrip.code)
    _verwijzing(el, "begripBegrippenlijst", begrip.lijst)


def _termijn(parent: Any, name: str, termijn: Termijn) -> None:
    el = _el(parent, name)
    if termijn.trigger is not None:
        _begrip(el, "termijnTriggerStartLooptijd", termijn.trigger)
    if termijn.startdatum is not None:
        _el(el, "termijnStartdatumLooptijd", termijn.startdatum.isoformat())
    if termijn.looptijd is not None:
        _el(el, "termijnLooptijd", termijn.looptijd)
    if termijn.einddatum is not None:
        _el(el, "termijnEinddatum", termijn.einddatum.isoformat())


def _tijd(value: datetime | date) -> str:
    if isinstance(value, datetime):
        # xsd:dateTime; seconds are plenty, and an explicit offset keeps it unambiguous.
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def _root() -> Any:
    root = etree.Element(f"{{{NS}}}MDTO", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    return root


def _beschrijving(el: Any, io: Informatieobject) -> None:
    """What the object is and concerns: aggregatieniveau up to event."""
    if io.aggregatieniveau is not None:
        _begrip(el, "aggregatieniveau", io.aggregatieniveau)
    for begrip in io.classificatie:
        _begrip(el, "classificatie", begrip)
    for text in io.omschrijving:
        _el(el, "omschrijving", text)
    for dekking in io.dekking_in_tijd:
        d = _el(el, "dekkingInTijd")
        _begrip(d, "dekkingInTijdType", dekking.type)
        _el(d, "dekkingInTijdBegindatum", dekking.begin.isoformat())
        if dekking.eind is not None:
            _el(d, "dekkingInTijdEinddatum", dekking.eind.isoformat())
    for event in io.event:
        e = _el(el, "event")
        _begrip(e, "eventType", event.type)
        if event.tijd is not None:
            _el(e, "eventTijd", _tijd(event.tijd))
        if event.actor is not None:
            _verwijzing(e, "eventVerantwoordelijkeActor", event.actor)
        if event.resultaat is not None:
            _el(e, "eventResultaat", event.resultaat)


def _waardering(el: Any, io: Informatieobject) -> None:
    """Appraisal and retention: waardering, bewaartermijn, informatiecategorie."""
    _begrip(el, "waardering", io.waardering)
    if io.bewaartermijn is not None:
        _termijn(el, "bewaartermijn", io.bewaartermijn)
    if io.informatiecategorie is not None:
        _begrip(el, "informatiecategorie", io.informatiecategorie)


def _relaties(el: Any, io: Informatieobject) -> None:
    """Relations, the archiefvormer and the use restrictions, to the end of the type."""
    for name, refs in (
        ("isOnderdeelVan", io.is_onderdeel_van),
        ("bevatOnderdeel", io.bevat_onderdeel),
        ("heeftRepresentatie", io.heeft_representatie),
        ("archiefvormer", io.archiefvormer),
    ):
        for ref in refs:
            _verwijzing(el, name, ref)
    for beperking in io.beperking_gebruik:
        b = _el(el, "beperkingGebruik")
        _begrip(b, "beperkingGebruikType", beperking.type)
        if beperking.nadere_beschrijving is not None:
            _el(b, "beperkingGebruikNadereBeschrijving", beperking.nadere_beschrijving)
        for ref in beperking.documentatie:
            _verwijzing(b, "beperkingGebruikDocumentatie", ref)
        if beperking.termijn is not None:
            _termijn(b, "beperkingGebruikTermijn", beperking.termijn)


def informatieobject(io: Informatieobject) -> Any:
    """The `<MDTO>` element holding one informatieobject (not yet validated)."""
    root = _root()
    el = _el(root, "informatieobject")
    for ident in io.identificatie:
        _identificatie(el, "identificatie", ident)
    _el(el, "naam", io.naam)
    _beschrijving(el, io)
    _waardering(el, io)
    _relaties(el, io)
    return root


def bestand(b: Bestand) -> Any:
    """The `<MDTO>` element holding one bestand (not yet validated)."""
    root = _root()
    el = _el(root, "bestand")
    for ident in b.identificatie:
        _identificatie(el, "identificatie", ident)
    _el(el, "naam", b.naam)
    _el(el, "omvang", str(b.omvang))
    _begrip(el, "bestandsformaat", b.bestandsformaat)
    for checksum in b.checksum:
        c = _el(el, "checksum")
        _begrip(c, "checksumAlgoritme", checksum.algoritme)
        _el(c, "checksumWaarde", checksum.waarde)
        _el(c, "checksumDatum", _tijd(checksum.datum))
    if b.url is not None:
        _el(el, "URLBestand", b.url)
    _verwijzing(el, "isRepresentatieVan", b.is_representatie_van)
    return root


# -- validating ----------------------------------------------------------------


def _parser() -> Any:
    # Never fetch anything and never expand entities: a tampered package
    # must not make validation reach the network or read local files.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@cache
def schema() -> Any:
    """The vendored MDTO XSD, parsed once."""
    ref = resources.files("archief.bewaring.overbrenging").joinpath("schema", SCHEMA_BESTAND)
    with ref.open("rb") as handle:
        return etree.XMLSchema(etree.parse(handle, _parser()))


def valideer_xml(data: bytes) -> list[str]:
    """The problems that keep `data` from being a valid MDTO document (empty: valid)."""
    try:
        doc = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        return [f"geen goedgevormde XML: {exc}"]
    xsd = schema()
    if xsd.validate(doc):
        return []
    return [f"regel {e.line}: {e.message}" for e in xsd.error_log]


def naar_bytes(root: Any, wat: str) -> bytes:
    """Serialise an `<MDTO>` document, or raise MdtoOngeldig listing the schema errors.

    The bytes are parsed back and validated, so what is checked is exactly
    what will be written.
    """
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    problemen = valideer_xml(data)
    if problemen:
        raise MdtoOngeldig(wat, problemen)
    return data
