# SPDX-License-Identifier: EUPL-1.2
"""Queries of the besluiten: besluiten, their steps, their dossier, the records' history."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.catalog.models import Afdeling, Besluit, BesluitStap, Dossier, Record, RecordVersie
from archief.toegang.access import Access, visible_dossiers
from policies.subject import Target

# The kenmerk a besluit gets when none is given: BN-<year>-<number>.
KENMERK_PREFIX = "BN"


def besluit(session: Session, besluit_id: str, *, lock: bool = False) -> Besluit | None:
    # Locked when a step is added: steps of one besluit form one line.
    return session.get(Besluit, besluit_id, with_for_update=lock)


def besluit_by_kenmerk(session: Session, kenmerk: str) -> Besluit | None:
    return session.scalars(select(Besluit).where(Besluit.kenmerk == kenmerk)).first()


def dossier_by_kenmerk(session: Session, kenmerk: str) -> Dossier | None:
    return session.scalars(select(Dossier).where(Dossier.kenmerk == kenmerk)).first()


def dienst_of(session: Session, dossier: Dossier) -> str:
    dienst = session.scalar(select(Afdeling.dienst_code).where(Afdeling.code == dossier.afdeling))
    return dienst or ""


def target(session: Session, dossier: Dossier, laag: str) -> Target:
    """The position a step (or a version) in `laag` of `dossier` has for the policy."""
    return Target(laag, dossier.afdeling, dienst_of(session, dossier))


def stappen(session: Session, besluit_ids: Sequence[str]) -> list[BesluitStap]:
    """The steps of these besluiten, each besluit's in order."""
    if not besluit_ids:
        return []
    return list(
        session.scalars(
            select(BesluitStap)
            .where(BesluitStap.besluit_id.in_(list(besluit_ids)))
            .order_by(BesluitStap.besluit_id, BesluitStap.volgnummer)
        )
    )


def laatste_stap(session: Session, besluit_id: str) -> BesluitStap | None:
    return session.scalars(
        select(BesluitStap)
        .where(BesluitStap.besluit_id == besluit_id)
        .order_by(BesluitStap.volgnummer.desc())
        .limit(1)
    ).first()


def besluiten_of_dossier(session: Session, dossier_id: str) -> list[Besluit]:
    return list(
        session.scalars(
            select(Besluit).where(Besluit.dossier_id == dossier_id).order_by(Besluit.kenmerk)
        )
    )


def open_besluit_for_nota(
    session: Session, record_id: str, closed: Sequence[str]
) -> Besluit | None:
    """A besluit on this memo that has not ended (a memo goes one way at a time)."""
    return session.scalars(
        select(Besluit).where(Besluit.nota_record_id == record_id, Besluit.fase.not_in(closed))
    ).first()


def next_kenmerk(session: Session, year: int) -> str:
    """The next free BN-<year>-NNNN (the caller retries on a race, in a savepoint)."""
    prefix = f"{KENMERK_PREFIX}-{year}-"
    taken = session.scalars(
        select(Besluit.kenmerk).where(Besluit.kenmerk.startswith(prefix, autoescape=True))
    )
    # A municipality makes a few hundred a year; a given kenmerk may not be a number.
    numbers = [int(k[len(prefix) :]) for k in taken if re.fullmatch(r"\d{1,9}", k[len(prefix) :])]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def versies_of_dossier(session: Session, dossier_id: str) -> list[tuple[RecordVersie, Record]]:
    """Every version of every record of the dossier, oldest first, with its record."""
    rows = session.execute(
        select(RecordVersie, Record)
        .join(Record, RecordVersie.record_id == Record.id)
        .where(Record.dossier_id == dossier_id)
        .order_by(RecordVersie.at, RecordVersie.record_id, RecordVersie.versie)
    )
    return [(v, r) for v, r in rows]


def dossier_visible(session: Session, access: Access, dossier: Dossier) -> bool:
    """As `GET /dossiers/{id}` decides (`Access.dossier_visible`)."""
    return bool(visible_dossiers(session, access, [dossier.id]))
