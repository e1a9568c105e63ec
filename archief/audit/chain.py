# SPDX-License-Identifier: EUPL-1.2
"""Appending to the audit trail and proving it was not rewritten.

Every entry's hash covers its own fields and the previous entry's hash.
Appending locks the one-row chain head (`audit_kop`) inside the caller's
transaction, so entries form a single line in commit order and an action
is never committed without its entry (or the other way round).

`verify` walks the chain and reports the first entry that does not fit:
a changed field breaks that entry's hash, a deleted entry leaves a gap in
the sequence and a broken link, a reordering breaks the links. Deleting
the newest entries and rewinding the head is caught by anchors: copies of
the head written to object storage (`anchor`), which the database
administrator cannot rewrite from the database.
"""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.catalog.models import AuditEntry, AuditKop
from archief.errors import NotFound
from archief.ports import ObjectStore
from policies.subject import Subject

log = structlog.get_logger(__name__)

GENESIS = "0" * 64
ANCHOR_PREFIX = "audit/anker/"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: a subject id and the roles they acted in."""

    id: str
    rollen: tuple[str, ...] = ()

    @classmethod
    def of(cls, subject: Subject) -> Actor:
        return cls(subject.id, tuple(subject.rollen))


# The archive itself (migrations, seeding, workers acting on their own).
SYSTEEM = Actor("archief", ("systeem",))


def operator() -> Actor:
    """Whoever runs the command line: named by their login on this machine."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = f"uid-{os.getuid()}"
    return Actor(f"cli:{name}", ("cli",))


def _utc(at: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def canonical(entry: AuditEntry) -> bytes:
    """The bytes the hash covers: every field but the hash, in a fixed form."""
    body = fields(entry)
    del body["hash"]
    body["at"] = _utc(entry.at).isoformat(timespec="microseconds")
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fields(entry: AuditEntry) -> dict[str, Any]:
    """An entry as plain values (what views and reports show of it)."""
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "rollen": list(entry.rollen or []),
        "actie": entry.actie,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "dossier_id": entry.dossier_id,
        "voor": entry.voor,
        "na": entry.na,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """JSON-safe values only, so what is hashed is exactly what the database returns."""
    if value is None:
        return None
    return json.loads(json.dumps(dict(value), default=str))  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Nieuw:
    """One entry still to be appended: what happened to which object."""

    actie: str
    object_type: str
    object_id: str
    dossier_id: str | None = None
    voor: Mapping[str, Any] | None = None
    na: Mapping[str, Any] | None = None
    details: Mapping[str, Any] | None = None


def append(
    session: Session,
    *,
    actor: Actor,
    actie: str,
    object_type: str,
    object_id: str,
    at: datetime,
    dossier_id: str | None = None,
    voor: Mapping[str, Any] | None = None,
    na: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry at the head of the chain, in the caller's transaction."""
    nieuw = Nieuw(actie, object_type, object_id, dossier_id, voor, na, details)
    return append_all(session, [nieuw], actor=actor, at=at)[0]


def append_all(
    session: Session, entries: Sequence[Nieuw], *, actor: Actor, at: datetime
) -> list[AuditEntry]:
    """Add these entries at the head of the chain, in this order, in the caller's transaction.

    The head is locked and written once however many there are: a backlog's
    group of new records (archief.intake.service) costs one round trip here,
    not one per record. Each entry still links to the one before it.
    """
    if not entries:
        # Nothing to add (a group of duplicates): the head stays unlocked.
        return []
    head = session.get(AuditKop, 1, with_for_update=True)
    if head is None:
        raise RuntimeError("the audit chain has no head; run `archief migrate`")
    added: list[AuditEntry] = []
    for nieuw in entries:
        entry = AuditEntry(
            seq=head.seq + 1,
            # Microseconds are what both databases keep; the hash must see the same.
            at=_utc(at),
            actor=actor.id,
            rollen=list(actor.rollen),
            actie=nieuw.actie,
            object_type=nieuw.object_type,
            object_id=nieuw.object_id,
            dossier_id=nieuw.dossier_id,
            voor=_plain(nieuw.voor),
            na=_plain(nieuw.na),
            details=_plain(nieuw.details),
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        added.append(entry)
        head.seq, head.hash = entry.seq, entry.hash
    session.add_all(added)
    session.flush()
    for entry in added:
        log.info(
            "audit.appended",
            seq=entry.seq,
            actie=entry.actie,
            object_id=entry.object_id,
            actor=actor.id,
        )
    return added


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int
    kind: str  # changed | missing | reordered | head | anchor
    detail: str


@dataclass
class Report:
    entries: int = 0
    head_seq: int = 0
    anchors: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _walk(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    after = 0
    while True:
        rows = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > after)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
        )
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        session.expunge_all()


def verify(session: Session, store: ObjectStore | None = None) -> Report:
    """Walk the whole chain; every broken entry, gap and anchor mismatch is a problem."""
    report = Report()
    expected_seq, prev = 1, GENESIS
    hashes: dict[int, str] = {}
    for entry in _walk(session):
        report.entries += 1
        if entry.seq != expected_seq:
            report.problems.append(
                Problem(
                    entry.seq,
                    "missing",
                    f"entries {expected_seq}..{entry.seq - 1} are gone"
                    if entry.seq > expected_seq
                    else f"entry {entry.seq} appears out of order",
                )
            )
        if entry.prev_hash != prev:
            kind = "reordered" if entry.seq == expected_seq else "missing"
            report.problems.append(Problem(entry.seq, kind, "does not link to the entry before it"))
        if entry_hash(entry) != entry.hash:
            report.problems.append(
                Problem(entry.seq, "changed", "its fields no longer match its hash")
            )
        hashes[entry.seq] = entry.hash
        expected_seq, prev = entry.seq + 1, entry.hash
    head = session.get(AuditKop, 1)
    report.head_seq = head.seq if head else 0
    if head is None or head.seq != expected_seq - 1 or head.hash != prev:
        report.problems.append(
            Problem(
                head.seq if head else 0,
                "head",
                f"the chain ends at {expected_seq - 1} but its head says "
                f"{head.seq if head else 'nothing'}",
            )
        )
    if store is not None:
        for anchor in _anchors(store):
            report.anchors += 1
            seq, want = int(anchor["seq"]), str(anchor["hash"])
            if hashes.get(seq) != want:
                report.problems.append(
                    Problem(
                        seq,
                        "anchor",
                        f"anchored at {anchor['at']} with hash {want[:12]}…, "
                        f"now {'absent' if seq not in hashes else hashes[seq][:12] + '…'}",
                    )
                )
    return report


def anchor(session: Session, store: ObjectStore, at: datetime) -> dict[str, Any]:
    """Copy the chain head to object storage, out of the database administrator's reach."""
    head = session.get(AuditKop, 1)
    if head is None or head.seq == 0:
        return {"seq": 0, "hash": GENESIS, "at": _utc(at).isoformat()}
    first = session.get(AuditEntry, 1)
    body = {
        "seq": head.seq,
        "hash": head.hash,
        "at": _utc(at).isoformat(),
        # Which chain this is (its first entry), for whoever reads the anchor.
        "keten": first.hash if first else None,
    }
    data = json.dumps(body).encode()
    store.put(
        f"{ANCHOR_PREFIX}{head.seq:012d}.json",
        io.BytesIO(data),
        content_type="application/json",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    return body


def _anchors(store: ObjectStore) -> Iterator[dict[str, Any]]:
    for key in store.list_keys(ANCHOR_PREFIX):
        try:
            with store.open(key) as f:
                yield json.loads(f.read())
        except NotFound:
            continue
