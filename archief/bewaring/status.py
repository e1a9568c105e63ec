# SPDX-License-Identifier: EUPL-1.2
"""A record's lifecycle: only an active record may change.

A destroyed record is a stub, and a transferred one is in the custody of
the archive repository; both refuse every change with 409, whatever path
the change comes by (API, CLI, batch).
"""

from __future__ import annotations

from archief.catalog.models import Record
from archief.errors import ArchiefError

ACTIEF = "actief"
VERNIETIGD = "vernietigd"
OVERGEBRACHT = "overgebracht"


class RecordNietActief(ArchiefError):
    code = "record_niet_actief"
    status = 409
    title = "Record is niet meer actief"


def check_actief(record: Record) -> None:
    """Raise 409 unless `record` is still active (not destroyed, not transferred)."""
    if record.status != ACTIEF:
        raise RecordNietActief(
            f"record {record.id} is {record.status}: it can no longer be changed"
        )


class Vernietigd(ArchiefError):
    code = "vernietigd"
    status = 410
    title = "Vernietigd"


def check_inhoud(record: Record) -> None:
    """Raise 410 when the record's content was destroyed: its stub is all there is."""
    if record.status == VERNIETIGD:
        raise Vernietigd(
            f"record {record.id} was destroyed under the Archiefwet; only its metadata stub"
            " remains",
            vernietigingslijst=record.vernietigingslijst_id,
        )
