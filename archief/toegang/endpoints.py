# SPDX-License-Identifier: EUPL-1.2
"""Who am I, which layers exist, and the policy itself (read and replace, versioned)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from archief.audit.chain import Actor
from archief.toegang import beleid
from archief.toegang.deps import CurrentAccess
from policies.engine import RECORD_ACTIONS, PolicyTexts

router = APIRouter(tags=["toegang"])


class LaagOut(BaseModel):
    code: str
    naam: str
    omschrijving: str
    vertrouwelijkheid: str


class GrantOut(BaseModel):
    lagen: list[str]
    afdeling: str | None
    dienst: str | None


class MeOut(BaseModel):
    id: str
    naam: str | None
    rollen: list[str]
    afdeling: str | None
    dienst: str | None
    beleid_versie: int | None
    mag: dict[str, list[GrantOut]] = Field(description="Per action, the slices you may act on")


class BeleidOut(BaseModel):
    versie: int
    sha256: str
    toelichting: str
    created_by: str
    created_at: datetime
    model: str | None = None
    regels: str | None = None
    lagen: str | None = None


class BeleidIn(BaseModel):
    regels: str = Field(min_length=1, max_length=200_000)
    lagen: str | None = Field(default=None, max_length=50_000)
    model: str | None = Field(default=None, max_length=20_000)
    toelichting: str = Field(default="", max_length=2000)


@router.get("/me")
def me(access: CurrentAccess) -> MeOut:
    s = access.subject
    return MeOut(
        id=s.id,
        naam=s.naam,
        rollen=list(s.rollen),
        afdeling=s.afdeling,
        dienst=s.dienst,
        beleid_versie=access.policy.versie,
        mag={
            act: [
                GrantOut(lagen=sorted(g.lagen), afdeling=g.afdeling, dienst=g.dienst)
                for g in access.grants(act)
            ]
            for act in RECORD_ACTIONS
        },
    )


@router.get("/lagen")
def lagen(access: CurrentAccess) -> list[LaagOut]:
    """The layers of the live policy, with their place on the national scale."""
    return [
        LaagOut(
            code=laag.code,
            naam=laag.naam,
            omschrijving=laag.omschrijving,
            vertrouwelijkheid=laag.vertrouwelijkheid,
        )
        for laag in access.policy.lagen
    ]


def _out(row: beleid.Beleid, *, full: bool) -> BeleidOut:
    return BeleidOut(
        versie=row.versie,
        sha256=row.sha256,
        toelichting=row.toelichting,
        created_by=row.created_by,
        created_at=row.created_at,
        model=row.model if full else None,
        regels=row.regels if full else None,
        lagen=row.lagen if full else None,
    )


@router.get("/beleid")
def current_policy(request: Request, access: CurrentAccess) -> BeleidOut:
    access.require_system("beleid_lezen")
    with request.app.state.container.sessions() as session:
        row = beleid.current_row(session)
        assert row is not None  # the access dependency loaded it
        return _out(row, full=True)


@router.get("/beleid/versies")
def policy_versions(request: Request, access: CurrentAccess) -> list[BeleidOut]:
    access.require_system("beleid_lezen")
    with request.app.state.container.sessions() as session:
        return [_out(row, full=False) for row in beleid.versions(session)]


@router.put("/beleid")
def replace_policy(request: Request, access: CurrentAccess, body: BeleidIn) -> BeleidOut:
    """Check and store a new policy version; it governs every request from the next one on."""
    access.require_system("beleid_beheren")
    container = request.app.state.container
    texts = PolicyTexts(
        model=body.model if body.model is not None else access.policy.texts.model,
        regels=body.regels,
        lagen=body.lagen if body.lagen is not None else access.policy.texts.lagen,
    )
    with container.sessions.begin() as session:
        row = beleid.store(
            session,
            texts,
            by=Actor.of(access.subject),
            now=container.clock.now(),
            toelichting=body.toelichting,
        )
        return _out(row, full=False)
