# SPDX-License-Identifier: EUPL-1.2
"""The public face's world: the access world with a publisher, named wijken and helpers.

Its own catalog and index (prefix named after this package), the local
OIDC issuer, and helpers that build dossiers and records through the real
intake and publish them through the real API.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from archief.app import create_app
from archief.composition import Container, build_container
from archief.intake.service import ensure_dossier
from archief.settings import Settings
from policies.subject import Subject
from search.index import ElasticsearchIndex
from tests.access.conftest import SERVICE_TOKEN, headers
from tests.conftest import scratch_database
from tests.oidc import LocalIssuer

AFDELING = "wijkzaken"  # dienst stadsbeheer
TOOI = "https://identifier.overheid.nl/tooi/id/gemeente/gm0014"
# A wijk the settings name: its page exists before anything is published in it.
GENOEMD = "paddepoel"
PUBLIC_URL = "https://archief.groningen.example"

MILA = Subject("mila", ("medewerker",), AFDELING)  # publishes in wijkzaken
BOB = Subject("bob", ("medewerker",), "onderwijs")  # another afdeling and dienst
LEO = Subject("leo", ("leidinggevende",), "openbare-ruimte")  # manager, dienst stadsbeheer
RAAD = Subject("rita", ("raadslid",))


@pytest.fixture(scope="package")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    return LocalIssuer(tmp_path_factory.mktemp("oidc"))


@pytest.fixture(scope="package")
def world(
    eager_settings: Settings, container: Container, issuer: LocalIssuer
) -> Iterator[Container]:
    """Tasks inline, OIDC from the local issuer, a catalog and index of its own, a publisher."""
    with scratch_database(eager_settings.database.url, f"test_{uuid.uuid4().hex[:8]}") as url:
        settings = eager_settings.model_copy(
            update={
                "database": eager_settings.database.model_copy(update={"url": url}),
                "api": eager_settings.api.model_copy(
                    update={"service_tokens": [SecretStr(SERVICE_TOKEN)], "public_url": PUBLIC_URL}
                ),
                "search": eager_settings.search.model_copy(
                    update={"index_prefix": f"{eager_settings.search.index_prefix}-publiek"}
                ),
                "auth": issuer.settings(),
                "publiek": eager_settings.publiek.model_copy(
                    update={
                        "organisatie": "Gemeente Groningen",
                        "organisatie_tooi": TOOI,
                        "wijknamen": {GENOEMD: "Paddepoel", "oosterpark": "Oosterpark"},
                    }
                ),
            }
        )
        c = build_container(settings)
        c.prepare()
        yield c
        if isinstance(c.index, ElasticsearchIndex):
            c.index.drop()
        c.close()


@pytest.fixture(scope="package")
def client(world: Container) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings, lambda _s: world)) as c:
        yield c


def kenmerk(prefix: str = "T-PUB") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def dossier(
    world: Container,
    *,
    wijken: tuple[str, ...] = ("oosterpark",),
    titel: str | None = None,
    afdeling: str = AFDELING,
) -> tuple[str, str]:
    """A new dossier (id, kenmerk) through the intake's own path."""
    k = kenmerk()
    d = ensure_dossier(
        world.sessions,
        world.clock,
        kenmerk=k,
        titel=titel or f"Project {k}",
        afdeling=afdeling,
        wijken=wijken,
    )
    return d.id, k


def record(
    world: Container,
    dossier_id: str,
    laag: str,
    text: str,
    *,
    titel: str | None = None,
    name: str | None = None,
) -> str:
    """A record through the real intake (tasks inline): stored, extracted, indexed."""
    item = world.intake.receive(
        io.BytesIO(text.encode()),
        name=name or f"{uuid.uuid4().hex[:8]}.txt",
        dossier_id=dossier_id,
        laag=laag,
        titel=titel,
    )
    assert item.record_id is not None, item.reason
    return item.record_id


def soort(client: TestClient, issuer: LocalIssuer, record_id: str, value: str) -> None:
    resp = client.patch(
        f"/records/{record_id}", json={"soort": value}, headers=headers(issuer, MILA)
    )
    assert resp.status_code == 200, resp.text


def publiceer(
    client: TestClient, issuer: LocalIssuer, dossier_id: str, who: Subject = MILA, **body: Any
) -> Any:
    return client.post(
        f"/dossiers/{dossier_id}/publicatie", json=body, headers=headers(issuer, who)
    )


def intrekken(client: TestClient, issuer: LocalIssuer, record_id: str) -> None:
    resp = client.delete(f"/records/{record_id}/publicatie", headers=headers(issuer, MILA))
    assert resp.status_code == 200, resp.text


def canary() -> str:
    return f"kanarie{uuid.uuid4().hex[:10]}"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class Html(HTMLParser):
    """A page as a flat list of elements with their own text (enough for the checks)."""

    def __init__(self, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.doctype = ""
        self.feed(body)
        self.close()

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in {"meta", "link", "input", "br", "img", "hr", "source", "col", "wbr"}:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def by_id(self, ident: str) -> Element | None:
        return next((e for e in self.elements if e.attrs.get("id") == ident), None)


def artifact(name: str) -> Path:
    path = Path("var/test-artifacts/publiek") / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
