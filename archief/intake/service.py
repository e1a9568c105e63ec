# SPDX-License-Identifier: EUPL-1.2
"""Receive a file: spool it while hashing, store the original, catalog it, hand it on.

Nothing here reads the document: OCR and extraction happen in workers, never
in the request path. The work is enqueued only after the catalog commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from archief.audit.chain import SYSTEEM, Actor
from archief.bewaring import selectielijst
from archief.bewaring.blokkade import LegalHolds, held
from archief.bewaring.categorie import derive
from archief.catalog.models import Afdeling, Content, Dossier, IngestItem, Record, new_id
from archief.errors import ArchiefError, NotFound, PortError
from archief.intake import names
from archief.intake.detect import UnsupportedType, detect
from archief.ports import TASK_EXTRACT, TASK_FINALIZE, Clock, ObjectStore, TaskQueue
from archief.records import repository
from archief.settings import IngestSettings
from archief.storage.common import CHUNK, original_key
from archief.versies import dossier_created, record_changed, record_state, records_created

log = structlog.get_logger(__name__)


class TooLarge(ArchiefError):
    code = "too_large"
    status = 413
    title = "Bestand te groot"


@dataclass(frozen=True, slots=True)
class Spooled:
    path: Path
    sha256: str
    size: int
    head: bytes


@dataclass(frozen=True, slots=True)
class Ontvangen:
    """A file whose original is stored, waiting to be catalogued (`Intake.catalog`)."""

    item: IngestItem
    sha256: str
    size: int
    media_type: str
    # Why its type cannot be read: catalogued all the same, but quarantined.
    problem: UnsupportedType | None
    titel: str | None


@dataclass(frozen=True, slots=True)
class _Gecatalogiseerd:
    item: IngestItem
    task: str | None
    # Filed into a held dossier: its bytes are held in the bucket too.
    hold: bool


class SpoolWriter:
    """Write an incoming file to a temporary file, hashing it and enforcing the size limit."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix="upload-")
        self.path = Path(name)
        self._out = os.fdopen(fd, "wb")
        self._digest = hashlib.sha256()
        self._max = max_bytes
        self.size = 0
        self.head = b""

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._max:
            raise TooLarge(f"larger than the limit of {self._max} bytes")
        if len(self.head) < 8192:
            self.head += chunk[: 8192 - len(self.head)]
        self._digest.update(chunk)
        self._out.write(chunk)

    def finish(self) -> Spooled:
        self._out.close()
        return Spooled(self.path, self._digest.hexdigest(), self.size, self.head)

    def discard(self) -> None:
        self._out.close()
        self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def spool(stream: BinaryIO, directory: Path, max_bytes: int) -> Iterator[Spooled]:
    """Copy a stream to a temporary file, hashing it; the file is removed afterwards."""
    writer = SpoolWriter(directory, max_bytes)
    try:
        while chunk := stream.read(CHUNK):
            writer.write(chunk)
        yield writer.finish()
    finally:
        writer.discard()


@dataclass
class Intake:
    """The intake service, wired with the ports it needs."""

    sessions: sessionmaker[Session]
    store: ObjectStore
    queue: TaskQueue
    clock: Clock
    settings: IngestSettings
    # The layers of the live policy: a record in any other layer would be
    # invisible to everyone and block the next policy load.
    layers: Collection[str] = ()
    # Who hands the files in: the audit trail names them for every record.
    actor: Actor = SYSTEEM

    def receive(
        self,
        stream: BinaryIO,
        *,
        name: str,
        dossier_id: str,
        laag: str,
        titel: str | None = None,
        source_key: str | None = None,
        media_type: str | None = None,
    ) -> IngestItem:
        """Take one file into the archive; return its intake item (committed).

        `media_type` is for archief's own capture code only: see `detect`.
        """
        with spool(stream, self.settings.spool_dir, self.settings.max_upload_bytes) as spooled:
            return self.receive_spooled(
                spooled,
                name=name,
                dossier_id=dossier_id,
                laag=laag,
                titel=titel,
                source_key=source_key,
                media_type=media_type,
            )

    def receive_spooled(
        self,
        spooled: Spooled,
        *,
        name: str,
        dossier_id: str,
        laag: str,
        titel: str | None = None,
        source_key: str | None = None,
        media_type: str | None = None,
    ) -> IngestItem:
        """Take a file that is already spooled to disk; return its intake item (committed)."""
        got = self.put_spooled(
            spooled,
            name=name,
            dossier_id=dossier_id,
            laag=laag,
            titel=titel,
            source_key=source_key,
            media_type=media_type,
        )
        return got if isinstance(got, IngestItem) else self._catalog(got)

    def put_original(
        self,
        stream: BinaryIO,
        *,
        name: str,
        dossier_id: str,
        laag: str,
        source_key: str | None = None,
    ) -> Ontvangen | IngestItem:
        """Store one file's original, for `catalog` to take in with others.

        An empty file is finished at once (its failed item, committed): it
        has nothing to store.
        """
        with spool(stream, self.settings.spool_dir, self.settings.max_upload_bytes) as spooled:
            return self.put_spooled(
                spooled, name=name, dossier_id=dossier_id, laag=laag, source_key=source_key
            )

    def put_spooled(
        self,
        spooled: Spooled,
        *,
        name: str,
        dossier_id: str,
        laag: str,
        titel: str | None = None,
        source_key: str | None = None,
        media_type: str | None = None,
    ) -> Ontvangen | IngestItem:
        """Store a spooled file's original; what `catalog` needs to take it in."""
        if self.layers and laag not in self.layers:
            raise UnknownLayer(f"unknown layer {laag!r}; known: {', '.join(self.layers)}")
        now = self.clock.now()
        item = IngestItem(
            id=new_id(),
            dossier_id=dossier_id,
            laag=laag,
            display_name=names.sanitise(name),
            original_name=names.escaped(name),
            source_key=source_key,
            created_at=now,
        )
        if spooled.size == 0:
            return self._finish(item, "failed", "empty_file", "the file is empty (0 bytes)")
        try:
            media_type = detect(
                spooled.head, whole=spooled.size <= len(spooled.head), declared=media_type
            )
            problem: UnsupportedType | None = None
        except UnsupportedType as exc:
            # Kept all the same (nothing is lost), but quarantined.
            media_type, problem = "application/octet-stream", exc
        with spooled.path.open("rb") as f:
            self.store.put(
                original_key(spooled.sha256),
                f,
                content_type=media_type,
                sha256=spooled.sha256,
                size=spooled.size,
            )
        return Ontvangen(item, spooled.sha256, spooled.size, media_type, problem, titel)

    def catalog(self, received: Sequence[Ontvangen]) -> list[IngestItem | ArchiefError]:
        """Catalog stored originals in one transaction and hand them on; each alone if that fails.

        Why together: one by one, a born-digital backlog spent about as much
        CPU on its catalog transactions (the content, the record, its
        version, the audit chain's head, the hold check, the item: each a
        round trip) as on storing the files. A group pays each round trip once.

        Should the group's transaction fail (another intake catalogued the
        same bytes meanwhile, a constraint, a bug), nothing of it is
        committed, and each file is catalogued alone so that each gets its
        own verdict. An ArchiefError of one file is its outcome; any other
        error is raised, as `receive` would.
        """
        if len(received) > 1:
            try:
                together = self._catalog_together(received)
            except Exception:  # each file is settled alone below
                log.warning("ingest.intake.group_failed", files=len(received), exc_info=True)
            else:
                return [*self._handed_on(together)]
        outcomes: list[IngestItem | ArchiefError] = []
        for one in received:
            try:
                outcomes.append(self._catalog(one))
            except ArchiefError as exc:
                outcomes.append(exc)
        return outcomes

    def _finish(
        self, item: IngestItem, status: str, code: str | None, reason: str | None
    ) -> IngestItem:
        item.status, item.reason_code, item.reason = status, code, reason
        with self.sessions.begin() as session:
            session.add(item)
        log.info("ingest.intake.finished", item_id=item.id, status=status, code=code)
        return item

    def _catalog(self, got: Ontvangen) -> IngestItem:
        return self._handed_on(self._catalog_together([got]))[0]

    def _catalog_together(self, received: Sequence[Ontvangen]) -> list[_Gecatalogiseerd]:
        """One transaction for all: contents, records, versions, audit entries, items.

        Every statement takes the whole group: one lock of the contents, one
        look for records that already hold the bytes, one append to the audit
        chain. Files with the same bytes in one group are one record: the
        later ones are duplicates of the first, as they would be one by one.
        """
        now = self.clock.now()
        shas = list(dict.fromkeys(got.sha256 for got in received))
        with self.sessions.begin() as session:
            contents = {
                c.sha256: c
                for c in session.scalars(
                    select(Content)
                    .where(Content.sha256.in_(shas))
                    # One order for every intake: two groups never wait on each other's locks.
                    .order_by(Content.sha256)
                    .with_for_update()
                )
            }
            for got in received:
                if got.sha256 not in contents:
                    contents[got.sha256] = Content(
                        sha256=got.sha256,
                        media_type=got.media_type,
                        size=got.size,
                        status="failed" if got.problem else "stored",
                        reason_code=got.problem.code if got.problem else None,
                        reason=got.problem.detail if got.problem else None,
                        quarantined=got.problem is not None,
                        attempts=0,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(contents[got.sha256])
            dossiers = list(dict.fromkeys(got.item.dossier_id for got in received))
            holding: dict[tuple[str, str], Record] = {
                (r.dossier_id, r.sha256): r
                for r in session.scalars(
                    select(Record).where(Record.sha256.in_(shas), Record.dossier_id.in_(dossiers))
                )
            }
            new: list[Record] = []
            for got in received:
                item = got.item
                item.sha256 = got.sha256
                existing = holding.get((item.dossier_id, got.sha256))
                if existing is not None:
                    item.record_id, item.status = existing.id, "duplicate"
                    continue
                record = Record(
                    id=new_id(),
                    dossier_id=item.dossier_id,
                    titel=got.titel
                    or Path(item.display_name).stem.replace("-", " ").replace("_", " "),
                    laag=item.laag,
                    sha256=got.sha256,
                    object_key=original_key(got.sha256),
                    media_type=got.media_type,
                    size=got.size,
                    filename=item.display_name,
                    created_at=now,
                )
                holding[(item.dossier_id, got.sha256)] = record
                new.append(record)
                item.record_id, item.status = record.id, "stored"
            session.add_all(new)
            session.flush()
            records_created(session, new, actor=self.actor, at=now)
            categorised = set(
                session.scalars(
                    select(Dossier.id).where(
                        Dossier.id.in_(dossiers), Dossier.categorie.is_not(None)
                    )
                )
            )
            for record in new:
                if record.dossier_id in categorised:
                    # Filed into a categorised dossier: its retention follows
                    # from the first moment, not from the next re-derivation.
                    derive(session, record, selectielijst.default(), actor=self.actor, at=now)
            frozen = held(session, [record.id for record in new])
            done: list[_Gecatalogiseerd] = []
            for got in received:
                item = got.item
                if got.problem is not None:
                    item.status = "failed"
                    item.reason_code, item.reason = got.problem.code, got.problem.detail
                session.add(item)
                # A duplicate of content that still waits (never handed on after a
                # broker outage, or failed while a service was away) is handed on
                # again: the upload is a new try. A new record always is.
                task = next_task(contents[got.sha256], new_record=item.status == "stored")
                hold = item.status == "stored" and item.record_id in frozen
                done.append(_Gecatalogiseerd(item, task, hold))
        return done

    def _handed_on(self, done: Sequence[_Gecatalogiseerd]) -> list[IngestItem]:
        """After the commit: hold the held bytes, hand each content on once."""
        sent: set[tuple[str, str | None]] = set()
        for one in done:
            item = one.item
            sha = item.sha256 or ""
            if one.hold and isinstance(self.store, LegalHolds):
                self.store.set_legal_hold(original_key(sha), True)
            log.info("ingest.intake.stored", item_id=item.id, status=item.status)
            if item.status in ("stored", "duplicate") and (sha, one.task) not in sent:
                sent.add((sha, one.task))
                self._hand_on(sha, one.task)
        return [one.item for one in done]

    def replace_content(
        self,
        spooled: Spooled,
        *,
        name: str,
        record_id: str,
        check: Callable[[Session, Record], None],
        details: Mapping[str, str] | None = None,
    ) -> tuple[Record, bool]:
        """A new version of a record's original; say whether anything changed.

        The new bytes are stored under their own SHA-256 beside the old ones,
        which stay (versions are never overwritten). `check` runs on the
        locked record before anything changes in the catalog: access, the
        memo lock, holds. Unreadable types are refused here rather than
        quarantined, since a record must not become unreadable by a new version.
        """
        if spooled.size == 0:
            raise EmptyFile("the file is empty (0 bytes)")
        media_type = detect(spooled.head, whole=spooled.size <= len(spooled.head))
        sha = spooled.sha256
        with spooled.path.open("rb") as f:
            self.store.put(
                original_key(sha), f, content_type=media_type, sha256=sha, size=spooled.size
            )
        now = self.clock.now()
        with self.sessions.begin() as session:
            record = session.get(Record, record_id, with_for_update=True)
            if record is None:
                raise NotFound(f"no record {record_id}")
            check(session, record)
            if record.sha256 == sha:
                return record, False
            twin = repository.record_by_content(session, record.dossier_id, sha)
            if twin is not None:
                raise DuplicateContent(
                    f"record {twin.id} in this dossier already holds these bytes", record=twin.id
                )
            content = session.get(Content, sha, with_for_update=True)
            if content is None:
                content = Content(
                    sha256=sha,
                    media_type=media_type,
                    size=spooled.size,
                    status="stored",
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
                session.add(content)
                session.flush()
            voor = record_state(record)
            record.sha256, record.object_key = sha, original_key(sha)
            record.media_type, record.size = media_type, spooled.size
            record.filename = names.sanitise(name)
            record_changed(
                session,
                record,
                voor,
                actor=self.actor,
                actie="record.inhoud",
                at=now,
                details=details,
            )
            task = next_task(content, new_record=True)
        self._hand_on(sha, task)
        return record, True

    def resume(self, sha: str) -> bool:
        """Hand on content that waits: never processed, or failed while a service was away.

        Says whether it was handed on. Content quarantined for its bytes is not.
        """
        with self.sessions() as session:
            content = session.get(Content, sha)
            task = None if content is None else next_task(content, new_record=False)
        self._hand_on(sha, task)
        return task is not None

    def _hand_on(self, sha: str, task: str | None) -> None:
        if task is None:
            return
        try:
            self.queue.enqueue(task, sha)
        except PortError:
            # Stored and catalogued, so nothing is lost: `archief resume` (or
            # the same `archief ingest` again) hands it on when the broker is back.
            log.warning("ingest.intake.enqueue_failed", sha256=sha)


def waits(content: Content) -> bool:
    """Whether this content still has to be read: never handed on, or failed for a service.

    A failure that is not quarantined is a service that stayed away past the
    worker's retries, not a property of the bytes (ingest.worker), so the
    content is read again rather than left failed for good.
    """
    return content.status == "stored" or (content.status == "failed" and not content.quarantined)


def next_task(content: Content, *, new_record: bool) -> str | None:
    """The task that carries this content on, or None: it is running, indexed, or quarantined.

    With `new_record`, a record (or a new version) now points at the content:
    if the content was indexed already, only that record still needs indexing.
    A content being read now indexes every record it has when it finishes.
    """
    if waits(content):
        return TASK_EXTRACT
    if new_record and content.status == "indexed":
        return TASK_FINALIZE
    return None


def ensure_dossier(
    sessions: sessionmaker[Session],
    clock: Clock,
    *,
    kenmerk: str,
    titel: str,
    afdeling: str | None,
    wijken: Sequence[str] = (),
    actor: Actor = SYSTEEM,
) -> Dossier:
    """Return the dossier with this kenmerk, creating it if needed (committed).

    A new dossier needs an owning afdeling the organisation knows: the
    policy grants per afdeling, so a typo would hide the dossier from its
    own colleagues.
    """
    with sessions.begin() as session:
        dossier = repository.dossier_by_kenmerk(session, kenmerk)
        if dossier is not None:
            return dossier
        if afdeling is None or session.get(Afdeling, afdeling) is None:
            known = ", ".join(session.scalars(select(Afdeling.code).order_by(Afdeling.code)))
            given = "no afdeling" if afdeling is None else f"unknown afdeling {afdeling!r}"
            raise UnknownAfdeling(
                f"a new dossier needs its owning afdeling: {given}; known: {known}"
            )
        dossier = Dossier(
            kenmerk=kenmerk,
            titel=titel,
            afdeling=afdeling,
            wijken=list(wijken),
            created_at=clock.now(),
        )
        session.add(dossier)
        session.flush()
        dossier_created(session, dossier, actor=actor, at=dossier.created_at)
        return dossier


class EmptyFile(ArchiefError):
    code = "empty_file"
    status = 422
    title = "Leeg bestand"


class DuplicateContent(ArchiefError):
    code = "duplicate_content"
    status = 409
    title = "Inhoud bestaat al"


class UnknownLayer(ArchiefError):
    code = "unknown_layer"
    status = 422
    title = "Onbekende laag"


class UnknownAfdeling(ArchiefError):
    code = "unknown_afdeling"
    status = 422
    title = "Onbekende afdeling"
