# SPDX-License-Identifier: EUPL-1.2
"""Legal holds (blokkades): a Woo request, a complaint or litigation freezes records.

A hold covers one record, or a whole dossier (records filed later too).
While any hold on a record is active, the record may not be changed (new
metadata, new content, a new category) and may not be destroyed; every path
that does either asks `check_not_held` (single records) or `held` (batches)
first. Layer moves and publication stay possible: they change who may see
the record, not the record.

Where the object store supports it (MinIO with Object Lock), the original's
bytes get an S3 legal hold too, so not even a direct delete in the bucket
removes them. S3 legal holds have no expiry; archief lifts it when the last
hold on any record of those bytes is lifted, so no S3 lock outlives the
record's destruction date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

import structlog
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.catalog.models import Blokkade, Dossier, Record
from archief.errors import ArchiefError, NotFound
from archief.ports import ObjectStore

log = structlog.get_logger(__name__)

GRONDEN = ("woo_verzoek", "klacht", "rechtszaak", "onderzoek", "anders")


class Geblokkeerd(ArchiefError):
    code = "blokkade"
    status = 409
    title = "Vastgehouden (blokkade)"


class OngeldigeBlokkade(ArchiefError):
    code = "ongeldige_blokkade"
    status = 422
    title = "Ongeldige blokkade"


@runtime_checkable
class LegalHolds(Protocol):
    """An object store that can put S3 legal holds on objects (MinIO with Object Lock)."""

    def set_legal_hold(self, key: str, on: bool) -> int: ...


def _active() -> ColumnElement[bool]:
    return Blokkade.opgeheven_op.is_(None)


def _covers(record_ids: Iterable[str]) -> ColumnElement[bool]:
    """Holds on one of these records, or on their whole dossier."""
    ids = list(record_ids)
    in_dossier = select(Record.dossier_id).where(Record.id.in_(ids)).scalar_subquery()
    return or_(
        Blokkade.record_id.in_(ids),
        and_(Blokkade.record_id.is_(None), Blokkade.dossier_id.in_(in_dossier)),
    )


def holds_on(session: Session, record: Record) -> list[Blokkade]:
    """The active holds covering this record."""
    return list(
        session.scalars(
            select(Blokkade)
            .where(_active(), Blokkade.dossier_id == record.dossier_id)
            .where(or_(Blokkade.record_id.is_(None), Blokkade.record_id == record.id))
            .order_by(Blokkade.geplaatst_op)
        )
    )


def held(session: Session, record_ids: Iterable[str]) -> set[str]:
    """Which of these records are under an active hold (for batch paths)."""
    ids = list(record_ids)
    if not ids:
        return set()
    holds = list(session.scalars(select(Blokkade).where(_active(), _covers(ids))))
    if not holds:
        return set()
    whole = {h.dossier_id for h in holds if h.record_id is None}
    single = {h.record_id for h in holds if h.record_id is not None}
    rows = session.execute(select(Record.id, Record.dossier_id).where(Record.id.in_(ids)))
    return {rid for rid, did in rows if rid in single or did in whole}


def check_not_held(session: Session, record: Record, what: str) -> None:
    """Raise `Geblokkeerd` when a hold covers the record."""
    holds = holds_on(session, record)
    if holds:
        first = holds[0]
        raise Geblokkeerd(
            f"record {record.id} is held ({first.grond}: {first.reden}); {what} must wait "
            "until the hold is lifted",
            blokkades=[h.id for h in holds],
        )


def _records(session: Session, hold: Blokkade) -> list[Record]:
    if hold.record_id is not None:
        record = session.get(Record, hold.record_id)
        return [record] if record is not None else []
    return list(session.scalars(select(Record).where(Record.dossier_id == hold.dossier_id)))


def _sync_s3(session: Session, store: ObjectStore, records: list[Record]) -> int:
    """S3 legal hold on the originals of these records: on while any hold covers their bytes."""
    if not isinstance(store, LegalHolds):
        return 0
    changed = 0
    for sha in sorted({r.sha256 for r in records}):
        sharing = list(session.scalars(select(Record).where(Record.sha256 == sha)))
        on = bool(held(session, [r.id for r in sharing]))
        changed += store.set_legal_hold(sharing[0].object_key, on)
    return changed


def place(  # one keyword per field of the hold
    session: Session,
    store: ObjectStore,
    *,
    dossier: Dossier,
    record: Record | None,
    grond: str,
    reden: str,
    actor: Actor,
    at: datetime,
) -> Blokkade:
    """Hold a dossier (or one record of it); audited, mirrored as S3 legal holds."""
    if grond not in GRONDEN:
        raise OngeldigeBlokkade(f"unknown grond {grond!r}; known: {', '.join(GRONDEN)}")
    if not reden.strip():
        raise OngeldigeBlokkade("a hold needs a reason (reden)")
    if record is not None and record.dossier_id != dossier.id:
        raise OngeldigeBlokkade(f"record {record.id} is not in dossier {dossier.kenmerk}")
    hold = Blokkade(
        dossier_id=dossier.id,
        record_id=record.id if record else None,
        grond=grond,
        reden=reden.strip(),
        geplaatst_door=actor.id,
        geplaatst_op=at,
    )
    session.add(hold)
    session.flush()
    s3 = _sync_s3(session, store, _records(session, hold))
    append(
        session,
        actor=actor,
        actie="bewaring.blokkade_geplaatst",
        object_type="record" if record else "dossier",
        object_id=record.id if record else dossier.id,
        dossier_id=dossier.id,
        at=at,
        na={"blokkade": hold.id, "grond": grond, "reden": hold.reden},
        details={"s3_legal_holds": s3},
    )
    log.info("bewaring.blokkade_geplaatst", blokkade=hold.id, dossier=dossier.kenmerk, s3=s3)
    return hold


def lift(
    session: Session, store: ObjectStore, hold_id: str, *, reden: str, actor: Actor, at: datetime
) -> Blokkade:
    """End a hold (the row stays); S3 legal holds go when nothing else holds those bytes."""
    hold = session.get(Blokkade, hold_id, with_for_update=True)
    if hold is None:
        raise NotFound(f"no hold {hold_id}")
    if hold.opgeheven_op is not None:
        raise OngeldigeBlokkade(f"hold {hold_id} was lifted on {hold.opgeheven_op:%Y-%m-%d}")
    if not reden.strip():
        raise OngeldigeBlokkade("lifting a hold needs a reason (reden)")
    hold.opgeheven_door, hold.opgeheven_op, hold.opheffing_reden = actor.id, at, reden.strip()
    session.flush()
    s3 = _sync_s3(session, store, _records(session, hold))
    append(
        session,
        actor=actor,
        actie="bewaring.blokkade_opgeheven",
        object_type="record" if hold.record_id else "dossier",
        object_id=hold.record_id or hold.dossier_id,
        dossier_id=hold.dossier_id,
        at=at,
        voor={"blokkade": hold.id, "grond": hold.grond},
        na={"reden": hold.opheffing_reden},
        details={"s3_legal_holds": s3},
    )
    return hold
