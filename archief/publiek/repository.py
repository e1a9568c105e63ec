# SPDX-License-Identifier: EUPL-1.2
"""What the public may see, as queries: the one definition every public path uses.

A record is public when it sits in the public layer, is still active, and
the live policy lets the anonymous public read it; a dossier is public when
it has at least one public record; a wijk when it has a public dossier.
Pages, feeds, the widget, the sitemap and the Woo metadata all read through
`Publiek`, never through the caller's own access: a logged-in civil servant
sees exactly what a resident sees, so nothing of a working layer can slip
onto a page that is cached, shared or embedded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from archief.besluiten import repository as besluiten
from archief.besluiten.schemas import BesluitOut
from archief.besluiten.tijdlijn import besluit_view, zicht
from archief.bewaring.status import ACTIEF
from archief.catalog.models import Afdeling, Besluit, Dossier, Record
from archief.toegang.access import Access
from policies.engine import OPENBAAR, Policy
from policies.subject import ANONIEM

# Publication time as feeds and pages show it: a record filed straight into
# the public layer was never "published" by the action, so its filing counts.
_SINDS = func.coalesce(Record.gepubliceerd_op, Record.created_at)


@dataclass(frozen=True, slots=True)
class PubliekRecord:
    id: str
    titel: str
    soort: str | None
    media_type: str
    size: int
    filename: str | None
    sha256: str
    object_key: str
    created_at: datetime
    gepubliceerd_op: datetime
    informatiecategorie: str | None
    dossier_id: str
    dossier_kenmerk: str
    dossier_titel: str
    wijken: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PubliekDossier:
    id: str
    kenmerk: str
    titel: str
    status: str
    wijken: tuple[str, ...]
    samenvatting: str | None
    planning: tuple[dict[str, str], ...]
    faq: tuple[dict[str, str], ...]
    herzien_op: datetime | None
    aantal: int
    laatst: datetime

    @property
    def bijgewerkt(self) -> datetime:
        """When the page last changed: the newest publication or content review."""
        if self.herzien_op is not None and _aware(self.herzien_op) > _aware(self.laatst):
            return self.herzien_op
        return self.laatst


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _tuple_of_dicts(value: Any) -> tuple[dict[str, str], ...]:
    if not isinstance(value, list):
        return ()
    return tuple({str(k): str(v) for k, v in row.items()} for row in value if isinstance(row, dict))


def _record(record: Record, dossier: Dossier) -> PubliekRecord:
    return PubliekRecord(
        id=record.id,
        titel=record.titel,
        soort=record.soort,
        media_type=record.media_type,
        size=record.size,
        filename=record.filename,
        sha256=record.sha256,
        object_key=record.object_key,
        created_at=record.created_at,
        gepubliceerd_op=record.gepubliceerd_op or record.created_at,
        informatiecategorie=record.informatiecategorie,
        dossier_id=dossier.id,
        dossier_kenmerk=dossier.kenmerk,
        dossier_titel=dossier.titel,
        wijken=tuple(dossier.wijken or ()),
    )


def _dossier(dossier: Dossier, aantal: int, laatst: datetime) -> PubliekDossier:
    return PubliekDossier(
        id=dossier.id,
        kenmerk=dossier.kenmerk,
        titel=dossier.titel,
        status=dossier.status,
        wijken=tuple(dossier.wijken or ()),
        samenvatting=dossier.samenvatting,
        planning=_tuple_of_dicts(dossier.planning),
        faq=_tuple_of_dicts(dossier.faq),
        herzien_op=dossier.herzien_op,
        aantal=aantal,
        laatst=laatst,
    )


class Publiek:
    """The public's view of the catalog, for one request (or one feed, one sitemap)."""

    def __init__(self, session: Session, policy: Policy) -> None:
        self.session = session
        self.access = Access(subject=ANONIEM, policy=policy)

    # -- the rule -------------------------------------------------------------

    def _is_publiek(self) -> ColumnElement[bool]:
        """Public layer, active, and readable by the anonymous public under the live policy.

        The query must join Record, Dossier and Afdeling (the policy grants
        per afdeling and dienst).
        """
        return (
            (Record.laag == OPENBAAR) & (Record.status == ACTIEF) & self.access.sql_filter("read")
        )

    def _records(self) -> Select[Record, Dossier]:
        return (
            select(Record, Dossier)
            .join(Dossier, Record.dossier_id == Dossier.id)
            .join(Afdeling, Dossier.afdeling == Afdeling.code)
            .where(self._is_publiek())
        )

    # -- records --------------------------------------------------------------

    def records(
        self,
        *,
        dossier_ids: Iterable[str] | None = None,
        limit: int | None = None,
    ) -> list[PubliekRecord]:
        """Public records, newest publication first."""
        query = self._records().order_by(_SINDS.desc(), Record.id)
        if dossier_ids is not None:
            ids = list(dossier_ids)
            if not ids:
                return []
            query = query.where(Record.dossier_id.in_(ids))
        if limit is not None:
            query = query.limit(limit)
        return [_record(r, d) for r, d in self.session.execute(query)]

    def record(self, record_id: str) -> PubliekRecord | None:
        row = self.session.execute(self._records().where(Record.id == record_id)).first()
        return _record(row[0], row[1]) if row is not None else None

    def which(self, record_ids: Sequence[str]) -> dict[str, PubliekRecord]:
        """Of these ids, the public records (search hits are checked against this)."""
        if not record_ids:
            return {}
        rows = self.session.execute(self._records().where(Record.id.in_(list(record_ids))))
        return {r.id: _record(r, d) for r, d in rows}

    # -- dossiers and wijken ----------------------------------------------------

    def dossiers(self, *, kenmerk: str | None = None) -> list[PubliekDossier]:
        """Dossiers with public records, most recently published first."""
        stats = (
            select(
                Record.dossier_id.label("dossier_id"),
                func.count(Record.id).label("aantal"),
                func.max(_SINDS).label("laatst"),
            )
            .join(Dossier, Record.dossier_id == Dossier.id)
            .join(Afdeling, Dossier.afdeling == Afdeling.code)
            .where(self._is_publiek())
            .group_by(Record.dossier_id)
            .subquery()
        )
        query = (
            select(Dossier, stats.c.aantal, stats.c.laatst)
            .join(stats, stats.c.dossier_id == Dossier.id)
            .order_by(stats.c.laatst.desc(), Dossier.kenmerk)
        )
        if kenmerk is not None:
            query = query.where(Dossier.kenmerk == kenmerk)
        return [_dossier(d, int(n), laatst) for d, n, laatst in self.session.execute(query)]

    def dossier(self, kenmerk: str) -> PubliekDossier | None:
        found = self.dossiers(kenmerk=kenmerk)
        return found[0] if found else None

    def wijken(self) -> dict[str, int]:
        """Each wijk with public dossiers, and how many, by name."""
        counts: dict[str, int] = {}
        for dossier in self.dossiers():
            for wijk in dossier.wijken:
                counts[wijk] = counts.get(wijk, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: kv[0].casefold()))

    def dossiers_in(self, wijk: str) -> list[PubliekDossier]:
        return [d for d in self.dossiers() if wijk in d.wijken]

    # -- besluiten ------------------------------------------------------------

    def besluit(self, kenmerk: str) -> BesluitOut | None:
        """A decision's timeline as the public may see it (its publication steps)."""
        besluit = besluiten.besluit_by_kenmerk(self.session, kenmerk)
        if besluit is None:
            return None
        return besluit_view(self.session, besluit, zicht(self.access))

    def besluiten_van(self, dossier_id: str) -> list[BesluitOut]:
        out = []
        for besluit in besluiten.besluiten_of_dossier(self.session, dossier_id):
            view = besluit_view(self.session, besluit, zicht(self.access))
            if view is not None:
                out.append(view)
        return out

    def alle_besluiten(self) -> list[BesluitOut]:
        """Every decision with a step the public may see (the sitemap lists them)."""
        out = []
        for besluit in self.session.scalars(select(Besluit).order_by(Besluit.kenmerk)):
            view = besluit_view(self.session, besluit, zicht(self.access))
            if view is not None:
                out.append(view)
        return out
