# SPDX-License-Identifier: EUPL-1.2
"""From archief's catalog to MDTO: which record field becomes which element.

docs/overbrenging.md has the table. Records and dossiers arrive here as
snapshots (`Stuk`, `DossierStand`) taken when the selection was made, so
the package describes exactly the versions that the transfer's items name.

Begrippen come from MDTO's own lists where archief's data maps onto them
without interpretation (aggregatieniveau, waardering, checksum algorithm),
from the selectielijst for the category, from PRONOM for formats archief
can identify by their bytes, and otherwise from lists named `archief: ...`
so the receiving repository can tell what still needs an archivist's eye.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from archief.bewaring.overbrenging import mdto
from archief.bewaring.overbrenging.mdto import (
    Begrip,
    BeperkingGebruik,
    Bestand,
    Checksum,
    DekkingInTijd,
    Event,
    Identificatie,
    Informatieobject,
    Termijn,
    Verwijzing,
)
from archief.bewaring.selectielijst import Afleidingswijze, OnbekendeCategorie, Selectielijst
from archief.clock import AMSTERDAM
from policies.engine import OPENBAAR

BRON = "archief"
BRON_KENMERK = "archief: dossierkenmerk"

AGGREGATIENIVEAUS = Verwijzing("Begrippenlijst Aggregatieniveaus MDTO")
WAARDERINGEN = Verwijzing("Begrippenlijst Waarderingen MDTO")
CHECKSUMALGORITMEN = Verwijzing("Begrippenlijst ChecksumAlgoritme MDTO")
PRONOM = Verwijzing("PRONOM-register")
MEDIATYPES = Verwijzing("IANA Media Types")
AFLEIDINGSWIJZEN = Verwijzing("Afleidingswijze brondatum (VNG Selectielijst API)")
OPENBAARHEID = Verwijzing("archief: openbaarheid (door de archivaris te bevestigen)")
GEBEURTENISSEN = Verwijzing("archief: gebeurtenissen")
SOORTEN = Verwijzing("archief: documentsoorten")
DEKKING = Verwijzing("archief: dekking in tijd")

ARCHIEFSTUK = Begrip("Archiefstuk", AGGREGATIENIVEAUS)
DOSSIER = Begrip("Dossier", AGGREGATIENIVEAUS)
SHA256 = Begrip("SHA256", CHECKSUMALGORITMEN)
_WAARDERING = {
    "blijvend_bewaren": Begrip("Blijvend te bewaren", WAARDERINGEN, "B"),
    "vernietigen": Begrip("Tijdelijk te bewaren", WAARDERINGEN, "V"),
}
_AFLEIDING_LABEL = {
    Afleidingswijze.AFGEHANDELD: "Afhandeling van het dossier",
    Afleidingswijze.EINDDATUM: "Einde van het procesobject",
    Afleidingswijze.INGANGSDATUM_BESLUIT: "Ingangsdatum van het besluit",
    Afleidingswijze.VERVALDATUM_BESLUIT: "Vervaldatum van het besluit",
    Afleidingswijze.TERMIJN: "Afhandeling van het dossier plus procestermijn",
}
# PRONOM identifiers per PDF version, read from the file's own header.
_PDF = {
    "1.0": "fmt/14",
    "1.1": "fmt/15",
    "1.2": "fmt/16",
    "1.3": "fmt/17",
    "1.4": "fmt/18",
    "1.5": "fmt/19",
    "1.6": "fmt/20",
    "1.7": "fmt/276",
    "2.0": "fmt/1129",
}
_PDF_KOP = re.compile(rb"%PDF-(\d\.\d)")

# The SIP specification forbids these in names of informatieobjecten,
# bestanden and sidecars; controls and whitespace go too, since a name
# is also a path on every filesystem the package will meet.
_VERBODEN = re.compile(r'[<>:"/\\|?*#&\s\x00-\x1f\x7f\ufffd]')
# Leaves room for ".bestand.MDTO.xml" inside the SIP's 255-character limit
# and inside the 255-byte file name limit of common filesystems.
MAX_NAAM_BYTES = 200


@dataclass(frozen=True, slots=True)
class DossierStand:
    """A dossier as it was when the transfer's selection was made."""

    id: str
    kenmerk: str
    titel: str
    categorie: str | None
    created_at: datetime
    afgehandeld_op: date | None


@dataclass(frozen=True, slots=True)
class Stuk:
    """A record as it was when the transfer's selection was made."""

    id: str
    versie: int
    dossier_id: str
    titel: str
    soort: str | None
    laag: str
    vertrouwelijkheid: str
    sha256: str
    size: int
    media_type: str
    filename: str | None
    created_at: datetime
    categorie: str | None  # the record's own, else its dossier's
    archiefnominatie: str
    brondatum: date | None
    archiefactiedatum: date | None


@dataclass(frozen=True, slots=True)
class Context:
    """What every informatieobject of one package shares."""

    archiefvormer: Verwijzing
    selectielijst: Selectielijst


def veilige_naam(naam: str, reserve: str) -> str:
    """A name fit for the package: NFC, no forbidden characters, short enough, never empty."""
    schoon = _VERBODEN.sub("_", unicodedata.normalize("NFC", naam)).lstrip(".")
    if schoon.lower().endswith(mdto.SIDECAR.lower()):
        # A file must never pass for a sidecar, or be overwritten by one.
        schoon += "_"
    if len(schoon.encode()) > MAX_NAAM_BYTES:
        stam, punt, ext = schoon.rpartition(".")
        ext = f".{ext}" if punt and 0 < len(ext) <= 10 else ""
        stam = stam if ext else schoon
        budget = MAX_NAAM_BYTES - len(ext.encode())
        stam = stam.encode()[:budget].decode(errors="ignore")
        schoon = stam + ext
    return schoon or reserve


def bestandsformaat(media_type: str, kop: bytes) -> Begrip:
    """The format: a PRONOM identifier where the bytes settle it, else the media type."""
    if media_type == "application/pdf":
        match = _PDF_KOP.match(kop)
        if match is not None and match.group(1).decode() in _PDF:
            versie = match.group(1).decode()
            return Begrip(f"Acrobat PDF {versie} - Portable Document Format", PRONOM, _PDF[versie])
    if media_type == "text/plain":
        return Begrip("Plain Text File", PRONOM, "x-fmt/111")
    return Begrip(media_type, MEDIATYPES)


def _dag(at: datetime) -> date:
    return at.astimezone(AMSTERDAM).date()


def _categorie(code: str, ctx: Context) -> Begrip:
    lijst = Verwijzing(ctx.selectielijst.naam)
    try:
        cat = ctx.selectielijst.get(code)
    except OnbekendeCategorie:
        return Begrip(code, lijst, code)
    return Begrip(f"{cat.resultaat}: {cat.omschrijving}", lijst, cat.code)


def _bewaartermijn(stuk: Stuk, ctx: Context) -> Termijn | None:
    if stuk.categorie is None or stuk.brondatum is None:
        return None
    try:
        cat = ctx.selectielijst.get(stuk.categorie)
    except OnbekendeCategorie:
        return Termijn(startdatum=stuk.brondatum)
    trigger = Begrip(
        _AFLEIDING_LABEL[cat.afleidingswijze], AFLEIDINGSWIJZEN, cat.afleidingswijze.value
    )
    if stuk.archiefnominatie == "blijvend_bewaren" or cat.bewaartermijn is None:
        # Kept for ever: the term starts at the brondatum and has no end. The
        # transfer date (archiefactiedatum) is not a bewaartermijn.
        return Termijn(trigger=trigger, startdatum=stuk.brondatum)
    return Termijn(
        trigger=trigger,
        startdatum=stuk.brondatum,
        looptijd=cat.bewaartermijn.iso,
        einddatum=stuk.archiefactiedatum,
    )


def openbaarheid(laag: str, vertrouwelijkheid: str) -> BeperkingGebruik:
    """The layer as a use restriction: only the public layer counts as openbaar."""
    if laag == OPENBAAR:
        return BeperkingGebruik(
            Begrip("Openbaar", OPENBAARHEID, OPENBAAR),
            "In archief gepubliceerd (laag openbaar).",
        )
    return BeperkingGebruik(
        Begrip("Beperkt openbaar", OPENBAARHEID, "beperkt"),
        f"In archief in laag {laag} (vertrouwelijkheidaanduiding "
        f"{vertrouwelijkheid or 'onbekend'}). De archivaris stelt bij overbrenging de "
        "openbaarheidsbeperking vast, met grond en termijn (Archiefwet 1995, artikel 15).",
    )


def record_ref(stuk: Stuk) -> Verwijzing:
    return Verwijzing(stuk.titel or stuk.id, Identificatie(stuk.id, BRON))


def dossier_ref(dossier: DossierStand) -> Verwijzing:
    return Verwijzing(dossier.titel or dossier.kenmerk, Identificatie(dossier.id, BRON))


def bestand_ref(stuk: Stuk, naam: str) -> Verwijzing:
    return Verwijzing(naam, Identificatie(f"{stuk.id}/origineel", BRON))


def archiefstuk(
    stuk: Stuk, dossier: DossierStand, bestandsnaam: str, ctx: Context
) -> Informatieobject:
    """The informatieobject (aggregatieniveau Archiefstuk) of one record."""
    return Informatieobject(
        identificatie=(Identificatie(stuk.id, BRON),),
        naam=stuk.titel or "(zonder titel)",
        aggregatieniveau=ARCHIEFSTUK,
        classificatie=(Begrip(stuk.soort, SOORTEN),) if stuk.soort else (),
        event=(Event(Begrip("Registratie", GEBEURTENISSEN), stuk.created_at),),
        waardering=_WAARDERING[stuk.archiefnominatie],
        bewaartermijn=_bewaartermijn(stuk, ctx),
        informatiecategorie=_categorie(stuk.categorie, ctx) if stuk.categorie else None,
        is_onderdeel_van=(dossier_ref(dossier),),
        heeft_representatie=(bestand_ref(stuk, bestandsnaam),),
        archiefvormer=(ctx.archiefvormer,),
        beperking_gebruik=(openbaarheid(stuk.laag, stuk.vertrouwelijkheid),),
    )


def dossier(dossier: DossierStand, stukken: list[Stuk], ctx: Context) -> Informatieobject:
    """The informatieobject (aggregatieniveau Dossier) holding the transferred records."""
    events = []
    if dossier.afgehandeld_op is not None:
        events.append(Event(Begrip("Afhandeling", GEBEURTENISSEN), dossier.afgehandeld_op))
    openbaar = all(s.laag == OPENBAAR for s in stukken)
    beperking = (
        openbaarheid(OPENBAAR, "openbaar")
        if openbaar
        else BeperkingGebruik(
            Begrip("Beperkt openbaar", OPENBAARHEID, "beperkt"),
            "Het dossier bevat stukken die in archief niet openbaar zijn; zie de "
            "beperkingGebruik per archiefstuk. De archivaris stelt de openbaarheid vast.",
        )
    )
    return Informatieobject(
        identificatie=(
            Identificatie(dossier.id, BRON),
            Identificatie(dossier.kenmerk, BRON_KENMERK),
        ),
        naam=dossier.titel or dossier.kenmerk,
        aggregatieniveau=DOSSIER,
        dekking_in_tijd=(
            DekkingInTijd(
                Begrip("Looptijd van het dossier", DEKKING),
                _dag(dossier.created_at),
                dossier.afgehandeld_op,
            ),
        ),
        event=tuple(events),
        # The dossier in the package aggregates permanent records only.
        waardering=_WAARDERING["blijvend_bewaren"],
        informatiecategorie=_categorie(dossier.categorie, ctx) if dossier.categorie else None,
        bevat_onderdeel=tuple(record_ref(s) for s in stukken),
        archiefvormer=(ctx.archiefvormer,),
        beperking_gebruik=(beperking,),
    )


def bestand(
    stuk: Stuk, naam: str, *, omvang: int, formaat: Begrip, sha256: str, gehasht_op: datetime
) -> Bestand:
    """The bestand object of a record's original, as written into the package."""
    return Bestand(
        identificatie=(bestand_ref(stuk, naam).identificatie or Identificatie(stuk.id, BRON),),
        naam=naam,
        omvang=omvang,
        bestandsformaat=formaat,
        checksum=(Checksum(SHA256, sha256, gehasht_op),),
        # Relative to the sidecar, which sits beside the file (SIP specification).
        url=quote(naam, safe=""),
        is_representatie_van=record_ref(stuk),
    )
