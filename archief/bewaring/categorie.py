# SPDX-License-Identifier: EUPL-1.2
"""Selectielijst categories on dossiers and records, and the derived archiefactiedatum.

A record falls under its own category, else its dossier's. What follows
from the category (nominatie, brondatum, archiefactiedatum) is derived and
stored on the record, and derived again whenever an input changes: the
dossier is closed or reopened, its category or the record's changes. Each
change of the derived values is a new record version with its audit entry,
so it is always clear since when a record could be destroyed.

Holds freeze this too: a category change that would move the retention of
a held record is refused, for one record and for a dossier alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.bewaring import blokkade
from archief.bewaring.selectielijst import Brondata, Selectielijst
from archief.bewaring.status import ACTIEF, check_actief
from archief.catalog.models import Dossier, Record
from archief.versies import dossier_changed, dossier_state, record_changed, record_state


def _brondata(dossier: Dossier) -> Brondata:
    return Brondata(afgehandeld_op=dossier.afgehandeld_op)


def derive(
    session: Session, record: Record, lijst: Selectielijst, *, actor: Actor, at: datetime
) -> bool:
    """Derive the record's retention from its (or its dossier's) category; say if it moved."""
    dossier = record.dossier
    code = record.categorie or dossier.categorie
    voor = record_state(record)
    before = (record.archiefnominatie, record.brondatum, record.archiefactiedatum)
    if code is None:
        record.archiefnominatie = record.brondatum = record.archiefactiedatum = None
    else:
        afleiding = lijst.archiefactiedatum(code, _brondata(dossier))
        record.archiefnominatie = afleiding.nominatie.value
        record.brondatum = afleiding.brondatum
        record.archiefactiedatum = afleiding.archiefactiedatum
    moved = before != (record.archiefnominatie, record.brondatum, record.archiefactiedatum)
    if moved:
        session.flush()
        record_changed(
            session,
            record,
            voor,
            actor=actor,
            actie="record.bewaring",
            at=at,
            details={
                "categorie": code,
                "archiefnominatie": record.archiefnominatie,
                "brondatum": record.brondatum,
            },
        )
    return moved


def derive_dossier(
    session: Session, dossier: Dossier, lijst: Selectielijst, *, actor: Actor, at: datetime
) -> int:
    """Derive every record of the dossier again; how many records moved."""
    records = session.scalars(
        select(Record).where(Record.dossier_id == dossier.id, Record.status == ACTIEF)
    )
    return sum(derive(session, r, lijst, actor=actor, at=at) for r in records)


def _refuse_held(session: Session, records: list[Record], what: str) -> None:
    frozen = blokkade.held(session, [r.id for r in records])
    if frozen:
        raise blokkade.Geblokkeerd(
            f"{what} would change the retention of held records: {', '.join(sorted(frozen))}",
            records=sorted(frozen),
        )


def set_dossier(
    session: Session,
    dossier: Dossier,
    code: str | None,
    lijst: Selectielijst,
    *,
    actor: Actor,
    at: datetime,
) -> int:
    """Give a dossier a category (validated); its records follow unless they have their own."""
    if code is not None:
        lijst.get(code)  # unknown codes are refused with the known ones named
    if code == dossier.categorie:
        return 0
    following = list(
        session.scalars(
            select(Record).where(
                Record.dossier_id == dossier.id,
                Record.categorie.is_(None),
                # Destroyed and transferred records keep what they had.
                Record.status == ACTIEF,
            )
        )
    )
    _refuse_held(session, following, f"categorising dossier {dossier.kenmerk}")
    voor = dossier_state(dossier)
    dossier.categorie = code
    session.flush()
    dossier_changed(session, dossier, voor, actor=actor, at=at)
    return derive_dossier(session, dossier, lijst, actor=actor, at=at)


def set_record(
    session: Session,
    record: Record,
    code: str | None,
    lijst: Selectielijst,
    *,
    actor: Actor,
    at: datetime,
) -> bool:
    """Give one record a category of its own (None: follow the dossier again)."""
    if code is not None:
        lijst.get(code)
    if code == record.categorie:
        return False
    check_actief(record)
    _refuse_held(session, [record], f"categorising record {record.id}")
    voor = record_state(record)
    record.categorie = code
    session.flush()
    record_changed(session, record, voor, actor=actor, actie="record.categorie", at=at)
    derive(session, record, lijst, actor=actor, at=at)
    return True


def log_batch(session: Session, *, actor: Actor, at: datetime, summary: dict[str, object]) -> None:
    """One entry for a batch run, besides the entries of each record it changed."""
    append(
        session,
        actor=actor,
        actie="bewaring.categorisering",
        object_type="selectielijst",
        object_id="batch",
        at=at,
        details=summary,
    )
