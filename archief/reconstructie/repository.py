# SPDX-License-Identifier: EUPL-1.2
"""Queries of reconstruction: versions, policy, steps and audit entries up to a moment.

Every query that looks back takes `as_of` and selects on `at <= as_of` (or
`created_at` for policy versions): the history tables are append-only, so
the answer for a past moment is the same whenever it is asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archief.catalog.models import (
    Afdeling,
    AuditEntry,
    AuditKop,
    Beleid,
    Besluit,
    BesluitStap,
    Dossier,
    DossierVersie,
    Machtiging,
    Record,
    RecordVersie,
)
from archief.toegang.access import Access, visible_dossiers

# Policy changes concern every dossier; they have no dossier_id but belong in
# every reconstruction.
BELEID_GEWIJZIGD = "beleid.gewijzigd"


def dossier(session: Session, dossier_id: str) -> Dossier | None:
    return session.get(Dossier, dossier_id)


def dossier_by_kenmerk_or_id(session: Session, ref: str) -> Dossier | None:
    """A dossier named by its kenmerk (what people use) or its id (what the API returns)."""
    found = session.scalars(select(Dossier).where(Dossier.kenmerk == ref)).first()
    return found if found is not None else session.get(Dossier, ref)


def visible(session: Session, access: Access, dossier_id: str) -> bool:
    """The rule of GET /dossiers/{id} (`Access.dossier_visible`)."""
    return bool(visible_dossiers(session, access, [dossier_id]))


def dossier_version(session: Session, dossier_id: str, as_of: datetime) -> DossierVersie | None:
    return session.scalars(
        select(DossierVersie)
        .where(DossierVersie.dossier_id == dossier_id, DossierVersie.at <= as_of)
        .order_by(DossierVersie.versie.desc())
        .limit(1)
    ).first()


def dienst_of(session: Session, afdeling: str) -> str | None:
    return session.scalar(select(Afdeling.dienst_code).where(Afdeling.code == afdeling))


def record_versions(session: Session, dossier_id: str, as_of: datetime) -> list[RecordVersie]:
    """Every version up to `as_of` of the dossier's records, per record in version order."""
    return list(
        session.scalars(
            select(RecordVersie)
            .join(Record, Record.id == RecordVersie.record_id)
            .where(Record.dossier_id == dossier_id, RecordVersie.at <= as_of)
            .order_by(RecordVersie.record_id, RecordVersie.versie)
        )
    )


def policy_version(session: Session, as_of: datetime) -> Beleid | None:
    return session.scalars(
        select(Beleid).where(Beleid.created_at <= as_of).order_by(Beleid.versie.desc()).limit(1)
    ).first()


def besluit_steps(
    session: Session, dossier_id: str, as_of: datetime
) -> list[tuple[Besluit, BesluitStap]]:
    rows = session.execute(
        select(Besluit, BesluitStap)
        .join(BesluitStap, BesluitStap.besluit_id == Besluit.id)
        .where(Besluit.dossier_id == dossier_id, BesluitStap.at <= as_of)
        .order_by(BesluitStap.datum, Besluit.kenmerk, BesluitStap.volgnummer)
    )
    return [(besluit, stap) for besluit, stap in rows]


def audit_entries(session: Session, dossier_id: str, as_of: datetime) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                or_(AuditEntry.dossier_id == dossier_id, AuditEntry.actie == BELEID_GEWIJZIGD),
                AuditEntry.at <= as_of,
            )
            .order_by(AuditEntry.seq)
        )
    )


def grants(
    session: Session, *, ombudsman: str | None = None, dossier_id: str | None = None
) -> Sequence[Machtiging]:
    query = select(Machtiging).order_by(Machtiging.created_at, Machtiging.id)
    if ombudsman is not None:
        query = query.where(Machtiging.ombudsman == ombudsman)
    if dossier_id is not None:
        query = query.where(Machtiging.dossier_id == dossier_id)
    return list(session.scalars(query))


def chain_head(session: Session) -> AuditKop | None:
    return session.get(AuditKop, 1)
