# SPDX-License-Identifier: EUPL-1.2
"""The FastAPI app factory; adapters are wired in its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from archief import __version__, health, problems
from archief.audit import endpoints as audit
from archief.besluiten import endpoints as besluiten
from archief.bewaring import categorie_endpoints as categorieen
from archief.bewaring import endpoints as bewaring
from archief.bewaring.overbrenging import endpoints as overbrenging
from archief.bewaring.vernietiging import endpoints as vernietiging
from archief.composition import Container, build_container
from archief.dossiers import endpoints as dossiers
from archief.dossiers import wijzigen as dossier_wijzigen
from archief.intake import endpoints as intake
from archief.intake.batches import BatchingQueue, Flusher
from archief.publiek import pages as publiek
from archief.publiek import rappel, reacties
from archief.reconstructie import endpoints as reconstructie
from archief.records import endpoints as records
from archief.records import suggesties, wijzigen
from archief.settings import Settings
from archief.toegang import endpoints as toegang

log = structlog.get_logger(__name__)


def create_app(
    settings: Settings, container_factory: Callable[[Settings], Container] = build_container
) -> FastAPI:
    """Build the API for these settings."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = container_factory(settings)
        app.state.container = container
        flusher = _hand_on_in_batches(container, settings)
        log.info("api.started", environment=settings.environment)
        try:
            yield
        finally:
            if flusher is not None:
                flusher.stop()
                container.queue = flusher.batches.queue
            container.close()

    app = FastAPI(
        title="archief",
        version=__version__,
        summary="Het geheugen van de gemeente: dossiers, records, search and retention.",
        lifespan=lifespan,
    )
    problems.install(app)
    app.include_router(health.router)
    app.include_router(records.router)
    app.include_router(wijzigen.router)
    app.include_router(suggesties.router)
    app.include_router(intake.router)
    app.include_router(dossiers.router)
    app.include_router(dossier_wijzigen.router)
    app.include_router(toegang.router)
    app.include_router(besluiten.router)
    app.include_router(reconstructie.router)
    app.include_router(audit.router)
    app.include_router(bewaring.router)
    app.include_router(categorieen.router)
    app.include_router(vernietiging.router)
    app.include_router(overbrenging.router)
    # Before publiek.router: it ends in a catch-all for /publiek/*.
    app.include_router(reacties.router)
    app.include_router(rappel.router)
    app.include_router(publiek.router)
    return app


def _hand_on_in_batches(container: Container, settings: Settings) -> Flusher | None:
    """Uploads in quick succession go to the workers together (archief.intake.batches).

    Not without a broker: tasks then run inline, and an upload is read
    before its answer, which batching would defer to the flusher's thread.
    """
    ingest = settings.ingest
    if not settings.queue.broker_url or ingest.hand_on_batch <= 1:
        return None
    batches = BatchingQueue(
        container.queue, size=ingest.hand_on_batch, linger=ingest.api_hand_on_linger_seconds
    )
    container.queue = batches
    flusher = Flusher(batches)
    flusher.start()
    return flusher
