# SPDX-License-Identifier: EUPL-1.2
"""A dossier with a history made at real moments, and the people who look back at it.

`geschiedenis` builds, through the real API and intake:

    T0  ─ dossier created ─ three records in `afdeling` ─ T1
        ─ one moved to `raad`, one published ─ T2
        ─ a late record ─ policy: raadsleden lose the raad layer ─ T3
        ─ policy restored ─ a grant for the ombudsman

and keeps the moments, so tests can ask what held at each.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from archief.catalog.models import AuditEntry
from archief.composition import Container
from archief.intake.service import ensure_dossier
from policies.engine import PolicyTexts
from policies.subject import Subject
from tests.access import conftest as access
from tests.access.conftest import headers
from tests.oidc import LocalIssuer

# The access tests' world (own catalog and index, local OIDC issuer), for this package too.
world = access.world
client = access.client
issuer = access.issuer

ALICE = Subject("alice", ("medewerker",), "wijkzaken")  # stadsbeheer
CHEF = Subject("chef", ("leidinggevende",), "openbare-ruimte")  # stadsbeheer too
BOB = Subject("bob", ("medewerker",), "onderwijs")  # ocsw: another dienst
RAAD = Subject("rita", ("raadslid",))
BEHEER = Subject("bea", ("beheerder",))
SECRETARIS = Subject("sem", ("gemeentesecretaris",))
OLGA = Subject("olga", ("ombudsman",))
OTTO = Subject("otto", ("ombudsman",))
HOSTILE = "<script>alert(1)</script>"


def api_id(subject: Subject) -> str:
    """The subject id the API sees for a token user."""
    return f"oidc:{subject.id}"


def kenmerk() -> str:
    return f"T-REC-{uuid.uuid4().hex[:8]}"


def add(world: Container, dossier_id: str, laag: str, titel: str) -> str:
    """A record through the real intake, with its own bytes."""
    item = world.intake.receive(
        io.BytesIO(f"{titel} {uuid.uuid4().hex}".encode()),
        name=f"{uuid.uuid4().hex[:6]}.txt",
        dossier_id=dossier_id,
        laag=laag,
        titel=titel,
    )
    assert item.record_id is not None, item.reason
    return item.record_id


def new_dossier(world: Container, *, titel: str = "Dossier", afdeling: str = "wijkzaken") -> str:
    dossier = ensure_dossier(
        world.sessions, world.clock, kenmerk=kenmerk(), titel=titel, afdeling=afdeling
    )
    return dossier.id


def grant(
    client: TestClient,
    issuer: LocalIssuer,
    ombudsman: Subject,
    dossier: str,
    *,
    by: Subject = SECRETARIS,
    days: float = 7,
) -> dict[str, Any]:
    resp = client.post(
        "/machtigingen",
        json={
            "ombudsman": api_id(ombudsman),
            "dossier": dossier,
            "zaak": f"KL-{uuid.uuid4().hex[:6]}",
            "reden": "Klacht over de besluitvorming",
            "geldig_tot": (datetime.now(UTC) + timedelta(days=days)).isoformat(),
        },
        headers=headers(issuer, by),
    )
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def uses(world: Container, dossier_id: str) -> list[AuditEntry]:
    with world.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.dossier_id == dossier_id,
                    AuditEntry.actie == "reconstructie.gebruikt",
                )
                .order_by(AuditEntry.seq)
            )
        )


def head_seq(world: Container) -> int:
    with world.sessions() as session:
        return int(session.scalar(select(func.max(AuditEntry.seq))) or 0)


@dataclass(frozen=True)
class Geschiedenis:
    dossier_id: str
    kenmerk: str
    naar_raad: str
    gepubliceerd: str
    vijandig: str
    laat: str
    t0: datetime
    t1: datetime
    t2: datetime
    t3: datetime
    beleid_t2: int
    beleid_t3: int
    stricter: str
    machtiging: str


@pytest.fixture(scope="package")
def geschiedenis(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
) -> Iterator[Geschiedenis]:
    beheer = headers(issuer, BEHEER)
    t0 = datetime.now(UTC)
    dossier = ensure_dossier(
        world.sessions,
        world.clock,
        kenmerk=kenmerk(),
        titel="Speeltuin <b>Heidepark</b>",
        afdeling="wijkzaken",
    )
    naar_raad = add(world, dossier.id, "afdeling", "Besluitnota speeltuin")
    gepubliceerd = add(world, dossier.id, "afdeling", "Planning speeltuin")
    vijandig = add(world, dossier.id, "afdeling", HOSTILE)
    t1 = datetime.now(UTC)

    moved = client.post(
        f"/records/{naar_raad}/laag", json={"laag": "raad"}, headers=headers(issuer, CHEF)
    )
    assert moved.status_code == 200, moved.text
    published = client.post(f"/records/{gepubliceerd}/publicatie", headers=headers(issuer, ALICE))
    assert published.status_code == 200, published.text
    beleid_t2 = client.get("/beleid", headers=beheer).json()["versie"]
    t2 = datetime.now(UTC)

    laat = add(world, dossier.id, "organisatie", "Nagekomen brief")
    original = PolicyTexts.default().regels
    stricter = "\n".join(
        line for line in original.splitlines() if not line.startswith("p, raadslid, alle, raad,")
    )
    changed = client.put(
        "/beleid", json={"regels": stricter, "toelichting": "raad dicht"}, headers=beheer
    )
    assert changed.status_code == 200, changed.text
    t3 = datetime.now(UTC)
    restored = client.put("/beleid", json={"regels": original}, headers=beheer)
    assert restored.status_code == 200, restored.text

    given = grant(client, issuer, OLGA, dossier.kenmerk)
    yield Geschiedenis(
        dossier_id=dossier.id,
        kenmerk=dossier.kenmerk,
        naar_raad=naar_raad,
        gepubliceerd=gepubliceerd,
        vijandig=vijandig,
        laat=laat,
        t0=t0,
        t1=t1,
        t2=t2,
        t3=t3,
        beleid_t2=beleid_t2,
        beleid_t3=changed.json()["versie"],
        stricter=stricter,
        machtiging=given["id"],
    )
