# SPDX-License-Identifier: EUPL-1.2
"""A dossier as it was at a moment: plain data, built from the append-only history.

What it holds, all cut at `as_of`:

- the dossier's version then (DossierVersie) and its records' versions then
  (RecordVersie): records made later are absent, later changes unseen;
- the policy version in force then (Beleid), and per record which role, in
  which standing towards the dossier, could read it under that policy;
- the besluit steps registered by then, and the audit entries of the
  dossier (and every policy change) up to then, in chain order.

A use is accounted for (`produce`): the chain is verified, the data is
hashed, and a `reconstructie.gebruikt` entry naming grant, moment, format
and that hash is committed before anyone gets the report. The hash lets a
reader show later that a report is exactly what was handed out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session, sessionmaker

from archief.audit.chain import Actor, append, fields, verify
from archief.catalog.models import AuditEntry, Machtiging, RecordVersie
from archief.errors import NotFound
from archief.reconstructie import machtiging, repository
from archief.reconstructie.tijd import shown
from archief.toegang.access import Access
from policies.engine import ROLLEN, Policy, PolicyError, PolicyTexts
from policies.subject import Subject, Target

log = structlog.get_logger(__name__)

# How a role can stand towards a dossier: the relation, not the names, is
# what the policy decides on, so it does not matter which dienst an
# afdeling belonged to then (the organisation itself is not versioned).
STANDEN = ("eigen_afdeling", "zelfde_dienst", "andere_dienst", "buiten_organisatie")
# Service accounts hand documents in; they are not a party in a case.
ROLLEN_DAN = tuple(rol for rol in ROLLEN if rol != "systeem")
# Codes no real afdeling or dienst has: only equality matters to the matcher.
_ANDERE_AFDELING = "~andere-afdeling"
_ELDERS = "~elders"
_ONBEKEND = "~onbekend"


class NogNietAangemaakt(NotFound):
    code = "not_yet_created"


@dataclass(frozen=True, slots=True)
class DossierDan:
    id: str
    versie: int
    sinds: datetime
    kenmerk: str
    titel: str
    afdeling: str
    # From today's organisation: which dienst owned the afdeling then is not kept.
    dienst: str | None
    wijken: list[str]
    status: str


@dataclass(frozen=True, slots=True)
class VersieRegel:
    versie: int
    at: datetime
    actie: str
    door: str
    laag: str
    titel: str


@dataclass(frozen=True, slots=True)
class DocumentDan:
    record_id: str
    versie: int
    sinds: datetime
    titel: str
    laag: str
    vertrouwelijkheid: str
    soort: str | None
    sha256: str
    filename: str | None
    media_type: str
    size: int
    status: str
    geschiedenis: list[VersieRegel]
    # rol -> the standings in which that role could read this version then.
    lezers: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class LaagDan:
    code: str
    naam: str
    vertrouwelijkheid: str


@dataclass(frozen=True, slots=True)
class BeleidDan:
    versie: int
    sha256: str
    sinds: datetime
    door: str
    toelichting: str
    lagen: list[LaagDan]
    # rol -> laag -> reaches (alle/dienst/afdeling) of the read rules.
    matrix: dict[str, dict[str, list[str]]]
    # Set when this version can no longer be loaded: then nobody is shown as reader.
    fout: str | None = None


@dataclass(frozen=True, slots=True)
class StapDan:
    besluit: str
    onderwerp: str
    volgnummer: int
    soort: str
    laag: str
    datum: datetime
    actor: str
    actor_naam: str
    uitkomst: str | None
    toelichting: str
    records: list[str]
    geregistreerd: datetime


@dataclass(frozen=True, slots=True)
class Gebeurtenis:
    seq: int
    at: datetime
    actor: str
    rollen: list[str]
    actie: str
    object_type: str
    object_id: str
    voor: dict[str, Any] | None
    na: dict[str, Any] | None
    details: dict[str, Any] | None
    hash: str


@dataclass(frozen=True, slots=True)
class Reconstructie:
    as_of: datetime
    dossier: DossierDan
    documenten: list[DocumentDan]
    beleid: BeleidDan | None
    stappen: list[StapDan]
    gebeurtenissen: list[Gebeurtenis]
    rollen: list[str] = field(default_factory=lambda: list(ROLLEN_DAN))
    standen: list[str] = field(default_factory=lambda: list(STANDEN))


@dataclass(frozen=True, slots=True)
class Keten:
    """The audit chain as it was checked just before this use was entered."""

    seq: int
    hash: str
    ok: bool
    problemen: list[str]


@dataclass(frozen=True, slots=True)
class Verantwoording:
    gegenereerd: datetime
    door: str
    rollen: list[str]
    ombudsman: str
    via: str  # api | export | cli
    format: str
    machtiging: dict[str, Any]
    keten: Keten
    data_sha256: str
    # The `reconstructie.gebruikt` entry this report is registered under.
    gebruik_seq: int
    gebruik_hash: str


@dataclass(frozen=True, slots=True)
class Rapport:
    data: Reconstructie
    verantwoording: Verantwoording

    def as_json(self) -> dict[str, Any]:
        return {"data": plain(self.data), "verantwoording": plain(self.verantwoording)}


# -- plain data and its hash -------------------------------------------------


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    raise TypeError(f"not JSON: {type(value).__name__}")


def canonical(obj: Any) -> bytes:
    """One byte form per content: sorted keys, no spaces, UTF-8, ISO timestamps."""
    return json.dumps(
        asdict(obj), default=_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def plain(obj: Any) -> dict[str, Any]:
    return json.loads(canonical(obj))  # type: ignore[no-any-return]


def digest(data: Reconstructie) -> str:
    """The SHA-256 of the data part, as entered in the audit trail with the use."""
    return hashlib.sha256(canonical(data)).hexdigest()


def digest_of_export(data: Mapping[str, Any]) -> str:
    """The same SHA-256 recomputed from the `data` of a JSON export: how a reader checks it."""
    raw = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()


def export_bytes(rapport: Rapport) -> bytes:
    """The JSON export: readable (indented); the hash is over the canonical form of `data`."""
    return json.dumps(rapport.as_json(), ensure_ascii=False, sort_keys=True, indent=2).encode()


# -- who may ----------------------------------------------------------------


def authorise(session: Session, access: Access, dossier_id: str, now: datetime) -> Machtiging:
    """The caller's active grant for this dossier, or a refusal that leaks nothing.

    Refused callers who cannot see the dossier (and were never granted it)
    get 404, exactly as on GET /dossiers/{id}; the others learn why.
    """
    if repository.dossier(session, dossier_id) is None:
        raise NotFound(f"no dossier {dossier_id}")
    subject = access.subject
    try:
        if access.may("reconstrueren"):
            return machtiging.actief(session, subject.id, dossier_id, now)
        refusal = machtiging.ReconstructieGeweigerd(
            f"your roles ({', '.join(subject.rollen)}) may not reconstruct dossiers; "
            "that is the ombudsman's, under a grant",
            reden="geen_ombudsman",
        )
    except machtiging.ReconstructieGeweigerd as exc:
        refusal = exc
    log.info(
        "reconstructie.geweigerd",
        dossier_id=dossier_id,
        subject=subject.id,
        reden=refusal.extra.get("reden"),
    )
    if repository.visible(session, access, dossier_id) or machtiging.has_any(
        session, subject.id, dossier_id
    ):
        raise refusal
    raise NotFound(f"no dossier {dossier_id}")


# -- the reconstruction -----------------------------------------------------


def _standen(afdeling: str, dienst: str) -> dict[str, tuple[str | None, str | None]]:
    return {
        "eigen_afdeling": (afdeling, dienst),
        "zelfde_dienst": (_ANDERE_AFDELING, dienst),
        "andere_dienst": (_ELDERS, _ELDERS),
        "buiten_organisatie": (None, None),
    }


def _readers(policy: Policy | None, target: Target) -> dict[str, list[str]]:
    if policy is None:
        return {rol: [] for rol in ROLLEN_DAN}
    out: dict[str, list[str]] = {}
    for rol in ROLLEN_DAN:
        out[rol] = [
            stand
            for stand, (afdeling, dienst) in _standen(target.afdeling, target.dienst).items()
            if policy.enforce(
                Subject(f"reconstructie:{rol}", (rol,), afdeling, dienst), target, "read"
            )
        ]
    return out


def _policy(session: Session, as_of: datetime) -> tuple[BeleidDan | None, Policy | None]:
    row = repository.policy_version(session, as_of)
    if row is None:
        return None, None
    try:
        policy = Policy(PolicyTexts(row.model, row.regels, row.lagen), versie=row.versie)
    except PolicyError as exc:
        # A version today's code can no longer load is shown, not guessed at.
        fout = "; ".join(exc.problems)
        kapot = BeleidDan(
            row.versie, row.sha256, row.created_at, row.created_by, row.toelichting, [], {}, fout
        )
        return kapot, None
    matrix = policy.matrix("read")
    beleid = BeleidDan(
        versie=row.versie,
        sha256=row.sha256,
        sinds=row.created_at,
        door=row.created_by,
        toelichting=row.toelichting,
        lagen=[LaagDan(laag.code, laag.naam, laag.vertrouwelijkheid) for laag in policy.lagen],
        matrix={rol: {k: list(v) for k, v in matrix.get(rol, {}).items()} for rol in ROLLEN_DAN},
    )
    return beleid, policy


def _documents(
    versions: list[RecordVersie], policy: Policy | None, afdeling: str, dienst: str
) -> list[DocumentDan]:
    per_record: dict[str, list[RecordVersie]] = {}
    for version in versions:
        per_record.setdefault(version.record_id, []).append(version)
    documents = []
    for history in per_record.values():
        now = history[-1]
        laag = policy.laag(now.laag) if policy is not None else None
        documents.append(
            DocumentDan(
                record_id=now.record_id,
                versie=now.versie,
                sinds=now.at,
                titel=now.titel,
                laag=now.laag,
                vertrouwelijkheid=laag.vertrouwelijkheid if laag else "",
                soort=now.soort,
                sha256=now.sha256,
                filename=now.filename,
                media_type=now.media_type,
                size=now.size,
                status=now.status,
                geschiedenis=[
                    VersieRegel(v.versie, v.at, v.actie, v.door, v.laag, v.titel) for v in history
                ],
                lezers=_readers(policy, Target(now.laag, afdeling, dienst)),
            )
        )
    # In the order they came into the dossier.
    documents.sort(key=lambda d: (d.geschiedenis[0].at, d.record_id))
    return documents


def _event(entry: AuditEntry) -> Gebeurtenis:
    plain = fields(entry)
    return Gebeurtenis(**{name: plain[name] for name in Gebeurtenis.__slots__})


def reconstrueer(session: Session, dossier_id: str, as_of: datetime) -> Reconstructie:
    """The dossier as it stood at `as_of` (authorise first: this shows every layer)."""
    dv = repository.dossier_version(session, dossier_id, as_of)
    if dv is None:
        raise NogNietAangemaakt(f"dossier {dossier_id} did not exist yet at {shown(as_of)}")
    dienst = repository.dienst_of(session, dv.afdeling)
    beleid, policy = _policy(session, as_of)
    steps = repository.besluit_steps(session, dossier_id, as_of)
    return Reconstructie(
        as_of=as_of,
        dossier=DossierDan(
            id=dossier_id,
            versie=dv.versie,
            sinds=dv.at,
            kenmerk=dv.kenmerk,
            titel=dv.titel,
            afdeling=dv.afdeling,
            dienst=dienst,
            wijken=list(dv.wijken or []),
            status=dv.status,
        ),
        documenten=_documents(
            repository.record_versions(session, dossier_id, as_of),
            policy,
            dv.afdeling,
            dienst or _ONBEKEND,
        ),
        beleid=beleid,
        stappen=[
            StapDan(
                besluit=besluit.kenmerk,
                onderwerp=besluit.onderwerp,
                volgnummer=stap.volgnummer,
                soort=stap.soort,
                laag=stap.laag,
                datum=stap.datum,
                actor=stap.actor,
                actor_naam=stap.actor_naam,
                uitkomst=stap.uitkomst,
                toelichting=stap.toelichting,
                records=list(stap.records or []),
                geregistreerd=stap.at,
            )
            for besluit, stap in steps
        ],
        gebeurtenissen=[_event(e) for e in repository.audit_entries(session, dossier_id, as_of)],
    )


# -- a use, accounted for ---------------------------------------------------


def _keten(sessions: sessionmaker[Session]) -> Keten:
    # Its own session: verify detaches what it walked.
    with sessions() as session:
        report = verify(session)
        head = repository.chain_head(session)
        return Keten(
            seq=head.seq if head else 0,
            hash=head.hash if head else "",
            ok=report.ok,
            problemen=[f"#{p.seq} {p.kind}: {p.detail}" for p in report.problems],
        )


def produce(
    sessions: sessionmaker[Session],
    now: Callable[[], datetime],
    *,
    dossier_id: str,
    as_of: datetime,
    grant: Machtiging,
    actor: Actor,
    via: str,
    fmt: str,
) -> Rapport:
    """Reconstruct, verify the chain, and enter the use in the audit trail (committed)."""
    with sessions() as session:
        data = reconstrueer(session, dossier_id, as_of)
    keten = _keten(sessions)
    sha = digest(data)
    with sessions.begin() as session:
        # The grant may have been revoked since it was checked; the entry says
        # which grant this use relied on, and the revocation has its own entry.
        entry = append(
            session,
            actor=actor,
            actie="reconstructie.gebruikt",
            object_type="dossier",
            object_id=dossier_id,
            dossier_id=dossier_id,
            at=now(),
            details={
                "as_of": as_of.isoformat(),
                "machtiging": grant.id,
                "ombudsman": grant.ombudsman,
                "zaak": grant.zaak,
                "format": fmt,
                "via": via,
                "sha256": sha,
                "keten_seq": keten.seq,
            },
        )
        seq, entry_hash, at = entry.seq, entry.hash, entry.at
    log.info(
        "reconstructie.gebruikt",
        dossier_id=dossier_id,
        machtiging=grant.id,
        actor=actor.id,
        via=via,
        seq=seq,
    )
    return Rapport(
        data=data,
        verantwoording=Verantwoording(
            gegenereerd=at,
            door=actor.id,
            rollen=list(actor.rollen),
            ombudsman=grant.ombudsman,
            via=via,
            format=fmt,
            machtiging=machtiging.state(grant),
            keten=keten,
            data_sha256=sha,
            gebruik_seq=seq,
            gebruik_hash=entry_hash,
        ),
    )
