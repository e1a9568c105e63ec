# SPDX-License-Identifier: EUPL-1.2
"""Case grants (machtigingen): the ombudsman may reconstruct one dossier, for a while.

A grant names one subject, one dossier and one complaint (zaak), and holds
from `geldig_van` up to (not including) `geldig_tot`, at most `MAX_DUUR`.
Granting and revoking are audited in the same transaction as the row, so
neither exists without the other. Grants are never deleted: a revoked or
expired grant stays as evidence of what was allowed when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.catalog.models import Machtiging
from archief.errors import ArchiefError, Forbidden, NotFound
from archief.reconstructie import repository
from archief.reconstructie.tijd import aware

log = structlog.get_logger(__name__)

# Long enough for an ombudsman's investigation, short enough that a
# forgotten grant does not become standing access.
MAX_DUUR = timedelta(days=90)

ACTIEF = "actief"
INGETROKKEN = "ingetrokken"
VERLOPEN = "verlopen"
NOG_NIET_GELDIG = "nog_niet_geldig"


class OngeldigeMachtiging(ArchiefError):
    code = "invalid_grant"
    status = 422
    title = "Ongeldige machtiging"


class AlIngetrokken(ArchiefError):
    code = "grant_revoked"
    status = 409
    title = "Machtiging al ingetrokken"


class ReconstructieGeweigerd(Forbidden):
    """The caller may see the dossier but may not reconstruct it; `reden` says why."""

    code = "reconstruction_refused"
    title = "Reconstructie geweigerd"


def status(grant: Machtiging, now: datetime) -> str:
    if grant.ingetrokken_at is not None:
        return INGETROKKEN
    if now < aware(grant.geldig_van):
        return NOG_NIET_GELDIG
    if now >= aware(grant.geldig_tot):
        return VERLOPEN
    return ACTIEF


def state(grant: Machtiging) -> dict[str, Any]:
    """The grant as the audit trail and the report record it."""
    return {
        "id": grant.id,
        "ombudsman": grant.ombudsman,
        "dossier_id": grant.dossier_id,
        "zaak": grant.zaak,
        "reden": grant.reden,
        "geldig_van": aware(grant.geldig_van).isoformat(),
        "geldig_tot": aware(grant.geldig_tot).isoformat(),
        "verleend_door": grant.verleend_door,
    }


def _check_subject(ombudsman: str, by: Actor) -> str:
    ombudsman = ombudsman.strip()
    if not ombudsman or ombudsman == "anoniem" or ombudsman.startswith("service:"):
        raise OngeldigeMachtiging(
            f"a grant names a person (e.g. oidc:<sub>), not {ombudsman or 'nobody'!r}"
        )
    if ombudsman == by.id:
        # Four eyes: whoever grants access to a case cannot be the one using it.
        raise OngeldigeMachtiging("you cannot grant yourself a reconstruction")
    return ombudsman


def verleen(
    session: Session,
    *,
    by: Actor,
    ombudsman: str,
    dossier: str,
    zaak: str,
    reden: str,
    geldig_tot: datetime,
    now: datetime,
    geldig_van: datetime | None = None,
) -> Machtiging:
    """Grant `ombudsman` reconstruction of one dossier (kenmerk or id); audited."""
    ombudsman = _check_subject(ombudsman, by)
    target = repository.dossier_by_kenmerk_or_id(session, dossier)
    if target is None:
        raise NotFound(f"no dossier {dossier!r}")
    van = aware(geldig_van) if geldig_van is not None else now
    tot = aware(geldig_tot)
    if tot <= van:
        raise OngeldigeMachtiging("geldig_tot must lie after geldig_van")
    if tot - van > MAX_DUUR:
        raise OngeldigeMachtiging(
            f"a grant lasts at most {MAX_DUUR.days} days; grant again for a longer case"
        )
    if tot <= now:
        raise OngeldigeMachtiging("geldig_tot lies in the past: this grant would never hold")
    if not zaak.strip() or not reden.strip():
        raise OngeldigeMachtiging("a grant needs the complaint (zaak) and the reason (reden)")
    grant = Machtiging(
        ombudsman=ombudsman,
        dossier_id=target.id,
        zaak=zaak.strip(),
        reden=reden.strip(),
        geldig_van=van,
        geldig_tot=tot,
        verleend_door=by.id,
        created_at=now,
    )
    session.add(grant)
    session.flush()
    append(
        session,
        actor=by,
        actie="machtiging.verleend",
        object_type="machtiging",
        object_id=grant.id,
        dossier_id=grant.dossier_id,
        at=now,
        na=state(grant),
    )
    log.info("machtiging.verleend", machtiging=grant.id, dossier_id=grant.dossier_id, by=by.id)
    return grant


def trek_in(session: Session, grant_id: str, *, by: Actor, now: datetime) -> Machtiging:
    """Revoke a grant from now on; audited. It stays, marked, as evidence."""
    grant = session.get(Machtiging, grant_id, with_for_update=True)
    if grant is None:
        raise NotFound(f"no grant {grant_id}")
    if grant.ingetrokken_at is not None:
        raise AlIngetrokken(
            f"grant {grant_id} was revoked at {aware(grant.ingetrokken_at).isoformat()} "
            f"by {grant.ingetrokken_door}"
        )
    grant.ingetrokken_at, grant.ingetrokken_door = now, by.id
    session.flush()
    append(
        session,
        actor=by,
        actie="machtiging.ingetrokken",
        object_type="machtiging",
        object_id=grant.id,
        dossier_id=grant.dossier_id,
        at=now,
        voor={"ingetrokken_at": None},
        na={"ingetrokken_at": now.isoformat(), "ingetrokken_door": by.id},
    )
    log.info("machtiging.ingetrokken", machtiging=grant.id, by=by.id)
    return grant


def lijst(
    session: Session, *, ombudsman: str | None = None, dossier_id: str | None = None
) -> Sequence[Machtiging]:
    return repository.grants(session, ombudsman=ombudsman, dossier_id=dossier_id)


def actief(session: Session, ombudsman: str, dossier_id: str, now: datetime) -> Machtiging:
    """The grant that lets `ombudsman` reconstruct this dossier now, or why there is none."""
    own = repository.grants(session, ombudsman=ombudsman, dossier_id=dossier_id)
    for grant in own:
        if status(grant, now) == ACTIEF:
            return grant
    if own:
        # The newest grant for this case says best why it no longer (or not yet) holds.
        latest = own[-1]
        reden = status(latest, now)
        detail = {
            INGETROKKEN: f"your grant {latest.id} for this dossier was revoked",
            VERLOPEN: f"your grant {latest.id} for this dossier expired at "
            f"{aware(latest.geldig_tot).isoformat()}",
            NOG_NIET_GELDIG: f"your grant {latest.id} for this dossier holds from "
            f"{aware(latest.geldig_van).isoformat()}",
        }[reden]
        raise ReconstructieGeweigerd(detail, reden=reden, machtiging=latest.id)
    others = [
        g for g in repository.grants(session, ombudsman=ombudsman) if status(g, now) == ACTIEF
    ]
    if others:
        raise ReconstructieGeweigerd(
            "your grant is for another dossier; a grant covers exactly one case",
            reden="ander_dossier",
        )
    raise ReconstructieGeweigerd(
        "reconstruction needs a grant (machtiging) for this dossier; ask the gemeentesecretaris",
        reden="geen_machtiging",
    )


def has_any(session: Session, ombudsman: str, dossier_id: str) -> bool:
    """Whether this subject was ever granted this dossier (so already knows it exists)."""
    return bool(repository.grants(session, ombudsman=ombudsman, dossier_id=dossier_id))
