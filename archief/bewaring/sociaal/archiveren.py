# SPDX-License-Identifier: EUPL-1.2
"""File captured posts as records: one record per post, its media beside it, a WARC if asked.

Contract:

- Each post MUST become one record in the target dossier and layer, its
  original the raw payload byte for byte (so the record's SHA-256 is the
  post's checksum), under archief's own media type (`Bericht.record_media_type`).
- The normalised form MUST be stored before the original goes to intake
  (`normaal`): that is what search indexes, never the payload.
- A post MUST be filed at most once, by (platform, platform id), across
  runs and dossiers (`sociaal_bericht`); a post seen again is reported as a
  duplicate, and as changed when its bytes differ from the filed ones.
- Media files the export holds MUST be filed as records too and named (by
  record id) in the post's normalised form and catalog row; media known
  only by URL are listed, never fetched.
- Every filed record MUST get the target category (`categorie.set_record`),
  so its archiefactiedatum is derived as for any record.
- One unreadable or refused post MUST NOT stop the batch: it is reported
  with its reason and the run goes on. A structural fault in the export
  ends the reading of that file (nothing after it can be found); what was
  read before it stays filed. A service going away (`PortError`) stops the
  run: what was filed stays, a later run picks up the rest.
- The run MUST leave one audit entry (`sociaal.vastgelegd`) beside the
  entries intake and categorisation write per record.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import sqlalchemy.exc
import structlog
from sqlalchemy.orm import Session, sessionmaker

from archief.audit.chain import SYSTEEM, Actor, append
from archief.bewaring import categorie, selectielijst
from archief.bewaring.sociaal import normaal, repository
from archief.bewaring.sociaal.model import Bericht, Media, OngeldigeExport, Pagina
from archief.bewaring.sociaal.normaal import MediaVerwijzing
from archief.bewaring.sociaal.warc import schrijf_warc
from archief.catalog.models import IngestItem, Record, SociaalBericht
from archief.errors import ArchiefError, PortError
from archief.intake.detect import WARC
from archief.intake.service import Intake, UnknownLayer
from archief.ports import Clock, ObjectStore
from archief.records.repository import dossier_by_kenmerk

log = structlog.get_logger(__name__)

# The catalog's key columns; real platform ids are far shorter.
MAX_ID = 255
# An audit entry names at most this many failures; the summary counts them all.
MAX_GENOEMD = 50

Status = Literal["opgeslagen", "dubbel", "mislukt"]
# The local file of an attachment, if the export holds it.
MediaZoeker = Callable[[Bericht, Media], Path | None]


class Poorten(Protocol):
    """What filing needs; the composition root's `Container` is one."""

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def store(self) -> ObjectStore: ...

    @property
    def clock(self) -> Clock: ...

    def intake_for(self, actor: Actor) -> Intake: ...


class OnbekendDossier(ArchiefError):
    code = "onbekend_dossier"
    status = 422
    title = "Onbekend dossier"


@dataclass(frozen=True, slots=True)
class Doel:
    """Where a batch is filed: a dossier (by kenmerk), a layer and a selectielijst category."""

    dossier: str
    # The posts were public; a municipality may still choose a closed layer.
    laag: str = "openbaar"
    # None: the records follow the dossier's category.
    categorie: str | None = "20.1"


@dataclass(frozen=True, slots=True)
class Uitkomst:
    """What became of one post (or of an unreadable part of the export)."""

    wat: str
    status: Status
    record_id: str | None = None
    code: str | None = None
    reden: str | None = None


@dataclass
class Verslag:
    """The summary of one run."""

    bron: str
    dossier_id: str
    opgeslagen: list[str] = field(default_factory=list)  # record ids of the posts
    dubbel: int = 0
    # Posts filed before whose bytes now differ (an edit): reported, not filed again.
    gewijzigd: list[str] = field(default_factory=list)
    mislukt: list[Uitkomst] = field(default_factory=list)
    media_opgeslagen: int = 0
    media_alleen_url: int = 0
    # Media filed but quarantined (a type nothing reads), or not filed (unreadable, too large).
    media_problemen: list[Uitkomst] = field(default_factory=list)
    waarschuwingen: list[str] = field(default_factory=list)
    warc_id: str | None = None
    afgebroken: str | None = None

    @property
    def in_orde(self) -> bool:
        """Tell whether every post read, and every media file held, was filed or already there.

        A media file kept in quarantine (a type nothing reads) is kept, so it
        is reported but is no failure; one that could not be filed is.
        """
        return (
            not self.mislukt
            and self.afgebroken is None
            and all(u.record_id for u in self.media_problemen)
        )

    def samenvatting(self) -> dict[str, Any]:
        """Return the counts and reasons, as the audit entry and the scheduled task keep them."""
        return {
            "bron": self.bron,
            "opgeslagen": len(self.opgeslagen),
            "dubbel": self.dubbel,
            "gewijzigd": self.gewijzigd[:MAX_GENOEMD],
            "mislukt": len(self.mislukt),
            "fouten": [
                {"wat": u.wat, "code": u.code, "reden": (u.reden or "")[:200]}
                for u in self.mislukt[:MAX_GENOEMD]
            ],
            "media_opgeslagen": self.media_opgeslagen,
            "media_alleen_url": self.media_alleen_url,
            "media_problemen": len(self.media_problemen),
            "warc_id": self.warc_id,
            "afgebroken": self.afgebroken,
        }


@dataclass(frozen=True, slots=True)
class _Gearchiveerd:
    row_id: str
    record_id: str
    doel_uri: str


class Archivering:
    """One run: posts from one source into one dossier, layer and category."""

    def __init__(
        self,
        poorten: Poorten,
        doel: Doel,
        *,
        bron: str,
        actor: Actor = SYSTEEM,
        lijst: selectielijst.Selectielijst | None = None,
    ) -> None:
        self.poorten = poorten
        self.doel = doel
        self.actor = actor
        self.lijst = lijst or selectielijst.default()
        if doel.categorie is not None:
            self.lijst.get(doel.categorie)  # an unknown code is refused before anything is filed
        with poorten.sessions() as session:
            dossier = dossier_by_kenmerk(session, doel.dossier)
            if dossier is None:
                raise OnbekendDossier(f"no dossier with kenmerk {doel.dossier!r}")
            self.dossier_id = dossier.id
        self.intake = poorten.intake_for(actor)
        if self.intake.layers and doel.laag not in self.intake.layers:
            raise UnknownLayer(
                f"unknown layer {doel.laag!r}; known: {', '.join(self.intake.layers)}"
            )
        self.verslag = Verslag(bron=bron, dossier_id=self.dossier_id)
        # Each key seen in this run: the bytes it had and the record it went to.
        self._gezien: dict[tuple[str, str], tuple[str, str | None]] = {}
        self._gearchiveerd: dict[tuple[str, str], _Gearchiveerd] = {}

    def overslaan(self, fout: OngeldigeExport) -> None:
        """Report a post the parser could not read; give this to the parser as `overslaan`."""
        self.verslag.mislukt.append(_fout(fout))

    def archiveer(
        self,
        berichten: Iterable[Bericht],
        *,
        media: MediaZoeker | None = None,
        warc: bool = False,
        paginas: Sequence[Pagina] = (),
        voortgang: Callable[[Uitkomst], None] | None = None,
    ) -> Verslag:
        """File the posts; with `warc`, also a WARC of the new ones (and of `paginas`)."""
        stroom = self._stroom(berichten, media, voortgang)
        if warc:
            self._met_warc(stroom, paginas)
        else:
            for _bericht in stroom:
                pass
        self._log()
        return self.verslag

    def _stroom(
        self,
        berichten: Iterable[Bericht],
        media: MediaZoeker | None,
        voortgang: Callable[[Uitkomst], None] | None,
    ) -> Iterator[Bericht]:
        """File each post; yield the ones filed now (for the WARC)."""
        try:
            for bericht in berichten:
                gezien = self._gezien.get(bericht.sleutel)
                if gezien is None:
                    uitkomst = self._een(bericht, media)
                    self._gezien[bericht.sleutel] = (bericht.sha256, uitkomst.record_id)
                else:
                    # The same post twice in one export (or page): the first copy counts.
                    uitkomst = self._dubbel(gezien[0], gezien[1], bericht)
                if uitkomst.status == "mislukt":
                    self.verslag.mislukt.append(uitkomst)
                if voortgang is not None:
                    voortgang(uitkomst)
                if bericht.sleutel in self._gearchiveerd:
                    yield bericht
        except OngeldigeExport as exc:
            # The export's structure broke: nothing after this point can be found.
            self.verslag.mislukt.append(_fout(exc))
        except PortError as exc:
            log.warning("sociaal.vastleggen.afgebroken", code=exc.code, dossier_id=self.dossier_id)
            self.verslag.afgebroken = exc.detail

    def _een(self, bericht: Bericht, media: MediaZoeker | None) -> Uitkomst:
        wat = f"{bericht.platform}:{bericht.platform_id}"
        try:
            return self._archiveer(bericht, media, wat)
        except PortError:
            raise
        except ArchiefError as exc:
            return Uitkomst(wat, "mislukt", code=exc.code, reden=exc.detail)
        except Exception as exc:
            # A bug must not cost the rest of the batch; it is logged in full and reported.
            log.exception("sociaal.vastleggen.interne_fout", platform=bericht.platform)
            return Uitkomst(wat, "mislukt", code="internal_error", reden=type(exc).__name__)

    def _archiveer(self, bericht: Bericht, media: MediaZoeker | None, wat: str) -> Uitkomst:
        if len(bericht.platform_id) > MAX_ID or len(bericht.in_antwoord_op or "") > MAX_ID:
            return Uitkomst(wat, "mislukt", code="id_te_lang", reden=f"id over {MAX_ID} tekens")
        sessions = self.poorten.sessions
        with sessions() as session:
            bekend = repository.bekend(session, *bericht.sleutel)
            if bekend is not None:
                return self._dubbel(bekend.sha256, bekend.record_id, bericht)
            gesprek = bericht.gesprek
            parent = bericht.in_antwoord_op
            if parent and gesprek in (None, parent):
                # The parent was filed before (an earlier run or page): join its thread.
                gesprek = repository.gesprek_van(session, bericht.platform, parent) or parent
        titel = normaal.titel(bericht)
        bijlagen = [self._medium(bericht, m, titel, media) for m in bericht.media]
        normaal.schrijf(self.poorten.store, normaal.van_bericht(bericht, bijlagen, gesprek=gesprek))
        item = self.intake.receive(
            io.BytesIO(bericht.ruw),
            name=bericht.bestandsnaam,
            dossier_id=self.dossier_id,
            laag=self.doel.laag,
            titel=titel,
            media_type=bericht.record_media_type,
        )
        if item.record_id is None:
            return Uitkomst(wat, "mislukt", code=item.reason_code, reden=item.reason)
        row = SociaalBericht(
            platform=bericht.platform,
            platform_id=bericht.platform_id,
            record_id=item.record_id,
            dossier_id=self.dossier_id,
            account=bericht.account,
            url=bericht.url,
            antwoord_op=bericht.in_antwoord_op,
            gepubliceerd_op=bericht.geplaatst_op,
            vastgelegd_op=self.poorten.clock.now(),
            sha256=bericht.sha256,
            auteur=bericht.auteur,
            soort=bericht.soort,
            gesprek=gesprek,
            gedeeld_van=bericht.gedeeld_van,
            bron=bericht.bron,
            media=[m.als_dict() for m in bijlagen],
        )
        try:
            with sessions.begin() as session:
                session.add(row)
        except sqlalchemy.exc.IntegrityError:
            # Another run filed the same post a moment ago.
            with sessions() as session:
                bekend = repository.bekend(session, *bericht.sleutel)
            if bekend is None:
                raise
            return self._dubbel(bekend.sha256, bekend.record_id, bericht)
        self._categoriseer([item.record_id, *(m.record_id for m in bijlagen if m.record_id)])
        self._gearchiveerd[bericht.sleutel] = _Gearchiveerd(
            row.id, item.record_id, bericht.doel_uri
        )
        self.verslag.opgeslagen.append(item.record_id)
        if item.status == "failed":
            # Kept, but quarantined: it will not be searchable until someone looks.
            return Uitkomst(wat, "mislukt", item.record_id, item.reason_code, item.reason)
        return Uitkomst(wat, "opgeslagen", item.record_id)

    def _dubbel(self, sha256: str | None, record_id: str | None, bericht: Bericht) -> Uitkomst:
        wat = f"{bericht.platform}:{bericht.platform_id}"
        self.verslag.dubbel += 1
        if sha256 is not None and sha256 != bericht.sha256:
            # An edited post: the filed bytes stay; the difference is named, not lost unseen.
            self.verslag.gewijzigd.append(wat)
        return Uitkomst(wat, "dubbel", record_id)

    def _medium(
        self, bericht: Bericht, medium: Media, titel: str, zoeker: MediaZoeker | None
    ) -> MediaVerwijzing:
        verwijzing = MediaVerwijzing(
            url=medium.url,
            media_type=medium.media_type,
            naam=medium.naam,
            beschrijving=medium.beschrijving,
        )
        pad = zoeker(bericht, medium) if zoeker is not None else None
        if pad is None:
            self.verslag.media_alleen_url += 1
            return _met(verwijzing, None, "alleen_url")
        naam = medium.naam or pad.name
        wat = f"{bericht.platform}:{bericht.platform_id} {naam}"
        try:
            with pad.open("rb") as f:
                item = self.intake.receive(
                    f,
                    name=Path(naam).name,
                    dossier_id=self.dossier_id,
                    laag=self.doel.laag,
                    titel=f"Media bij {titel}: {Path(naam).name}",
                )
        except OSError as exc:
            self.verslag.media_problemen.append(
                Uitkomst(wat, "mislukt", code="onleesbaar", reden=exc.strerror or str(exc))
            )
            return _met(verwijzing, None, "onleesbaar")
        except PortError:
            raise
        except ArchiefError as exc:
            self.verslag.media_problemen.append(
                Uitkomst(wat, "mislukt", None, exc.code, exc.detail)
            )
            return _met(verwijzing, None, exc.code)
        return self._medium_gearchiveerd(verwijzing, item, wat)

    def _medium_gearchiveerd(
        self, verwijzing: MediaVerwijzing, item: IngestItem, wat: str
    ) -> MediaVerwijzing:
        if item.status == "stored":
            self.verslag.media_opgeslagen += 1
        if item.status == "failed":
            self.verslag.media_problemen.append(
                Uitkomst(wat, "mislukt", item.record_id, item.reason_code, item.reason)
            )
        return _met(verwijzing, item.record_id, item.reason_code)

    def _categoriseer(self, record_ids: Sequence[str]) -> None:
        code = self.doel.categorie
        if code is None:
            return
        for record_id in record_ids:
            try:
                with self.poorten.sessions.begin() as session:
                    record = session.get(Record, record_id, with_for_update=True)
                    if record is None or record.categorie == code:
                        continue
                    categorie.set_record(
                        session,
                        record,
                        code,
                        self.lijst,
                        actor=self.actor,
                        at=self.poorten.clock.now(),
                    )
            except PortError:
                raise
            except ArchiefError as exc:
                # A held record keeps its retention; it follows its dossier meanwhile.
                self.verslag.waarschuwingen.append(
                    f"record {record_id}: categorie {code} niet gezet ({exc.code}: {exc.detail})"
                )

    def _met_warc(self, stroom: Iterator[Bericht], paginas: Sequence[Pagina]) -> None:
        now = self.poorten.clock.now()
        naam = f"sociaal-{_slug(self.verslag.bron)}-{now:%Y%m%dT%H%M%SZ}.warc.gz"
        spool = self.intake.settings.spool_dir
        spool.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=spool, prefix="warc-") as tmp:
            warc = schrijf_warc(
                tmp,
                stroom,
                bestandsnaam=naam,
                clock=self.poorten.clock,
                paginas=paginas,
                info={
                    "isPartOf": self.doel.dossier,
                    "description": f"archief sociaal: {self.verslag.bron}",
                    "operator": self.actor.id,
                },
            )
            if not self._gearchiveerd:
                self.verslag.waarschuwingen.append("geen nieuwe berichten: geen WARC vastgelegd")
                return
            tmp.seek(0)
            digest = hashlib.file_digest(tmp, "sha256").hexdigest()
            records: list[dict[str, str | None]] = [
                {"type": "response", "target_uri": url, "warc_record_id": rid, "record_id": None}
                for url, rid in warc.paginas.items()
            ]
            for sleutel, rid in warc.berichten.items():
                gearchiveerd = self._gearchiveerd[sleutel]
                records.append(
                    {
                        "type": "resource",
                        "target_uri": gearchiveerd.doel_uri,
                        "warc_record_id": rid,
                        "record_id": gearchiveerd.record_id,
                    }
                )
            try:
                normaal.schrijf(
                    self.poorten.store,
                    normaal.van_warc(
                        digest, bestandsnaam=naam, bron=self.verslag.bron, records=records
                    ),
                )
                tmp.seek(0)
                item = self.intake.receive(
                    tmp,
                    name=naam,
                    dossier_id=self.dossier_id,
                    laag=self.doel.laag,
                    titel=(
                        f"WARC sociale media: {self.verslag.bron}, "
                        f"{normaal.lokale_tijd(now)} ({len(warc.berichten)} bericht(en))"
                    ),
                    media_type=WARC,
                )
            except PortError as exc:
                self.verslag.afgebroken = f"WARC niet vastgelegd: {exc.detail}"
                return
        if item.record_id is None or item.status == "failed":
            self.verslag.mislukt.append(
                Uitkomst(naam, "mislukt", item.record_id, item.reason_code, item.reason)
            )
            return
        per_rij = {
            self._gearchiveerd[sleutel].row_id: rid for sleutel, rid in warc.berichten.items()
        }
        with self.poorten.sessions.begin() as session:
            repository.koppel_warc(
                session, list(per_rij), warc_id=item.record_id, warc_records=per_rij
            )
        self._categoriseer([item.record_id])
        self.verslag.warc_id = item.record_id

    def _log(self) -> None:
        try:
            with self.poorten.sessions.begin() as session:
                append(
                    session,
                    actor=self.actor,
                    actie="sociaal.vastgelegd",
                    object_type="dossier",
                    object_id=self.dossier_id,
                    dossier_id=self.dossier_id,
                    at=self.poorten.clock.now(),
                    details=self.verslag.samenvatting(),
                )
        except PortError as exc:
            # The records and their own entries are in; only the run's summary is lost.
            log.warning("sociaal.vastleggen.audit_mislukt", code=exc.code)
            self.verslag.afgebroken = self.verslag.afgebroken or exc.detail
        log.info(
            "sociaal.vastgelegd",
            dossier_id=self.dossier_id,
            opgeslagen=len(self.verslag.opgeslagen),
            dubbel=self.verslag.dubbel,
            mislukt=len(self.verslag.mislukt),
        )


def _fout(exc: OngeldigeExport) -> Uitkomst:
    wat = exc.bron if exc.positie is None else f"{exc.bron} (byte {exc.positie})"
    return Uitkomst(wat, "mislukt", code=exc.code, reden=exc.detail)


def _met(
    verwijzing: MediaVerwijzing, record_id: str | None, opmerking: str | None
) -> MediaVerwijzing:
    return dataclasses.replace(verwijzing, record_id=record_id, opmerking=opmerking)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[-60:].strip("-").lower() or "run"
