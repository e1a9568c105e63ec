# SPDX-License-Identifier: EUPL-1.2
"""The organisation: diensten containing afdelingen, loaded from a YAML file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import Actor, append
from archief.catalog.models import Afdeling, Dienst
from archief.errors import ArchiefError


class OrganisatieError(ArchiefError):
    code = "invalid_organisation"
    status = 422
    title = "Ongeldige organisatie"


@dataclass(frozen=True, slots=True)
class LoadReport:
    diensten: int
    afdelingen: int
    # afdelingen that moved to another dienst: their records need reindexing,
    # as the index holds each record's dienst.
    verhuisd: list[str]


def default_text() -> str:
    return resources.files("policies").joinpath("organisatie.yaml").read_text(encoding="utf-8")


def parse(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """dienst code -> (naam, {afdeling code: naam}), or an error naming every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise OrganisatieError(f"not valid YAML: {exc}") from exc
    diensten = data.get("diensten") if isinstance(data, dict) else None
    if not isinstance(diensten, list) or not diensten:
        raise OrganisatieError("expected a non-empty list under `diensten:`")
    out: dict[str, tuple[str, dict[str, str]]] = {}
    seen: set[str] = set()
    problems = []
    for d in diensten:
        if not isinstance(d, dict) or not isinstance(d.get("code"), str):
            problems.append(f"a dienst without a code: {d!r}")
            continue
        afdelingen = {}
        for a in d.get("afdelingen") or []:
            if not isinstance(a, dict) or not isinstance(a.get("code"), str):
                problems.append(f"dienst {d['code']}: an afdeling without a code: {a!r}")
                continue
            if a["code"] in seen:
                problems.append(f"afdeling {a['code']} appears twice")
            seen.add(a["code"])
            afdelingen[a["code"]] = str(a.get("naam", a["code"]))
        if d["code"] in out:
            problems.append(f"dienst {d['code']} appears twice")
        out[d["code"]] = (str(d.get("naam", d["code"])), afdelingen)
    if problems:
        raise OrganisatieError("; ".join(problems))
    return out


def load(session: Session, text: str, *, by: Actor, now: datetime) -> LoadReport:
    """Add and rename diensten and afdelingen; never delete (dossiers point at them).

    Who belongs to which dienst decides who sees what (dienst-wide grants),
    so every change is an audit entry: the organisation itself keeps no
    versions, the trail says how it was.
    """
    wanted = parse(text)
    voor = {a.code: [a.dienst_code, a.naam] for a in session.scalars(select(Afdeling))}
    diensten = {d.code: d for d in session.scalars(select(Dienst))}
    afdelingen = {a.code: a for a in session.scalars(select(Afdeling))}
    verhuisd = []
    for dcode, (dnaam, afds) in wanted.items():
        dienst = diensten.get(dcode)
        if dienst is None:
            dienst = Dienst(code=dcode, naam=dnaam)
            session.add(dienst)
        dienst.naam = dnaam
        for acode, anaam in afds.items():
            afdeling = afdelingen.get(acode)
            if afdeling is None:
                session.add(Afdeling(code=acode, naam=anaam, dienst_code=dcode))
                continue
            if afdeling.dienst_code != dcode:
                verhuisd.append(acode)
            afdeling.naam, afdeling.dienst_code = anaam, dcode
    session.flush()
    na = {a.code: [a.dienst_code, a.naam] for a in session.scalars(select(Afdeling))}
    changed = sorted(code for code in na if voor.get(code) != na[code])
    if changed:
        append(
            session,
            actor=by,
            actie="organisatie.gewijzigd",
            object_type="organisatie",
            object_id="organisatie",
            at=now,
            voor={code: voor[code] for code in changed if code in voor},
            na={code: na[code] for code in changed},
        )
    return LoadReport(
        diensten=len(wanted), afdelingen=sum(len(a) for _, a in wanted.values()), verhuisd=verhuisd
    )


def dienst_of(session: Session, afdeling: str) -> str | None:
    return session.scalars(select(Afdeling.dienst_code).where(Afdeling.code == afdeling)).first()


# Where migration 0003 put afdelingen it only knew by their free-text name.
ONBEKEND = "onbekend"


def is_empty(session: Session) -> bool:
    """No organisation loaded yet (the `onbekend` dienst of old dossiers does not count)."""
    return (
        session.scalars(select(Dienst.code).where(Dienst.code != ONBEKEND).limit(1)).first() is None
    )
