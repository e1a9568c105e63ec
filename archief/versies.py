# SPDX-License-Identifier: EUPL-1.2
"""Versions of records and dossiers: every state kept, each change audited with it.

The `record` and `dossier` rows hold the current state; every state they
were ever in is a version row (append-only). A change goes through
`record_changed` / `dossier_changed`, which write the new version and its
audit entry in the caller's transaction, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, Nieuw, append, append_all
from archief.catalog.models import Dossier, DossierVersie, Record, RecordVersie

RECORD_FIELDS = (
    "titel",
    "laag",
    "soort",
    "sha256",
    "object_key",
    "media_type",
    "size",
    "filename",
    "status",
    "vergrendeld_door",
    "categorie",
    "archiefactiedatum",
    "informatiecategorie",
)
DOSSIER_FIELDS = (
    "kenmerk",
    "titel",
    "afdeling",
    "wijken",
    "status",
    "categorie",
    "afgehandeld_op",
    # The communicatiedossier online (archief.publiek): what the public is told.
    "samenvatting",
    "planning",
    "faq",
    "verantwoordelijke",
    "verantwoordelijke_email",
    "herzien_interval_dagen",
)


def record_state(record: Record) -> dict[str, Any]:
    return {name: getattr(record, name) for name in RECORD_FIELDS}


def dossier_state(dossier: Dossier) -> dict[str, Any]:
    state = {name: getattr(dossier, name) for name in DOSSIER_FIELDS}
    state["wijken"] = list(state["wijken"] or [])
    return state


def _diff(voor: Mapping[str, Any], na: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [k for k in na if voor.get(k) != na[k]]
    return {k: voor.get(k) for k in changed}, {k: na[k] for k in changed}


def _record_version(
    session: Session, record: Record, actor: Actor, actie: str, at: datetime
) -> None:
    session.add(
        RecordVersie(
            record_id=record.id,
            versie=record.versie,
            at=at,
            door=actor.id,
            actie=actie,
            **record_state(record),
        )
    )


def records_created(
    session: Session, records: Sequence[Record], *, actor: Actor, at: datetime
) -> None:
    """Version 1 and a `record.aangemaakt` entry for each new record, in order (after a flush)."""
    for record in records:
        record.versie = 1
        _record_version(session, record, actor, "aangemaakt", at)
    entries = [
        Nieuw(
            actie="record.aangemaakt",
            object_type="record",
            object_id=record.id,
            dossier_id=record.dossier_id,
            na=record_state(record),
        )
        for record in records
    ]
    append_all(session, entries, actor=actor, at=at)


def record_changed(
    session: Session,
    record: Record,
    voor: Mapping[str, Any],
    *,
    actor: Actor,
    actie: str,
    at: datetime,
    details: Mapping[str, Any] | None = None,
) -> None:
    """A new version after a change to `record` (`voor` = record_state before it)."""
    old, new = _diff(voor, record_state(record))
    if not new:
        return
    record.versie += 1
    session.flush()
    _record_version(session, record, actor, actie.rsplit(".", 1)[-1], at)
    append(
        session,
        actor=actor,
        actie=actie,
        object_type="record",
        object_id=record.id,
        dossier_id=record.dossier_id,
        at=at,
        voor=old,
        na=new,
        details={"versie": record.versie, **(details or {})},
    )


def record_destroyed(
    session: Session,
    record: Record,
    *,
    actor: Actor,
    at: datetime,
    details: Mapping[str, Any],
) -> None:
    """The last version of a destroyed record (a stub), and its audit entry.

    Unlike `record_changed`, the entry names no title or file name, old or
    new: an entry written at destruction must not carry what is destroyed.
    """
    record.versie += 1
    session.flush()
    _record_version(session, record, actor, "vernietigd", at)
    append(
        session,
        actor=actor,
        actie="record.vernietigd",
        object_type="record",
        object_id=record.id,
        dossier_id=record.dossier_id,
        at=at,
        voor={"status": "actief"},
        na={"status": record.status},
        details={"versie": record.versie, **details},
    )


def _next_dossier_version(session: Session, dossier_id: str) -> int:
    last = session.scalar(
        select(DossierVersie.versie)
        .where(DossierVersie.dossier_id == dossier_id)
        .order_by(DossierVersie.versie.desc())
        .limit(1)
    )
    return (last or 0) + 1


def dossier_created(session: Session, dossier: Dossier, *, actor: Actor, at: datetime) -> None:
    session.add(
        DossierVersie(
            dossier_id=dossier.id,
            versie=1,
            at=at,
            door=actor.id,
            actie="aangemaakt",
            **dossier_state(dossier),
        )
    )
    append(
        session,
        actor=actor,
        actie="dossier.aangemaakt",
        object_type="dossier",
        object_id=dossier.id,
        dossier_id=dossier.id,
        at=at,
        na=dossier_state(dossier),
    )


def dossier_changed(
    session: Session, dossier: Dossier, voor: Mapping[str, Any], *, actor: Actor, at: datetime
) -> None:
    old, new = _diff(voor, dossier_state(dossier))
    if not new:
        return
    versie = _next_dossier_version(session, dossier.id)
    session.add(
        DossierVersie(
            dossier_id=dossier.id,
            versie=versie,
            at=at,
            door=actor.id,
            actie="gewijzigd",
            **dossier_state(dossier),
        )
    )
    append(
        session,
        actor=actor,
        actie="dossier.gewijzigd",
        object_type="dossier",
        object_id=dossier.id,
        dossier_id=dossier.id,
        at=at,
        voor=old,
        na=new,
        details={"versie": versie},
    )
