# SPDX-License-Identifier: EUPL-1.2
"""Build one transfer package: originals streamed in, MDTO beside them, one BagIt bag.

Layout (the MDTO SIP specification's sidecar structure, one folder per
aggregation):

    data/<dossier>/<dossier>.MDTO.xml                     the dossier
    data/<dossier>/<record-id>/<record-id>.MDTO.xml       the archiefstuk
    data/<dossier>/<record-id>/<bestand>                  its original
    data/<dossier>/<record-id>/<bestand>.bestand.MDTO.xml the bestand

`<dossier>` is the dossier's kenmerk made safe for a file name (see
`mapping.veilige_naam`), `<bestand>` the record's file name likewise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from archief.bewaring.overbrenging import mapping, mdto
from archief.bewaring.overbrenging.bagit import Bag, BagSchrijver
from archief.bewaring.overbrenging.mapping import Context, DossierStand, Stuk
from archief.clock import AMSTERDAM
from archief.errors import ArchiefError, NotFound
from archief.ports import Clock, ObjectStore
from archief.storage.common import original_key

_EXTENSIES = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "message/rfc822": ".eml",
}


class OrigineelOntbreekt(ArchiefError):
    """A record's original is not in the object store: a fixity matter, not a transfer one."""

    code = "origineel_ontbreekt"
    status = 409
    title = "Origineel ontbreekt in de objectopslag"


@dataclass(frozen=True, slots=True)
class Stap:
    """Progress: records written so far, of how many, and payload bytes."""

    gedaan: int
    totaal: int
    bytes: int


@dataclass(frozen=True, slots=True)
class Geplaatst:
    """One record in the package: the version described and where its original lies."""

    record_id: str
    dossier_id: str
    sha256: str
    versie: int
    pad: str


@dataclass(frozen=True, slots=True)
class Pakket:
    bag: Bag
    items: tuple[Geplaatst, ...]


def _mappen(dossiers: Sequence[DossierStand]) -> dict[str, str]:
    """A folder name per dossier, unique even on case-insensitive filesystems."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for dossier in dossiers:
        naam = mapping.veilige_naam(dossier.kenmerk, dossier.id)
        if naam.lower() in taken:
            naam = f"{naam}-{dossier.id[:8]}"
        taken.add(naam.lower())
        out[dossier.id] = naam
    return out


def bestandsnaam(stuk: Stuk) -> str:
    reserve = "origineel" + _EXTENSIES.get(stuk.media_type, ".bin")
    return mapping.veilige_naam(stuk.filename or "", reserve)


def bouw(
    store: ObjectStore,
    clock: Clock,
    *,
    map: Path,
    kenmerk: str,
    inhoud: Sequence[tuple[DossierStand, Sequence[Stuk]]],
    ctx: Context,
    info: list[tuple[str, str]],
    voortgang: Callable[[Stap], None] | None = None,
) -> Pakket:
    """Write the bag `map`/`kenmerk`; nothing stays behind if any step fails."""
    totaal = sum(len(stukken) for _, stukken in inhoud)
    mappen = _mappen([d for d, _ in inhoud])
    items: list[Geplaatst] = []
    with BagSchrijver(map, kenmerk) as bag:
        for dossier, stukken in inhoud:
            folder = mappen[dossier.id]
            for stuk in stukken:
                items.append(
                    _archiefstuk(
                        bag, store, clock, folder=folder, dossier=dossier, stuk=stuk, ctx=ctx
                    )
                )
                if voortgang is not None:
                    voortgang(Stap(len(items), totaal, bag.omvang))
            dossier_io = mapping.dossier(dossier, list(stukken), ctx)
            bag.schrijf_bytes(
                f"{folder}/{folder}{mdto.SIDECAR}",
                mdto.naar_bytes(mdto.informatieobject(dossier_io), f"dossier {dossier.kenmerk}"),
            )
        done = bag.sluit(info, bagging_date=clock.now().astimezone(AMSTERDAM).date())
    return Pakket(done, tuple(items))


def _archiefstuk(
    bag: BagSchrijver,
    store: ObjectStore,
    clock: Clock,
    *,
    folder: str,
    dossier: DossierStand,
    stuk: Stuk,
    ctx: Context,
) -> Geplaatst:
    base = f"{folder}/{stuk.id}"
    naam = bestandsnaam(stuk)
    try:
        stroom = store.open(original_key(stuk.sha256))
    except NotFound as exc:
        raise OrigineelOntbreekt(
            f"record {stuk.id}: original {stuk.sha256} is not in the object store "
            "(run `archief fixiteit controleer`)",
            record_id=stuk.id,
        ) from exc
    with stroom:
        geschreven = bag.schrijf_stroom(
            f"{base}/{naam}", stroom, sha256=stuk.sha256, omvang=stuk.size
        )
    bestand = mapping.bestand(
        stuk,
        naam,
        omvang=geschreven.omvang,
        formaat=mapping.bestandsformaat(stuk.media_type, geschreven.kop),
        sha256=geschreven.sha256,
        gehasht_op=clock.now(),
    )
    bag.schrijf_bytes(
        f"{base}/{naam}{mdto.BESTAND_SIDECAR}",
        mdto.naar_bytes(mdto.bestand(bestand), f"bestand van record {stuk.id}"),
    )
    stuk_io = mapping.archiefstuk(stuk, dossier, naam, ctx)
    bag.schrijf_bytes(
        f"{base}/{stuk.id}{mdto.SIDECAR}",
        mdto.naar_bytes(mdto.informatieobject(stuk_io), f"record {stuk.id}"),
    )
    return Geplaatst(stuk.id, dossier.id, stuk.sha256, stuk.versie, f"data/{base}/{naam}")
