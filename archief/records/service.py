# SPDX-License-Identifier: EUPL-1.2
"""Moving records between layers, publishing and withdrawing them.

A move changes the catalog and the index together: the index is updated
(and refreshed) inside the catalog transaction, before the commit. If the
index refuses, the catalog rolls back and nothing moved; when the call
returns, every read path (catalog lookups and search) shows the new layer.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import structlog
from sqlalchemy.orm import Session, sessionmaker

from archief.audit.chain import Actor
from archief.bewaring.status import check_actief
from archief.catalog.models import Record
from archief.errors import ArchiefError, Forbidden, NotFound
from archief.ports import Clock, SearchIndex
from archief.toegang.access import Access, target_of
from archief.versies import record_changed, record_state
from policies.engine import OPENBAAR
from policies.subject import Target

log = structlog.get_logger(__name__)


class InvalidMove(ArchiefError):
    code = "invalid_move"
    status = 409
    title = "Verplaatsing niet mogelijk"


def _load(session: Session, access: Access, record_id: str) -> Record:
    # Locked: finalize (indexing) holds the same lock, so a move and an index
    # write of the same record never interleave.
    record = session.get(Record, record_id, with_for_update=True)
    if record is None:
        raise NotFound(f"no record {record_id}")
    access.require(target_of(session, record), "read", f"record {record_id}")
    return record


@dataclass(frozen=True, slots=True)
class Ports:
    """What a change needs: the catalog, the index to keep in step, and the time."""

    sessions: sessionmaker[Session]
    index: SearchIndex | None
    clock: Clock


def _apply(
    session: Session, ports: Ports, access: Access, record: Record, laag: str, *, actie: str
) -> None:
    check_actief(record)
    old, voor = record.laag, record_state(record)
    record.laag = laag
    session.flush()
    record_changed(
        session, record, voor, actor=Actor.of(access.subject), actie=actie, at=ports.clock.now()
    )
    index = ports.index
    if index is not None and record.id is not None:
        # Not indexed yet (still in OCR): the worker indexes it with the layer
        # it reads from the catalog then.
        with contextlib.suppress(NotFound):
            index.set_layer(record.id, laag)
    log.info("record.moved", record_id=record.id, van=old, naar=laag)


def move(ports: Ports, access: Access, record_id: str, laag: str) -> Record:
    """Move a record to another layer of its dossier (not into or out of the public one)."""
    with ports.sessions.begin() as session:
        record = _load(session, access, record_id)
        if access.policy.laag(laag) is None:
            raise InvalidMove(f"unknown layer {laag!r}", known=", ".join(access.policy.laag_codes))
        if OPENBAAR in (laag, record.laag):
            raise InvalidMove("publishing and withdrawal go through /records/{id}/publicatie")
        here = target_of(session, record)
        access.require(here, "move", f"record {record_id}")
        there = Target(laag, here.afdeling, here.dienst)
        if not access.can(there, "move"):
            raise Forbidden(f"you may not move records into layer {laag!r}")
        if record.laag != laag:
            _apply(session, ports, access, record, laag, actie="record.verplaatst")
        return record


def publish(ports: Ports, access: Access, record_id: str) -> Record:
    """Mark a record publicabel: it moves to the public layer, remembering where it was."""
    with ports.sessions.begin() as session:
        return publish_in(session, ports, access, record_id)


def publish_in(session: Session, ports: Ports, access: Access, record_id: str) -> Record:
    """`publish` inside the caller's transaction: a dossier section goes public at once."""
    record = _load(session, access, record_id)
    if record.laag == OPENBAAR:
        return record
    access.require(target_of(session, record), "publish", f"record {record_id}")
    record.vorige_laag = record.laag
    # Feeds and the sitemap order by this; withdrawal clears it.
    record.gepubliceerd_op = ports.clock.now()
    _apply(session, ports, access, record, OPENBAAR, actie="record.gepubliceerd")
    return record


def withdraw(ports: Ports, access: Access, record_id: str) -> Record:
    """Take a record off the public layer, back to where it was before publication."""
    with ports.sessions.begin() as session:
        record = _load(session, access, record_id)
        if record.laag != OPENBAAR:
            raise InvalidMove(f"record {record_id} is not published")
        access.require(target_of(session, record), "publish", f"record {record_id}")
        back = record.vorige_laag or "organisatie"
        if access.policy.laag(back) is None:
            back = access.policy.laag_codes[0]  # the most closed layer: never more open
        record.vorige_laag = None
        record.gepubliceerd_op = None
        _apply(session, ports, access, record, back, actie="record.ingetrokken")
        return record
