# SPDX-License-Identifier: EUPL-1.2
"""The composition root: the one place that picks adapters for the ports.

Only this module (and the CLI that calls it) may import `ingest` and `search`;
an import-linter contract in pyproject.toml keeps the rest of `archief` free
of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from archief.audit.chain import SYSTEEM, Actor
from archief.catalog import db
from archief.catalog.models import Content
from archief.clock import SystemClock
from archief.errors import NotFound
from archief.intake.service import Intake
from archief.ports import Clock, ObjectStore, OcrEngine, SearchDocument, SearchIndex, TaskQueue
from archief.settings import Settings
from archief.storage import build_object_store
from archief.toegang import beleid, organisatie
from ingest.ocr import TesseractOcr
from ingest.queue import CeleryQueue
from ingest.worker import create_celery
from policies.engine import Policy, PolicyTexts
from search.index import ElasticsearchIndex

if TYPE_CHECKING:
    # Only built with an OIDC issuer; imported then (it loads the JWT stack).
    from archief.auth.tokens import TokenVerifier

log = structlog.get_logger(__name__)


@dataclass
class Container:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: ObjectStore
    index: SearchIndex | None
    ocr: OcrEngine
    queue: TaskQueue
    clock: Clock
    policies: beleid.PolicyHolder
    # None when no OIDC issuer is configured: then only service tokens and
    # anonymous callers are accepted.
    tokens: TokenVerifier | None = None

    @property
    def intake(self) -> Intake:
        return self.intake_for(SYSTEEM)

    def intake_for(
        self, actor: Actor, policy: Policy | None = None, queue: TaskQueue | None = None
    ) -> Intake:
        """The intake, handing files in on behalf of `actor` (named in the audit trail).

        `policy` is the live policy the caller already holds (a request has
        it from its access check); without one it is looked up. `queue`
        replaces the container's for the hand-on (a backlog's batches).
        """
        if policy is None:
            with self.sessions() as session:
                policy = self.policies.current(session)
        layers = policy.laag_codes
        return Intake(
            self.sessions,
            self.store,
            queue or self.queue,
            self.clock,
            self.settings.ingest,
            layers,
            actor,
        )

    def checks(self) -> dict[str, Callable[[], str] | None]:
        """Each port's `check`, by name; `None` where the port is not configured."""
        return {
            "database": lambda: db.check(self.engine),
            "objectstore": self.store.check,
            "search": self.index.check if self.index is not None else None,
            "queue": self.queue.check,
            "ocr": self.ocr.check,
        }

    def prepare(self) -> None:
        """Migrate the catalog, seed organisation and policy, create bucket and index."""
        self.migrate()
        ensure_bucket = getattr(self.store, "ensure_bucket", None)
        if ensure_bucket is not None:
            ensure_bucket()
        if self.index is not None:
            self.index.ensure_index()
            if not self.index.is_current():
                # The mapping file changed since the index was built: rebuild
                # it from the catalog and the stores, behind the alias.
                self.index.rebuild(rebuild_documents(self))

    def migrate(self) -> None:
        """Bring the catalog schema up to date and seed what a new catalog needs."""
        db.migrate(self.engine)
        with self.sessions.begin() as session:
            # A new catalog starts with the shipped organisation and policy;
            # later changes go through `archief organisatie load` and
            # `archief policy load` (or PUT /beleid), never silently.
            if organisatie.is_empty(session):
                organisatie.load(
                    session, organisatie.default_text(), by=SYSTEEM, now=self.clock.now()
                )
            if beleid.current_row(session) is None:
                beleid.store(session, PolicyTexts.default(), by=SYSTEEM, now=self.clock.now())

    def close(self) -> None:
        self.engine.dispose()


def rebuild_documents(container: Container) -> Iterator[SearchDocument]:
    """Every indexed record again, from the catalog and the stored page texts."""
    from ingest import process  # noqa: PLC0415  # ingest.process imports this module

    with container.sessions() as session:
        shas = list(session.scalars(select(Content.sha256).where(Content.status == "indexed")))
    for sha in shas:
        try:
            pages = process.page_texts(container, sha)
        except NotFound:
            # The catalog says indexed but a page text is gone from the store:
            # report it and go on, one broken record must not block the rest.
            log.warning("search.rebuild.missing_text", sha256=sha)
            continue
        with container.sessions() as session:
            yield from process.search_documents(sha, process.filed(session, sha), pages)


def _token_verifier(settings: Settings) -> TokenVerifier | None:
    if not settings.auth.issuer:
        return None
    from archief.auth.tokens import TokenVerifier  # noqa: PLC0415

    return TokenVerifier(settings.auth)


def build_container(settings: Settings) -> Container:
    """Wire the adapters the settings select."""
    engine = db.build_engine(settings.database)
    index: SearchIndex | None = (
        ElasticsearchIndex.from_settings(settings.search) if settings.search.url else None
    )
    return Container(
        settings=settings,
        engine=engine,
        sessions=db.session_factory(engine),
        store=build_object_store(settings.objectstore),
        index=index,
        ocr=TesseractOcr(settings.ocr.tesseract_cmd, settings.ocr.languages),
        queue=CeleryQueue(create_celery(settings)),
        clock=SystemClock(),
        policies=beleid.PolicyHolder(),
        tokens=_token_verifier(settings),
    )
