# SPDX-License-Identifier: EUPL-1.2
"""One request's access: the caller, the live policy, and every decision it needs.

An `Access` is made once per request. It resolves the caller's grants at
most once per action (`grants`), compiles them into the search filter and
the SQL filter, and asks casbin about single records (`can`), remembering
answers per position so a page of hits costs a handful of decisions.

Records the caller may not read are reported as missing (404), never as
forbidden: a 403 would confirm that the id exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from archief.catalog.models import Afdeling, Dossier, Record
from archief.errors import Forbidden, NotFound
from policies.compile import search_filter
from policies.engine import Grant, Policy
from policies.subject import Subject, Target


@dataclass(frozen=True, slots=True)
class Position:
    """A record's place, as the policy needs it (loaded with one join)."""

    record_id: str
    dossier_id: str
    target: Target


def positions(session: Session, record_ids: Sequence[str]) -> dict[str, Position]:
    """Where each record sits, straight from the catalog (the source of truth)."""
    if not record_ids:
        return {}
    rows = session.execute(
        select(Record.id, Record.dossier_id, Record.laag, Dossier.afdeling, Afdeling.dienst_code)
        .join(Dossier, Record.dossier_id == Dossier.id)
        .join(Afdeling, Dossier.afdeling == Afdeling.code)
        .where(Record.id.in_(list(record_ids)))
    )
    return {
        rid: Position(rid, did, Target(laag, afdeling, dienst))
        for rid, did, laag, afdeling, dienst in rows
    }


def visible_dossiers(session: Session, access: Access, ids: Sequence[str]) -> set[str]:
    """Which of these dossiers the caller can see (`Access.dossier_visible`)."""
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Dossier.id)
            .join(Afdeling, Dossier.afdeling == Afdeling.code)
            .where(Dossier.id.in_(list(ids)), access.dossier_visible())
        )
    )


def target_of(session: Session, record: Record) -> Target:
    dienst = session.scalar(
        select(Afdeling.dienst_code).where(Afdeling.code == record.dossier.afdeling)
    )
    return Target(record.laag, record.dossier.afdeling, dienst or "")


@dataclass
class Access:
    subject: Subject
    policy: Policy
    _grants: dict[str, list[Grant]] = field(default_factory=dict)
    _decisions: dict[tuple[Target, str], bool] = field(default_factory=dict)

    # -- what the caller may see, as filters --------------------------------

    def grants(self, act: str = "read") -> list[Grant]:
        """The caller's slices for `act`; resolved once per request and action."""
        if act not in self._grants:
            self._grants[act] = self.policy.grants(self.subject, act)
        return self._grants[act]

    def search_filter(self) -> dict[str, Any]:
        return search_filter(self.grants("read"))

    def sql_filter(self, act: str = "read") -> ColumnElement[bool]:
        """The same grants for the catalog; the query must join Record, Dossier and Afdeling."""
        clauses = []
        for grant in self.grants(act):
            parts: list[ColumnElement[bool]] = [Record.laag.in_(sorted(grant.lagen))]
            if grant.afdeling is not None:
                parts.append(Dossier.afdeling == grant.afdeling)
            if grant.dienst is not None:
                parts.append(Afdeling.dienst_code == grant.dienst)
            clauses.append(and_(*parts))
        return or_(*clauses) if clauses else false()

    def dossier_filter(self, act: str) -> ColumnElement[bool]:
        """Dossiers where the caller may `act` in some layer (e.g. write: their own)."""
        clauses: list[ColumnElement[bool]] = []
        for grant in self.grants(act):
            if grant.afdeling is not None:
                clauses.append(Dossier.afdeling == grant.afdeling)
            elif grant.dienst is not None:
                clauses.append(Afdeling.dienst_code == grant.dienst)
            else:
                clauses.append(~false())
        return or_(*clauses) if clauses else false()

    def dossier_visible(self) -> ColumnElement[bool]:
        """Dossiers the caller can see: one they may read a record in, or add one to.

        The one rule for every path that shows a dossier (lists, timelines,
        the audit trail, reconstruction); the query must join Dossier and
        Afdeling, which the correlated record test reads.
        """
        readable = (
            select(Record.id)
            .where(Record.dossier_id == Dossier.id, self.sql_filter("read"))
            .exists()
        )
        return readable | self.dossier_filter("write")

    # -- single decisions ---------------------------------------------------

    def can(self, target: Target, act: str) -> bool:
        key = (target, act)
        if key not in self._decisions:
            self._decisions[key] = self.policy.enforce(self.subject, target, act)
        return self._decisions[key]

    def may(self, act: str) -> bool:
        """A system action (manage policy, read the audit trail)."""
        return self.policy.allows(self.subject, act)

    def require(self, target: Target, act: str, what: str) -> None:
        """Raise unless the caller may `act`; unreadable things do not exist."""
        if self.can(target, act):
            return
        if act != "read" and self.can(target, "read"):
            raise Forbidden(f"you may not {act} {what}")
        raise NotFound(f"no {what}")

    def require_system(self, act: str) -> None:
        if not self.may(act):
            raise Forbidden(f"your roles ({', '.join(self.subject.rollen)}) may not {act}")
