# SPDX-License-Identifier: EUPL-1.2
"""Executing an approved destruction list: purge every copy, keep a stub, certify.

Per record, in its own transaction (a run that stops half-way carries on
where it stopped, and nothing is destroyed twice):

1. Check again what the review checked: still active, nominatie
   vernietigen, past its archiefactiedatum, and no legal hold — a hold
   placed during the cooling-off period wins. Otherwise the record is
   skipped (`overgeslagen`) with the reason, and named in the verklaring.
2. Bytes: every content the record ever had (each version) is purged from
   the object store — the original, derived artifacts and work files, every
   S3 version — unless another record that is not destroyed still holds the
   same bytes (the same scan filed twice). Page rows go; the content row
   stays as a stub so the record's SHA-256 still resolves.
3. The search document is deleted; after the last record the index merges
   deletions away (`expunge_deleted`), since a delete alone leaves the text
   in Lucene's segment files.
4. The catalog keeps the minimal stub: id, dossier, layer, kind, category,
   nominatie, dates, size, type and hash, status `vernietigd`, and the list
   that destroyed it. The title and file name become `[vernietigd]` in the
   record and in every earlier version (the one update the database lets
   `record_versie` undergo, and only inside this step), intake items lose
   their names, metadata suggestions read from the content are deleted.
5. Temporary files a crashed worker left for these bytes are removed.

The audit trail is not rewritten: it is the evidence of what happened and
is hash-chained. It never holds content, but older entries do name titles
(docs/bewaring.md says so, and the verklaring says so).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

import structlog
from sqlalchemy import delete, false, func, or_, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from archief.audit.chain import Actor, append
from archief.bewaring import blokkade
from archief.bewaring.status import ACTIEF, VERNIETIGD
from archief.bewaring.vernietiging import lijst as lijsten
from archief.catalog.locks import run_lock
from archief.catalog.models import (
    Content,
    IngestItem,
    Page,
    Record,
    RecordVersie,
    SociaalBericht,
    Suggestion,
    VernietigingItem,
    Vernietigingslijst,
)
from archief.clock import AMSTERDAM
from archief.errors import ArchiefError
from archief.ports import Clock, ObjectStore, SearchIndex
from archief.settings import Settings
from archief.storage.common import CHUNK, content_prefixes, original_key
from archief.versies import record_destroyed

log = structlog.get_logger(__name__)

REDACTED = "[vernietigd]"


class WachttijdLoopt(ArchiefError):
    code = "wachttijd_loopt"
    status = 409
    title = "De wachttijd loopt nog"


@runtime_checkable
class _HeldBytes(Protocol):
    def legal_hold(self, key: str) -> bool: ...


class Poorten(Protocol):
    """What a run needs; the composition root's `Container` is one."""

    @property
    def engine(self) -> Engine: ...

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def store(self) -> ObjectStore: ...

    @property
    def index(self) -> SearchIndex | None: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def settings(self) -> Settings: ...


@dataclass
class Telling:
    """What a run did, for the list row, the verklaring and the CLI."""

    vernietigd: int = 0
    overgeslagen: int = 0
    objectversies: int = 0
    inhoud_gedeeld: int = 0
    tijdelijke_bestanden: int = 0
    index_verwijderd_over: int | None = None
    fouten: list[str] = field(default_factory=list)

    def als_dict(self) -> dict[str, object]:
        return {
            "vernietigd": self.vernietigd,
            "overgeslagen": self.overgeslagen,
            "objectversies": self.objectversies,
            "inhoud_gedeeld": self.inhoud_gedeeld,
            "tijdelijke_bestanden": self.tijdelijke_bestanden,
            "index_verwijderd_over": self.index_verwijderd_over,
        }


@dataclass(frozen=True, slots=True)
class Stap:
    """Progress of a run: one record done."""

    gedaan: int
    totaal: int
    record_id: str
    uitkomst: str


def start(ports: Poorten, lijst_id: str, *, actor: Actor) -> tuple[Vernietigingslijst, list[str]]:
    """Mark an approved list as being executed; return it and the records still to do."""
    with ports.sessions.begin() as session:
        lijst = lijsten.laad(session, lijst_id, lock=True)
        if lijst.status not in (lijsten.GOEDGEKEURD, lijsten.IN_UITVOERING):
            raise lijsten.Vernietigingsfout(
                f"list {lijst.kenmerk} is {lijst.status}; only an approved list can be executed"
            )
        now = ports.clock.now()
        if lijst.uitvoerbaar_vanaf is None or _utc(lijst.uitvoerbaar_vanaf) > now:
            raise WachttijdLoopt(
                f"list {lijst.kenmerk} may be executed from "
                f"{lijst.uitvoerbaar_vanaf:%Y-%m-%d %H:%M} on (cooling-off period)",
                uitvoerbaar_vanaf=str(lijst.uitvoerbaar_vanaf),
            )
        if lijst.status == lijsten.GOEDGEKEURD:
            lijst.status = lijsten.IN_UITVOERING
            append(
                session,
                actor=actor,
                actie="vernietiging.gestart",
                object_type="vernietigingslijst",
                object_id=lijst.id,
                at=now,
                details={"kenmerk": lijst.kenmerk},
            )
        todo = [i.record_id for i in lijsten.items(session, lijst) if i.status == "opgenomen"]
        session.expunge(lijst)
    return lijst, todo


def voer_uit(
    ports: Poorten,
    lijst_id: str,
    *,
    actor: Actor,
    verklaar: Callable[[Vernietigingslijst, Telling], str | None] | None = None,
    progress: Callable[[Stap], None] | None = None,
) -> tuple[Vernietigingslijst, Telling]:
    """Execute an approved list whose cooling-off period is over (one run at a time).

    `verklaar` writes the verklaring van vernietiging and returns its record
    id; the caller passes `verklaring.archiveer` bound to its intake.
    """
    with run_lock(ports.engine, f"vernietiging:{lijst_id}"):
        lijst, todo = start(ports, lijst_id, actor=actor)
        telling = Telling()
        for n, record_id in enumerate(todo, start=1):
            uitkomst = _vernietig(ports, lijst, record_id, actor, telling)
            if progress is not None:
                progress(Stap(n, len(todo), record_id, uitkomst))
        if ports.index is not None:
            telling.index_verwijderd_over = ports.index.expunge_deleted()
            if telling.index_verwijderd_over:
                log.error(
                    "vernietiging.index_niet_opgeschoond",
                    lijst=lijst.kenmerk,
                    verwijderd_over=telling.index_verwijderd_over,
                )
        with ports.sessions() as session:
            telling.overgeslagen = _count(session, lijst.id, "overgeslagen")
            telling.vernietigd = _count(session, lijst.id, "vernietigd")
        verklaring_id = verklaar(lijst, telling) if verklaar is not None else None
        with ports.sessions.begin() as session:
            row = lijsten.laad(session, lijst.id, lock=True)
            row.status = lijsten.UITGEVOERD
            row.uitgevoerd_op = ports.clock.now()
            row.uitgevoerd_door = actor.id
            row.verklaring_record_id = verklaring_id
            row.uitvoering = telling.als_dict()
            append(
                session,
                actor=actor,
                actie="vernietiging.uitgevoerd",
                object_type="vernietigingslijst",
                object_id=row.id,
                at=row.uitgevoerd_op,
                details={"kenmerk": row.kenmerk, "verklaring": verklaring_id, **row.uitvoering},
            )
            session.flush()
            session.expunge(row)
        return row, telling


def _count(session: Session, lijst_id: str, status: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(VernietigingItem)
            .where(VernietigingItem.lijst_id == lijst_id, VernietigingItem.status == status)
        )
        or 0
    )


def _utc(at: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _waarom_niet(session: Session, record: Record, vandaag: date) -> str | None:
    """Why this record may not be destroyed today, or None when it may."""
    if record.status != ACTIEF:
        return f"record is {record.status}"
    if record.archiefnominatie != lijsten.VERNIETIGEN:
        return f"archiefnominatie is now {record.archiefnominatie}"
    if record.archiefactiedatum is None or record.archiefactiedatum > vandaag:
        return f"archiefactiedatum is now {record.archiefactiedatum}"
    holds = blokkade.holds_on(session, record)
    if holds:
        return f"held ({holds[0].grond}: blokkade {holds[0].id})"
    return None


def _needed_elsewhere(session: Session, sha: str, record_id: str) -> bool:
    """Whether a record that is not destroyed (other than this one) holds these bytes."""
    current = select(Record.id).where(
        Record.sha256 == sha, Record.id != record_id, Record.status != VERNIETIGD
    )
    versions = (
        select(RecordVersie.record_id)
        .join(Record, Record.id == RecordVersie.record_id)
        .where(RecordVersie.sha256 == sha, Record.id != record_id, Record.status != VERNIETIGD)
    )
    return session.scalar(select(or_(current.exists(), versions.exists()))) is True


def _vernietig(
    ports: Poorten, lijst: Vernietigingslijst, record_id: str, actor: Actor, telling: Telling
) -> str:
    """Destroy one record of the list (one transaction); its outcome."""
    now = ports.clock.now()
    with ports.sessions.begin() as session:
        item = session.get(VernietigingItem, (lijst.id, record_id), with_for_update=True)
        if item is None or item.status != "opgenomen":
            return "al_gedaan"
        record = session.get(Record, record_id, with_for_update=True)
        assert record is not None  # a foreign key holds it
        reden = _waarom_niet(session, record, now.astimezone(AMSTERDAM).date())
        shas = {record.sha256} | set(
            session.scalars(select(RecordVersie.sha256).where(RecordVersie.record_id == record_id))
        )
        purge = sorted(s for s in shas if not _needed_elsewhere(session, s, record_id))
        if reden is None and isinstance(ports.store, _HeldBytes):
            locked = [s for s in purge if ports.store.legal_hold(original_key(s))]
            if locked:
                # Only archief's own holds put these; one on bytes nothing
                # else needs means the catalog and the store disagree.
                reden = f"S3 legal hold on {', '.join(locked)}"
        if reden is not None:
            item.status, item.reden = "overgeslagen", reden
            append(
                session,
                actor=actor,
                actie="vernietiging.overgeslagen",
                object_type="record",
                object_id=record.id,
                dossier_id=record.dossier_id,
                at=now,
                details={"lijst": lijst.kenmerk, "reden": reden},
            )
            log.warning("vernietiging.overgeslagen", record_id=record_id, reden=reden)
            return "overgeslagen"

        # The stores first: if one fails, the transaction rolls back and the
        # record stays on the list for the next run (a purge is idempotent).
        if ports.index is not None:
            ports.index.delete([record_id], refresh=True)
        versies = 0
        for sha in purge:
            for prefix in content_prefixes(sha):
                versies += ports.store.purge(prefix)
        telling.objectversies += versies
        telling.inhoud_gedeeld += len(shas) - len(purge)
        telling.tijdelijke_bestanden += _sweep_spool(ports.settings.ingest.spool_dir, purge)
        if purge:
            session.execute(delete(Page).where(Page.sha256.in_(purge)))
            session.execute(
                update(Content)
                .where(Content.sha256.in_(purge))
                .values(status=VERNIETIGD, reason_code=None, reason=None, quarantined=False)
            )

        record.titel = REDACTED
        record.filename = None
        record.status = VERNIETIGD
        record.vorige_laag = None
        record.gepubliceerd_op = None
        record.vernietigingslijst_id = lijst.id
        record_destroyed(
            session,
            record,
            actor=actor,
            at=now,
            details={
                "lijst": lijst.kenmerk,
                "categorie": item.categorie,
                "archiefactiedatum": item.archiefactiedatum.isoformat(),
                "inhoud_gewist": len(purge),
                "inhoud_gedeeld": len(shas) - len(purge),
                "objectversies": versies,
            },
        )
        _redact_history(session, record_id, lijst.kenmerk)
        session.execute(
            update(IngestItem)
            .where(
                or_(
                    IngestItem.record_id == record_id,
                    IngestItem.sha256.in_(purge) if purge else false(),
                )
            )
            .values(display_name=REDACTED, original_name=REDACTED, source_key=None)
        )
        session.execute(delete(Suggestion).where(Suggestion.record_id == record_id))
        # The platform id (and the thread's) stays, so the connector does not
        # capture the destroyed post again; who wrote it, where it was and
        # its media descriptions go.
        session.execute(
            update(SociaalBericht)
            .where(SociaalBericht.record_id == record_id)
            .values(url=None, account="", auteur=None, bron=None, media=None)
        )
        item.status = "vernietigd"
    log.info("vernietiging.record", record_id=record_id, lijst=lijst.kenmerk, objecten=versies)
    return "vernietigd"


def _redact_history(session: Session, record_id: str, kenmerk: str) -> None:
    """Blank the titles and file names of every earlier version (see migration 0006)."""
    if session.get_bind().dialect.name == "postgresql":
        # Transaction-local: the trigger lets record_versie be updated only
        # while this is set, and only titel/filename, only to the stub values.
        session.execute(text("select set_config('archief.vernietiging', :k, true)"), {"k": kenmerk})
    session.execute(
        update(RecordVersie)
        .where(
            RecordVersie.record_id == record_id,
            or_(RecordVersie.titel != REDACTED, RecordVersie.filename.is_not(None)),
        )
        .values(titel=REDACTED, filename=None)
    )


def _sweep_spool(spool: Path, shas: list[str]) -> int:
    """Remove what a crashed worker or upload left in the spool for these bytes."""
    if not shas or not spool.is_dir():
        return 0
    removed = 0
    for sha in shas:
        # Processing names its scratch directories after the content.
        for leftover in spool.glob(f"*-{sha[:16]}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
            removed += 1
    wanted = set(shas)
    for upload in spool.glob("upload-*"):
        if upload.is_file() and _sha256(upload) in wanted:
            upload.unlink(missing_ok=True)
            removed += 1
    return removed


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()
