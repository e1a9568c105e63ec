# SPDX-License-Identifier: EUPL-1.2
"""Queries for transfers: what is due, what is already on its way, what was made."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from archief.bewaring.selectielijst import Nominatie
from archief.bewaring.status import ACTIEF
from archief.catalog.models import Afdeling, Dossier, Overbrenging, OverbrengingItem, Record

AANGEMAAKT = "aangemaakt"


def due(
    session: Session,
    peildatum: date,
    *,
    dossier_ids: Sequence[str] | None = None,
    zichtbaar: ColumnElement[bool] | None = None,
) -> list[tuple[Record, Dossier]]:
    """Active permanent records whose transfer date is on or before `peildatum`."""
    query = (
        select(Record, Dossier)
        .join(Dossier, Record.dossier_id == Dossier.id)
        .join(Afdeling, Dossier.afdeling == Afdeling.code)
        .where(
            Record.archiefnominatie == Nominatie.BLIJVEND_BEWAREN.value,
            Record.archiefactiedatum.is_not(None),
            Record.archiefactiedatum <= peildatum,
            Record.status == ACTIEF,
        )
        .order_by(Dossier.kenmerk, Record.created_at, Record.id)
    )
    if dossier_ids is not None:
        query = query.where(Record.dossier_id.in_(list(dossier_ids)))
    if zichtbaar is not None:
        query = query.where(zichtbaar)
    return [(r, d) for r, d in session.execute(query)]


def in_open_transfer(session: Session, record_ids: Sequence[str]) -> dict[str, str]:
    """Which of these records sit in a package not yet confirmed: record id → kenmerk."""
    if not record_ids:
        return {}
    rows = session.execute(
        select(OverbrengingItem.record_id, Overbrenging.kenmerk)
        .join(Overbrenging, OverbrengingItem.overbrenging_id == Overbrenging.id)
        .where(
            Overbrenging.status == AANGEMAAKT,
            OverbrengingItem.record_id.in_(list(record_ids)),
        )
    )
    return {str(rid): str(k) for rid, k in rows}


def next_kenmerk(session: Session, jaar: int) -> str:
    """OB-<jaar>-<nnnn>, one past the highest number of that year."""
    prefix = f"OB-{jaar}-"
    kenmerken = session.scalars(
        select(Overbrenging.kenmerk).where(Overbrenging.kenmerk.like(f"{prefix}%"))
    )
    numbers = [int(m.group(1)) for k in kenmerken if (m := re.fullmatch(r"OB-\d+-(\d+)", k))]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def dossiers_by_kenmerk(session: Session, kenmerken: Sequence[str]) -> dict[str, Dossier]:
    rows = session.scalars(select(Dossier).where(Dossier.kenmerk.in_(list(kenmerken))))
    return {d.kenmerk: d for d in rows}


def by_ref(session: Session, ref: str, *, lock: bool = False) -> Overbrenging | None:
    """A transfer by id or kenmerk."""
    query = select(Overbrenging).where((Overbrenging.id == ref) | (Overbrenging.kenmerk == ref))
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def all_transfers(session: Session) -> list[Overbrenging]:
    return list(
        session.scalars(
            select(Overbrenging).order_by(Overbrenging.aangemaakt_op.desc(), Overbrenging.kenmerk)
        )
    )


def counts(session: Session, ids: Sequence[str]) -> dict[str, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(OverbrengingItem.overbrenging_id, func.count())
        .where(OverbrengingItem.overbrenging_id.in_(list(ids)))
        .group_by(OverbrengingItem.overbrenging_id)
    )
    return {oid: int(n) for oid, n in rows}


def items(
    session: Session, overbrenging_id: str, *, zichtbaar: ColumnElement[bool] | None = None
) -> list[tuple[OverbrengingItem, Record, Dossier]]:
    """The items of a transfer with their records (only readable ones if `zichtbaar`)."""
    query = (
        select(OverbrengingItem, Record, Dossier)
        .join(Record, OverbrengingItem.record_id == Record.id)
        .join(Dossier, Record.dossier_id == Dossier.id)
        .join(Afdeling, Dossier.afdeling == Afdeling.code)
        .where(OverbrengingItem.overbrenging_id == overbrenging_id)
        .order_by(OverbrengingItem.pad)
    )
    if zichtbaar is not None:
        query = query.where(zichtbaar)
    return [(i, r, d) for i, r, d in session.execute(query)]


def lock_records(session: Session, record_ids: Sequence[str]) -> dict[str, Record]:
    """The records, locked in id order (a fixed order: no deadlock between two transfers)."""
    rows = session.scalars(
        select(Record).where(Record.id.in_(list(record_ids))).order_by(Record.id).with_for_update()
    )
    return {r.id: r for r in rows}
