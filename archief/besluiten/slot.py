# SPDX-License-Identifier: EUPL-1.2
"""The lock on an initialled memo.

After the portefeuillehouder's paraaf a besluitnota changes only through
discussion in the college (Afspraken bestuurlijke dienstverlening). The
memo's record then carries `vergrendeld_door` (the besluit). Every path
that changes a record's content or metadata asks `check_change` first; a
change is let through only when it names a college decision of that
besluit with the outcome "gewijzigd", and only while the besluit is still
at that step.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from archief.catalog.models import Besluit, BesluitStap, Record
from archief.errors import ArchiefError

# The college decided, with changes to the memo: the one way to change it.
GEWIJZIGD = "gewijzigd"


class Vergrendeld(ArchiefError):
    code = "vergrendeld"
    status = 409
    title = "Besluitnota vergrendeld"


def check_change(session: Session, record: Record, besluitstap: str | None) -> None:
    """Raise `Vergrendeld` unless `record` may change now (through `besluitstap` if locked)."""
    besluit_id = record.vergrendeld_door
    if besluit_id is None:
        return
    besluit = session.get(Besluit, besluit_id)
    kenmerk = besluit.kenmerk if besluit else besluit_id
    if besluitstap is None:
        raise Vergrendeld(
            f"this memo is initialled by the portefeuillehouder (besluit {kenmerk}); "
            "it changes only through a college decision with outcome 'gewijzigd' "
            "(pass its step id as `besluitstap`)",
            besluit=kenmerk,
        )
    stap = session.get(BesluitStap, besluitstap)
    if (
        stap is None
        or stap.besluit_id != besluit_id
        or stap.soort != "collegebesluit"
        or stap.uitkomst != GEWIJZIGD
    ):
        raise Vergrendeld(
            f"step {besluitstap} is not a college decision of besluit {kenmerk} "
            "with outcome 'gewijzigd'",
            besluit=kenmerk,
        )
    if besluit is not None and besluit.fase != "collegebesluit":
        raise Vergrendeld(
            f"besluit {kenmerk} has moved on to {besluit.fase!r}; the college decision "
            "no longer opens the memo",
            besluit=kenmerk,
        )
