# SPDX-License-Identifier: EUPL-1.2
"""A world for access tests: its own catalog and index, a local OIDC issuer, tokens per subject."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from archief.app import create_app
from archief.catalog.models import Afdeling, IngestItem
from archief.composition import Container, build_container
from archief.intake import batches, bulk
from archief.intake.service import Intake, Ontvangen, ensure_dossier
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


def add_backlog(
    world: Container,
    directory: Path,
    kenmerk: str,
    laag: str,
    count: int,
    monkeypatch: pytest.MonkeyPatch,
) -> list[str]:
    """`count` records through `archief ingest`'s path, in one group; their ids, in file order."""
    dossier = ensure_dossier(
        world.sessions, world.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    )
    monkeypatch.setattr(world.settings.ingest, "hand_on_batch", count)
    monkeypatch.setattr(world.settings.ingest, "hand_on_linger_seconds", 3600.0)
    monkeypatch.setattr(batches, "SPREAD", 1)
    groups: list[int] = []
    together = Intake._catalog_together

    def spy(self: Intake, received: Sequence[Ontvangen]) -> object:
        groups.append(len(received))
        return together(self, received)

    monkeypatch.setattr(Intake, "_catalog_together", spy)
    files = []
    for n in range(count):
        path = directory / f"{kenmerk}-{n:02d}.txt"
        path.write_text(f"Stuk {n} van {kenmerk}: {uuid.uuid4().hex}.", encoding="utf-8")
        files.append(path)
    summary = bulk.ingest_paths(world, files, dossier_id=dossier.id, laag=laag)
    assert groups == [count], "catalogued as one group"
    assert summary.stored == count, summary.failed
    with world.sessions() as session:
        items = session.scalars(select(IngestItem).where(IngestItem.id.in_(summary.item_ids)))
        record_of = {item.id: item.record_id for item in items}
    # In the order the files came.
    ids = [record_of[item_id] for item_id in summary.item_ids]
    assert all(ids)
    return [i for i in ids if i is not None]


def refresh(world: Container) -> None:
    assert isinstance(world.index, ElasticsearchIndex)
    world.index.client.indices.refresh(index=world.index.alias)
