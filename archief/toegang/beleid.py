# SPDX-License-Identifier: EUPL-1.2
"""Policy versions in the catalog, and the live policy every request decides with.

The catalog is the store: a change is a new row, never an update, so every
past version stays available (reconstruction shows what held when). Each
request reads the current version number (one indexed query) and reloads
when it moved, so a policy change takes effect on the next request, in every
process, without a restart or a cache to expire.
"""

from __future__ import annotations

import threading
from datetime import datetime

import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.besluiten import flow as besluit_flow
from archief.catalog.models import Beleid, Record

__all__ = ["Beleid", "InvalidPolicy", "PolicyHolder", "current_row", "store", "versions"]
from archief.errors import ArchiefError
from policies.check import check
from policies.engine import Policy, PolicyTexts

log = structlog.get_logger(__name__)


class InvalidPolicy(ArchiefError):
    code = "invalid_policy"
    status = 422
    title = "Ongeldig beleid"


def store(
    session: Session, texts: PolicyTexts, *, by: Actor, now: datetime, toelichting: str = ""
) -> Beleid:
    """Check, then append a new version; an unchanged policy is not stored twice."""
    report = check(texts)
    if not report.ok:
        raise InvalidPolicy("the policy was refused", problems=report.problems)
    in_use = set(session.scalars(select(Record.laag).distinct()))
    missing = in_use - set(report.policy.laag_codes if report.policy else ())
    if missing:
        # A record in a layer no rule mentions would vanish for everyone.
        raise InvalidPolicy(
            "records sit in layers this policy drops: " + ", ".join(sorted(missing)),
            problems=[f"layer {laag!r} is in use" for laag in sorted(missing)],
        )
    # The decision steps are shown per layer too; a policy without one of
    # their layers would hide them from everyone.
    steps = besluit_flow.problems(report.policy.laag_codes if report.policy else ())
    if steps:
        raise InvalidPolicy("the besluit steps use layers this policy drops", problems=steps)
    latest = current_row(session)
    if latest is not None and latest.sha256 == texts.sha256:
        return latest
    row = Beleid(
        sha256=texts.sha256,
        model=texts.model,
        regels=texts.regels,
        lagen=texts.lagen,
        toelichting=toelichting,
        created_by=by.id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    append(
        session,
        actor=by,
        actie="beleid.gewijzigd",
        object_type="beleid",
        object_id=str(row.versie),
        at=now,
        voor={"versie": latest.versie, "sha256": latest.sha256} if latest else None,
        na={"versie": row.versie, "sha256": row.sha256},
        details={"toelichting": toelichting} if toelichting else None,
    )
    log.info("beleid.stored", versie=row.versie, sha256=row.sha256, by=by.id)
    return row


def current_row(session: Session) -> Beleid | None:
    return session.scalars(select(Beleid).order_by(Beleid.versie.desc()).limit(1)).first()


def versions(session: Session) -> list[Beleid]:
    return list(session.scalars(select(Beleid).order_by(Beleid.versie)))


class PolicyHolder:
    """The live policy of this process, reloaded when the catalog has a newer version."""

    def __init__(self) -> None:
        self._policy: Policy | None = None
        self._lock = threading.Lock()

    def current(self, session: Session) -> Policy:
        versie = session.scalar(select(func.max(Beleid.versie)))
        if versie is None:
            raise InvalidPolicy("no policy is loaded; run `archief migrate`")
        policy = self._policy
        if policy is not None and policy.versie == versie:
            return policy
        with self._lock:
            if self._policy is None or self._policy.versie != versie:
                row = session.get(Beleid, versie)
                assert row is not None  # versions are never deleted
                texts = PolicyTexts(model=row.model, regels=row.regels, lagen=row.lagen)
                self._policy = Policy(texts, versie=versie)
                log.info("beleid.loaded", versie=versie)
            return self._policy
