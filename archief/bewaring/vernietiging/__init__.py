# SPDX-License-Identifier: EUPL-1.2
"""Destruction under the Archiefwet: lists, review, cooling-off, purge, verklaring."""

from __future__ import annotations

from sqlalchemy import select

from archief.bewaring.vernietiging.lijst import GOEDGEKEURD, IN_UITVOERING
from archief.bewaring.vernietiging.uitvoering import Poorten
from archief.catalog.models import Vernietigingslijst


def due(ports: Poorten) -> list[str]:
    """Approved lists whose cooling-off period is over, and runs that stopped half-way."""
    now = ports.clock.now()
    with ports.sessions() as session:
        return list(
            session.scalars(
                select(Vernietigingslijst.id)
                .where(
                    Vernietigingslijst.status.in_((GOEDGEKEURD, IN_UITVOERING)),
                    Vernietigingslijst.uitvoerbaar_vanaf <= now,
                )
                .order_by(Vernietigingslijst.uitvoerbaar_vanaf)
            )
        )
