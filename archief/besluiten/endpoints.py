# SPDX-License-Identifier: EUPL-1.2
"""HTTP endpoints of the besluitnota workflow and of track and trace.

Writes go through `service` in one unit of work per request; reads go
through `tijdlijn`, which shows each caller exactly the steps, records and
versions the policy lets them read. See docs/besluiten.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from archief.besluiten import feed, flow, service, tijdlijn
from archief.besluiten.schemas import (
    BesluitIn,
    BesluitOut,
    DossierTijdlijn,
    KenmerkOut,
    StapAntwoord,
    StapIn,
    StapOut,
)
from archief.toegang.deps import CurrentAccess

router = APIRouter(tags=["besluiten"])

BesluitId = Annotated[str, Path(max_length=36)]


@router.post("/besluiten", status_code=201)
def create(request: Request, access: CurrentAccess, body: BesluitIn) -> BesluitOut:
    """Put a memo forward: a besluit in a dossier, drafted by you (step `opgesteld`)."""
    container = request.app.state.container
    with container.sessions.begin() as session:
        besluit, _ = service.create(
            session,
            access,
            dossier_kenmerk=body.dossier,
            onderwerp=body.onderwerp,
            nota_id=body.nota,
            now=container.clock.now(),
            kenmerk=body.kenmerk,
            steller_naam=body.steller_naam,
            datum=body.datum,
            toelichting=body.toelichting,
        )
        # Its one step and its memo are the caller's own: they see all of it.
        view = tijdlijn.besluit_view(session, besluit, tijdlijn.alles)
    assert view is not None  # a new besluit has its first step
    return view


@router.post("/besluiten/{besluit_id}/stappen", status_code=201)
def add_step(
    request: Request, access: CurrentAccess, besluit_id: BesluitId, body: StapIn
) -> StapAntwoord:
    """Record the next step: a paraaf, a return, a decision, the publication."""
    container = request.app.state.container
    with container.sessions.begin() as session:
        besluit, stap = service.add_step(
            session,
            access,
            besluit_id,
            service.StapData(
                soort=body.soort,
                uitkomst=body.uitkomst,
                datum=body.datum,
                toelichting=body.toelichting,
                records=body.records,
            ),
            now=container.clock.now(),
        )
        # The actor just took this step; they see it, whatever its layer.
        records = tijdlijn.readable_records(session, besluit, stap.records, tijdlijn.zicht(access))
        return StapAntwoord(
            besluit=tijdlijn.besluit_ref(besluit),
            stap=tijdlijn.stap_out(stap, besluit.fase, records),
            fase=besluit.fase,
            volgende=flow.volgende(besluit.fase),
        )


@router.get("/besluiten/{besluit_id}")
def get_besluit(request: Request, access: CurrentAccess, besluit_id: BesluitId) -> BesluitOut:
    """The besluit with every step you may see; the steller's name is always on it."""
    with request.app.state.container.sessions() as session:
        return tijdlijn.besluit_or_404(session, besluit_id, tijdlijn.zicht(access))


@router.get("/besluiten/{besluit_id}/tijdlijn")
def besluit_tijdlijn(
    request: Request, access: CurrentAccess, besluit_id: BesluitId
) -> list[StapOut]:
    """The steps you may see, in order, each with the linked records you may read."""
    with request.app.state.container.sessions() as session:
        return tijdlijn.besluit_or_404(session, besluit_id, tijdlijn.zicht(access)).stappen


@router.get(
    "/besluiten/{besluit_id}/tijdlijn.atom",
    response_class=Response,
    responses={200: {"content": {feed.MEDIA_TYPE: {}}, "description": "An Atom 1.0 feed"}},
)
def besluit_atom(request: Request, access: CurrentAccess, besluit_id: BesluitId) -> Response:
    """The same steps as an Atom feed (no token: the published steps, for any website)."""
    with request.app.state.container.sessions() as session:
        view = tijdlijn.besluit_or_404(session, besluit_id, tijdlijn.zicht(access))
    return Response(feed.render(view, str(request.base_url)), media_type=feed.MEDIA_TYPE)


@router.get("/dossiers/{dossier_id}/tijdlijn", tags=["dossiers"])
def dossier_tijdlijn(
    request: Request, access: CurrentAccess, dossier_id: Annotated[str, Path(max_length=36)]
) -> DossierTijdlijn:
    """Besluit steps and record history of a dossier, each as far as you may see it."""
    with request.app.state.container.sessions() as session:
        dossier, events = tijdlijn.dossier_or_404(session, access, dossier_id)
        return DossierTijdlijn(dossier=tijdlijn.dossier_ref(dossier), events=events)


# `:path`: a kenmerk may hold a slash (2026/0412).
@router.get("/kenmerk/{kenmerk:path}")
def kenmerk(
    request: Request, access: CurrentAccess, kenmerk: Annotated[str, Path(max_length=64)]
) -> KenmerkOut:
    """What a kenmerk names (a dossier or a besluit) and where to find it."""
    with request.app.state.container.sessions() as session:
        return tijdlijn.lookup(session, access, kenmerk)
