# SPDX-License-Identifier: EUPL-1.2
"""The besluiten world: the access world (own catalog, index, OIDC issuer) and its cast.

Dossiers belong to afdeling wijkzaken (dienst stadsbeheer). Every helper
goes through the HTTP API with real tokens, except where a test must look
at the catalog itself (locks, the audit chain).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from archief.composition import Container
from policies.subject import ANONIEM, Subject
from tests.access import conftest as access_world
from tests.access.conftest import add_record
from tests.oidc import LocalIssuer

# The access world (its own catalog and index per package), issuer and client.
world = access_world.world
issuer = access_world.issuer
client = access_world.client

AFDELING = "wijkzaken"  # dienst stadsbeheer

STELLER = Subject("stella", ("medewerker",), AFDELING, naam="Stella Steller")
COLLEGA = Subject("carla", ("medewerker",), AFDELING, naam="Carla Collega")
AD = Subject("adriaan", ("leidinggevende",), "openbare-ruimte", naam="Adriaan AD")  # stadsbeheer
AD_ELDERS = Subject("anton", ("leidinggevende",), "onderwijs", naam="Anton AD")  # ocsw
ELDERS = Subject("bob", ("medewerker",), "onderwijs", naam="Bob Elders")  # ocsw
PH = Subject("petra", ("collegelid",), naam="Petra Portefeuillehouder")
GS = Subject("gerrit", ("gemeentesecretaris",), naam="Gerrit Secretaris")
GRIFFIE = Subject("greet", ("griffie",), naam="Greet Griffie")
RAADSLID = Subject("rita", ("raadslid",), naam="Rita Raadslid")
PUBLIEK = ANONIEM

# Dates in the past, one day apart, so every step may take the next.
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=60)


def auth(issuer: LocalIssuer, subject: Subject) -> dict[str, str]:
    """The Authorization header of a subject, with their name in the token."""
    if subject.anoniem:
        return {}
    token = issuer.mint(
        subject.id, roles=list(subject.rollen), afdeling=subject.afdeling, name=subject.naam
    )
    return {"Authorization": f"Bearer {token}"}


def kenmerk() -> str:
    return f"T-BES-{uuid.uuid4().hex[:8]}"


@dataclass
class Zaak:
    """One besluit under test: its dossier, memo and the helpers to move it along."""

    client: TestClient
    issuer: LocalIssuer
    world: Container
    dossier: str  # kenmerk
    dossier_id: str
    nota: str
    besluit: dict[str, Any] = field(default_factory=dict)
    dag: int = 0

    @property
    def id(self) -> str:
        return str(self.besluit["id"])

    def record(self, laag: str, text: str) -> str:
        rid, _ = add_record(
            self.world, self.dossier, AFDELING, laag, text, f"{uuid.uuid4().hex[:6]}.txt"
        )
        return rid

    def datum(self) -> str:
        self.dag += 1
        return (START + timedelta(days=self.dag)).isoformat()

    def stap(self, who: Subject, soort: str, **body: Any) -> Any:
        """POST a step (dated the next day unless given); the raw response."""
        body = {"soort": soort, "datum": self.datum(), **body}
        return self.client.post(
            f"/besluiten/{self.id}/stappen", json=body, headers=auth(self.issuer, who)
        )

    def ok(self, who: Subject, soort: str, **body: Any) -> dict[str, Any]:
        resp = self.stap(who, soort, **body)
        assert resp.status_code == 201, resp.text
        data: dict[str, Any] = resp.json()
        return data

    def view(self, who: Subject, path: str = "") -> Any:
        return self.client.get(f"/besluiten/{self.id}{path}", headers=auth(self.issuer, who))


def new_zaak(
    world: Container, client: TestClient, issuer: LocalIssuer, *, nota_laag: str = "college"
) -> Zaak:
    """A dossier with a memo, and a besluit on it drafted by the steller."""
    dossier = kenmerk()
    nota, dossier_id = add_record(
        world, dossier, AFDELING, nota_laag, f"Besluitnota {dossier}.", "nota.txt"
    )
    zaak = Zaak(client, issuer, world, dossier, dossier_id, nota)
    resp = client.post(
        "/besluiten",
        json={
            "dossier": dossier,
            "onderwerp": f"Speeltuin {dossier}",
            "nota": nota,
            "datum": zaak.datum(),
        },
        headers=auth(issuer, STELLER),
    )
    assert resp.status_code == 201, resp.text
    zaak.besluit = resp.json()
    return zaak


@pytest.fixture
def zaak(world: Container, client: TestClient, issuer: LocalIssuer) -> Zaak:
    return new_zaak(world, client, issuer)


def soorten(view: dict[str, Any]) -> list[str]:
    return [s["soort"] for s in view["stappen"]]
