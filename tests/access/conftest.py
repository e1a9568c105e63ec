# SPDX-License-Identifier: EUPL-1.2
"""A world for access tests: its own catalog and index, a local OIDC issuer, tokens per subject."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from archief.app import create_app
from archief.catalog.models import Afdeling
from archief.composition import Container, build_container
from archief.intake.service import ensure_dossier
from archief.settings import Settings
from policies.subject import Subject
from search.index import ElasticsearchIndex
from tests.conftest import scratch_database
from tests.oidc import LocalIssuer

SERVICE_TOKEN = "access-test-service-token"
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@pytest.fixture(scope="package")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    return LocalIssuer(tmp_path_factory.mktemp("oidc"))


@pytest.fixture(scope="package")
def world(
    request: pytest.FixtureRequest,
    eager_settings: Settings,
    container: Container,
    issuer: LocalIssuer,
) -> Iterator[Container]:
    """Tasks inline, OIDC from the local issuer, a catalog and index of its own.

    Other test packages import this fixture; each gets its own world, with
    an index prefix named after the package so no two worlds share an index.
    """
    package = Path(str(request.node.path)).name
    with scratch_database(eager_settings.database.url, f"test_{uuid.uuid4().hex[:8]}") as url:
        settings = eager_settings.model_copy(
            update={
                "database": eager_settings.database.model_copy(update={"url": url}),
                "api": eager_settings.api.model_copy(
                    update={"service_tokens": [SecretStr(SERVICE_TOKEN)]}
                ),
                "search": eager_settings.search.model_copy(
                    update={"index_prefix": f"{eager_settings.search.index_prefix}-{package}"}
                ),
                "auth": issuer.settings(),
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


def headers(issuer: LocalIssuer, subject: Subject) -> dict[str, str]:
    """The Authorization header a subject would send (none for the public)."""
    if subject.anoniem:
        return {}
    token = issuer.mint(subject.id, roles=list(subject.rollen), afdeling=subject.afdeling)
    return {"Authorization": f"Bearer {token}"}


def with_dienst(world: Container, subject: Subject) -> Subject:
    """The subject as the API resolves it: the dienst looked up from the afdeling."""
    if subject.afdeling is None:
        return subject
    with world.sessions() as session:
        dienst = session.scalar(
            select(Afdeling.dienst_code).where(Afdeling.code == subject.afdeling)
        )
    return Subject(f"oidc:{subject.id}", subject.rollen, subject.afdeling, dienst)


def add_record(
    world: Container, kenmerk: str, afdeling: str, laag: str, text: str, name: str
) -> tuple[str, str]:
    """A record through the real intake (tasks inline): stored, extracted, indexed."""
    dossier = ensure_dossier(
        world.sessions, world.clock, kenmerk=kenmerk, titel=kenmerk, afdeling=afdeling
    )
    item = world.intake.receive(
        io.BytesIO(text.encode()), name=name, dossier_id=dossier.id, laag=laag
    )
    assert item.record_id is not None, item.reason
    return item.record_id, dossier.id


def refresh(world: Container) -> None:
    assert isinstance(world.index, ElasticsearchIndex)
    world.index.client.indices.refresh(index=world.index.alias)
