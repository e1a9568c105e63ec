# SPDX-License-Identifier: EUPL-1.2
"""A world for transfer tests: own catalog, index and package map; tokens per subject.

Dossiers get unique kenmerken per test, and every transfer is limited to
the test's own dossiers, so the tests share the world without seeing each
other's records.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from archief.app import create_app
from archief.audit.chain import SYSTEEM
from archief.bewaring import categorie, selectielijst
from archief.catalog.models import Dossier
from archief.composition import Container, build_container
from archief.settings import Settings
from archief.versies import dossier_changed, dossier_state
from search.index import ElasticsearchIndex
from tests.access.conftest import SERVICE_TOKEN, add_record
from tests.conftest import scratch_database
from tests.oidc import LocalIssuer


@pytest.fixture(scope="package")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> LocalIssuer:
    return LocalIssuer(tmp_path_factory.mktemp("oidc"))


@pytest.fixture(scope="package")
def pakketten(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this package's transfers write their bags."""
    return tmp_path_factory.mktemp("overbrenging")


@pytest.fixture(scope="package")
def wereld(
    eager_settings: Settings, container: Container, issuer: LocalIssuer, pakketten: Path
) -> Iterator[Container]:
    """Tasks inline, OIDC from the local issuer, packages under `pakketten`."""
    with scratch_database(eager_settings.database.url, f"test_{uuid.uuid4().hex[:8]}") as url:
        settings = eager_settings.model_copy(
            update={
                "database": eager_settings.database.model_copy(update={"url": url}),
                "api": eager_settings.api.model_copy(
                    update={"service_tokens": [SecretStr(SERVICE_TOKEN)]}
                ),
                "search": eager_settings.search.model_copy(
                    update={"index_prefix": f"{eager_settings.search.index_prefix}-overbrenging"}
                ),
                "auth": issuer.settings(),
                "bewaring": eager_settings.bewaring.model_copy(
                    update={
                        "overbrenging": eager_settings.bewaring.overbrenging.model_copy(
                            update={"map": pakketten}
                        )
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
def client(wereld: Container) -> Iterator[TestClient]:
    with TestClient(create_app(wereld.settings, lambda _s: wereld)) as c:
        yield c


def kenmerk() -> str:
    return f"T-OB-{uuid.uuid4().hex[:8]}"


def afsluiten(
    world: Container, dossier_id: str, *, code: str = "2.1.1", op: date = date(2012, 3, 1)
) -> None:
    """Give the dossier a category and close it on `op`; its records' dates follow."""
    with world.sessions.begin() as session:
        dossier = session.get(Dossier, dossier_id)
        assert dossier is not None
        voor = dossier_state(dossier)
        dossier.categorie, dossier.status, dossier.afgehandeld_op = code, "afgesloten", op
        session.flush()
        now = world.clock.now()
        dossier_changed(session, dossier, voor, actor=SYSTEEM, at=now)
        categorie.derive_dossier(session, dossier, selectielijst.default(), actor=SYSTEEM, at=now)


def record(
    world: Container,
    dossier: str,
    *,
    laag: str = "organisatie",
    name: str = "stuk.txt",
    text: str | None = None,
) -> tuple[str, str]:
    """A record in dossier `dossier` (afdeling wijkzaken) through the real intake."""
    body = text or f"Raadsvoorstel {uuid.uuid4().hex}: herinrichting Vinkhuizen."
    return add_record(world, dossier, "wijkzaken", laag, body, name)


def due(
    world: Container,
    dossier: str,
    n: int = 1,
    *,
    laag: str = "organisatie",
    code: str = "2.1.1",
    op: date = date(2012, 3, 1),
) -> list[str]:
    """`n` records in a closed dossier of category `code`: with 2.1.1, due for transfer."""
    ids = []
    did = ""
    for i in range(n):
        rid, did = record(world, dossier, laag=laag, name=f"stuk-{i}.txt")
        ids.append(rid)
    afsluiten(world, did, code=code, op=op)
    return ids
