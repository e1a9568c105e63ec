# SPDX-License-Identifier: EUPL-1.2
"""Fixity: are the stored originals still the bytes they were catalogued as?

Every original is content-addressed: the catalog's `content.sha256` is the
digest the object store verified when the bytes came in. `check` streams
each original back, hashes it chunk by chunk and compares. Per object the
outcome is one of:

- `ok`: the bytes hash to the catalogued SHA-256;
- `mismatch`: they hash to something else (changed, truncated, replaced);
- `missing`: the store has no such object (`NotFound`);
- `unreadable`: the store refused or broke off the read. MinIO detects
  bitrot itself and then refuses (503 `SlowDownRead`) or cuts the
  connection mid-stream; both land here.

A deviation MUST be on record before anything else happens: it is appended
to the audit trail in its own transaction (`bewaring.fixiteit_afwijking`),
one entry per affected record with that record's dossier, so the trail of
every dossier holding the bytes shows it; bytes no record refers to get one
entry about the content. Then it is alerted: a structlog `error` event
`fixiteit.afwijking` and, when configured, a JSON POST to a webhook. An alert
that fails is logged and never stops the run.

Each run ends with one `bewaring.fixiteit_gecontroleerd` entry holding the
counts and, as state, the stretches of the SHA-256 ring the run checked
(`intervallen`) and where it stopped (`cursor`). That entry is the
last-checked time of every original in those stretches, so a scheduled run
with `older_than` skips what was checked recently and the next run carries
on where the last one stopped, without any table of its own (no
migration), inside the tamper-evident trail, and written in the same
transaction as the counts it explains.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import httpx
import structlog
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from archief.audit.chain import SYSTEEM, Actor, append
from archief.catalog.locks import run_lock
from archief.catalog.models import AuditEntry, Content, Record, RecordVersie
from archief.errors import NotFound, PortError
from archief.ports import Clock, ObjectStore
from archief.storage.common import CHUNK, original_key

log = structlog.get_logger(__name__)

AFWIJKING = "bewaring.fixiteit_afwijking"
GECONTROLEERD = "bewaring.fixiteit_gecontroleerd"
# Record statuses whose bytes are gone on purpose: destruction deletes every
# version, so their absence is no deviation.
WEG = ("vernietigd",)
# Catalog rows are read in pages of this many, so no transaction stays open
# for the length of a run and no run holds every digest in memory.
BATCH = 1000
WEBHOOK_TIMEOUT = 10.0

Uitkomst = Literal["ok", "mismatch", "missing", "unreadable"]


class Poorten(Protocol):
    """What a fixity run needs; the composition root's `Container` is one."""

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def store(self) -> ObjectStore: ...

    @property
    def clock(self) -> Clock: ...


@dataclass(frozen=True, slots=True)
class Getroffen:
    """A record whose bytes (now, or in an earlier version) are the deviating original."""

    record_id: str
    dossier_id: str
    huidig: bool


@dataclass(frozen=True, slots=True)
class Afwijking:
    sha256: str
    object_key: str
    uitkomst: Uitkomst
    gevonden: str | None = None
    grootte_verwacht: int | None = None
    grootte_gevonden: int | None = None
    fout: str | None = None
    records: tuple[Getroffen, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "object_key": self.object_key,
            "uitkomst": self.uitkomst,
            "verwacht": self.sha256,
            "gevonden": self.gevonden,
            "grootte_verwacht": self.grootte_verwacht,
            "grootte_gevonden": self.grootte_gevonden,
            "fout": self.fout,
            "records": [
                {"record_id": r.record_id, "dossier_id": r.dossier_id, "huidig": r.huidig}
                for r in self.records
            ],
        }


@dataclass(frozen=True, slots=True)
class Stap:
    """One original done, for a progress bar."""

    gedaan: int
    # An upper bound: originals checked recently are skipped and not counted.
    totaal: int
    sha256: str
    uitkomst: Uitkomst


@dataclass
class Report:
    run: str
    begonnen: datetime
    gecontroleerd: int = 0
    ok: int = 0
    mismatch: int = 0
    missing: int = 0
    unreadable: int = 0
    # Due originals skipped because a recent run checked them.
    overgeslagen: int = 0
    bytes: int = 0
    afwijkingen: list[Afwijking] = field(default_factory=list)
    # The run stopped early because the store itself is unreachable.
    afgebroken: str | None = None

    @property
    def in_orde(self) -> bool:
        return not self.afwijkingen and self.afgebroken is None

    def counts(self) -> dict[str, int]:
        return {
            "gecontroleerd": self.gecontroleerd,
            "ok": self.ok,
            "mismatch": self.mismatch,
            "missing": self.missing,
            "unreadable": self.unreadable,
            "overgeslagen": self.overgeslagen,
            "bytes": self.bytes,
        }


def check(
    ports: Poorten,
    *,
    limit: int | None = None,
    older_than: timedelta | None = None,
    webhook_url: str | None = None,
    actor: Actor = SYSTEEM,
    progress: Callable[[Stap], None] | None = None,
    chunk: int = CHUNK,
) -> Report:
    """Check stored originals against their SHA-256; record and alert every deviation.

    Originals are taken in SHA-256 order, starting after where the previous
    run stopped and wrapping round, so runs with a `limit` sweep the whole
    archive in turn. With `older_than`, originals a run checked less than
    that long ago are skipped. A store that is unreachable as a whole
    aborts the run (`PortError`) after the summary entry is written, rather
    than reporting every object unreadable. A second run while one is going
    (the schedule and a person at the CLI) is refused with `Bezig`: two runs
    would each resume from the same summary and check everything twice.
    """
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    engine = ports.sessions.kw.get("bind")
    with run_lock(engine, "fixiteit") if engine is not None else nullcontext():
        return _check(
            ports,
            limit=limit,
            older_than=older_than,
            webhook_url=webhook_url,
            actor=actor,
            progress=progress,
            chunk=chunk,
        )


def _check(
    ports: Poorten,
    *,
    limit: int | None,
    older_than: timedelta | None,
    webhook_url: str | None,
    actor: Actor,
    progress: Callable[[Stap], None] | None,
    chunk: int,
) -> Report:
    now = ports.clock.now()
    report = Report(run=str(uuid.uuid4()), begonnen=now)
    with ports.sessions() as session:
        cursor = _cursor(session)
        # UTC, as the trail keeps it: SQLite compares times as written.
        since = (now - older_than).astimezone(UTC) if older_than is not None else None
        recent = _recent(session, since) if since is not None else []
        total = session.scalar(select(func.count()).select_from(Content).where(_bewaard())) or 0
    if limit is not None:
        total = min(total, limit)
    stretches = _Stretches()
    try:
        for sha, size in _ring(ports.sessions, cursor):
            if limit is not None and report.gecontroleerd >= limit:
                break
            if _covered(sha, recent):
                report.overgeslagen += 1
                stretches.gap()
                continue
            uitkomst = _check_one(
                ports, report, sha=sha, size=size, chunk=chunk, actor=actor, webhook_url=webhook_url
            )
            stretches.add(sha)
            if progress is not None:
                progress(Stap(report.gecontroleerd, total, sha, uitkomst))
    except PortError as exc:
        report.afgebroken = exc.detail
        raise
    finally:
        _summarise(ports, report, stretches, actor, limit=limit, older_than=older_than)
    return report


def _bewaard() -> ColumnElement[bool]:
    """Content whose original must still be there: not only filed in destroyed records."""
    live_record = (
        select(Record.id).where(Record.sha256 == Content.sha256, Record.status.not_in(WEG)).exists()
    )
    live_version = (
        select(RecordVersie.record_id)
        .join(Record, Record.id == RecordVersie.record_id)
        .where(RecordVersie.sha256 == Content.sha256, Record.status.not_in(WEG))
        .exists()
    )
    any_record = select(Record.id).where(Record.sha256 == Content.sha256).exists()
    any_version = (
        select(RecordVersie.record_id).where(RecordVersie.sha256 == Content.sha256).exists()
    )
    # Bytes no record refers to are still kept (nothing destroyed them), so
    # they are checked too.
    return or_(live_record, live_version, ~any_record & ~any_version)


def _ring(sessions: sessionmaker[Session], cursor: str | None) -> Iterator[tuple[str, int]]:
    """Every content to keep, in SHA-256 order from just after `cursor`, wrapping once."""
    stretches = [(cursor, None), (None, cursor)] if cursor else [(None, None)]
    for after, until in stretches:
        last = after
        while True:
            query = select(Content.sha256, Content.size).where(_bewaard())
            if last is not None:
                query = query.where(Content.sha256 > last)
            if until is not None:
                query = query.where(Content.sha256 <= until)
            with sessions() as session:
                rows = list(session.execute(query.order_by(Content.sha256).limit(BATCH)))
            for sha, size in rows:
                yield str(sha), int(size)
            if len(rows) < BATCH:
                break
            last = str(rows[-1][0])


def _check_one(
    ports: Poorten,
    report: Report,
    *,
    sha: str,
    size: int,
    chunk: int,
    actor: Actor,
    webhook_url: str | None,
) -> Uitkomst:
    key = original_key(sha)
    digest = hashlib.sha256()
    read = 0
    afwijking: Afwijking | None = None
    try:
        with ports.store.open(key) as stream:
            while data := stream.read(chunk):
                digest.update(data)
                read += len(data)
    except NotFound as exc:
        _store_reachable(ports.store)
        afwijking = Afwijking(sha, key, "missing", grootte_verwacht=size, fout=str(exc))
    except Exception as exc:  # noqa: BLE001  # any failed read is this object's outcome
        # Adapters should raise PortError, but a body that breaks off
        # mid-stream can surface as the HTTP library's own error (seen with
        # MinIO's bitrot detection); either way this object is unreadable,
        # unless the whole store is away.
        _store_reachable(ports.store)
        afwijking = Afwijking(
            sha,
            key,
            "unreadable",
            grootte_verwacht=size,
            grootte_gevonden=read,
            fout=f"{type(exc).__name__}: {exc}"[:2000],
        )
    else:
        found = digest.hexdigest()
        if found != sha:
            afwijking = Afwijking(
                sha, key, "mismatch", found, grootte_verwacht=size, grootte_gevonden=read
            )
    report.gecontroleerd += 1
    report.bytes += read
    if afwijking is None:
        report.ok += 1
        return "ok"
    setattr(report, afwijking.uitkomst, getattr(report, afwijking.uitkomst) + 1)
    _record(ports, report, afwijking, actor, webhook_url)
    return afwijking.uitkomst


def _store_reachable(store: ObjectStore) -> None:
    """Raise PortError when the store as a whole is away, not just this object."""
    store.check()


def _record(
    ports: Poorten, report: Report, afwijking: Afwijking, actor: Actor, webhook_url: str | None
) -> None:
    at = ports.clock.now()
    with ports.sessions.begin() as session:
        records = _affected(session, afwijking.sha256)
        afwijking = dataclasses.replace(afwijking, records=tuple(records))
        details = {**afwijking.as_json(), "run": report.run}
        del details["records"]
        if not records:
            append(
                session,
                actor=actor,
                actie=AFWIJKING,
                object_type="content",
                object_id=afwijking.sha256,
                at=at,
                details=details,
            )
        for record in records:
            append(
                session,
                actor=actor,
                actie=AFWIJKING,
                object_type="record",
                object_id=record.record_id,
                dossier_id=record.dossier_id,
                at=at,
                details={**details, "huidige_versie": record.huidig},
            )
    report.afwijkingen.append(afwijking)
    _alert(afwijking, report.run, at, webhook_url)


def _affected(session: Session, sha: str) -> list[Getroffen]:
    """Records holding these bytes now or in an earlier version, destroyed ones left out."""
    in_versions = select(RecordVersie.record_id).where(RecordVersie.sha256 == sha)
    rows = session.execute(
        select(Record.id, Record.dossier_id, Record.sha256)
        .where(or_(Record.sha256 == sha, Record.id.in_(in_versions)))
        .where(Record.status.not_in(WEG))
        .order_by(Record.dossier_id, Record.id)
    )
    return [Getroffen(str(rid), str(did), current == sha) for rid, did, current in rows]


def _alert(afwijking: Afwijking, run: str, at: datetime, webhook_url: str | None) -> None:
    """Tell people: an error event always, a webhook when configured; never raise."""
    log.error(
        "fixiteit.afwijking",
        sha256=afwijking.sha256,
        object_key=afwijking.object_key,
        uitkomst=afwijking.uitkomst,
        gevonden=afwijking.gevonden,
        fout=afwijking.fout,
        records=[r.record_id for r in afwijking.records],
        dossiers=sorted({r.dossier_id for r in afwijking.records}),
        run=run,
    )
    if not webhook_url:
        return
    body = {"event": "fixiteit.afwijking", "run": run, "at": at.isoformat(), **afwijking.as_json()}
    try:
        response = httpx.post(webhook_url, json=body, timeout=WEBHOOK_TIMEOUT)
        response.raise_for_status()
    except Exception as exc:  # noqa: BLE001  # a failed alert must not stop the check
        log.warning(
            "fixiteit.alarm_mislukt",
            sha256=afwijking.sha256,
            fout=f"{type(exc).__name__}: {exc}"[:500],
        )


def _summarise(
    ports: Poorten,
    report: Report,
    stretches: _Stretches,
    actor: Actor,
    *,
    limit: int | None,
    older_than: timedelta | None,
) -> None:
    at = ports.clock.now()
    details: dict[str, Any] = {
        "run": report.run,
        **report.counts(),
        "begonnen": report.begonnen.isoformat(),
        "limiet": limit,
        "ouder_dan_seconden": older_than.total_seconds() if older_than is not None else None,
        "intervallen": stretches.done(),
        "cursor": stretches.last,
        "afgebroken": report.afgebroken,
    }
    with ports.sessions.begin() as session:
        if stretches.last is None:
            # Nothing checked: keep the previous position for the next run.
            details["cursor"] = _cursor(session)
        append(
            session,
            actor=actor,
            actie=GECONTROLEERD,
            object_type="fixiteit",
            object_id=report.run,
            at=at,
            details=details,
        )
    log.info("fixiteit.gecontroleerd", run=report.run, **report.counts())


class _Stretches:
    """Contiguous runs of checked digests: exactly what this run may claim it checked."""

    def __init__(self) -> None:
        self._done: list[list[str]] = []
        self._open: list[str] | None = None
        self.last: str | None = None

    def add(self, sha: str) -> None:
        # A wrap round the ring (a smaller digest) starts a new stretch.
        if self._open is None or sha < self._open[1]:
            self.gap()
            self._open = [sha, sha]
        else:
            self._open[1] = sha
        self.last = sha

    def gap(self) -> None:
        if self._open is not None:
            self._done.append(self._open)
            self._open = None

    def done(self) -> list[list[str]]:
        self.gap()
        return self._done


def _cursor(session: Session) -> str | None:
    """Where the newest run stopped."""
    newest = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.actie == GECONTROLEERD)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    value = (newest.details or {}).get("cursor") if newest is not None else None
    return value if isinstance(value, str) else None


def _recent(session: Session, since: datetime) -> list[tuple[str, str]]:
    """Stretches of the ring checked since `since`, by runs that wrote their summary."""
    found: list[tuple[str, str]] = []
    rows = session.scalars(
        select(AuditEntry.details).where(AuditEntry.actie == GECONTROLEERD, AuditEntry.at >= since)
    )
    for details in rows:
        pairs = (details or {}).get("intervallen")
        for pair in pairs if isinstance(pairs, list) else ():
            if _is_pair(pair):
                found.append((pair[0], pair[1]))
    return found


def _is_pair(value: object) -> bool:
    # JSON gives lists; anything else is not what a run wrote.
    return (
        isinstance(value, list)
        and len(value) == 2  # a stretch is [from, to]
        and all(isinstance(v, str) for v in value)
    )


def _covered(sha: str, stretches: Sequence[tuple[str, str]]) -> bool:
    return any(low <= sha <= high for low, high in stretches)
