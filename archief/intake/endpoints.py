# SPDX-License-Identifier: EUPL-1.2
"""HTTP intake: a streamed multipart upload, and the status of what was handed in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import StringConstraints
from sqlalchemy.orm import Session
from starlette import status

from archief.audit.chain import Actor
from archief.catalog.models import Dossier, IngestItem
from archief.errors import ArchiefError, Forbidden, NotFound
from archief.intake.multipart import BadUpload, receive_multipart
from archief.intake.repository import items_with_content, progress_by_content
from archief.intake.schemas import ItemOut, ItemsOut
from archief.intake.service import SpoolWriter, TooLarge
from archief.records import repository as records
from archief.toegang import organisatie
from archief.toegang.access import Access
from archief.toegang.deps import CurrentAccess
from policies.subject import Target

router = APIRouter(prefix="/ingest", tags=["ingest"])


class Unauthenticated(ArchiefError):
    code = "unauthenticated"
    status = 401
    title = "Niet aangemeld"


def _may_hand_in(access: Access) -> None:
    """Refuse before reading a byte of the body when the caller can write nowhere."""
    if access.subject.anoniem:
        raise Unauthenticated("uploads need a bearer token (a user or a service)")
    if not access.grants("write"):
        raise Forbidden("your roles may not add records anywhere")


def _target(request: Request, access: Access, kenmerk: str, laag: str) -> str:
    """The dossier id, if the caller may add records to this layer of it."""
    with request.app.state.container.sessions() as session:
        dossier = records.dossier_by_kenmerk(session, kenmerk)
        if dossier is None:
            raise NotFound(f"no dossier with kenmerk {kenmerk}")
        if access.policy.laag(laag) is None:
            raise BadUpload(f"unknown layer {laag!r}; known: {', '.join(access.policy.laag_codes)}")
        dienst = organisatie.dienst_of(session, dossier.afdeling) or ""
        where = Target(laag, dossier.afdeling, dienst)
        if not access.can(where, "write"):
            elsewhere = (
                Target(code, where.afdeling, where.dienst) for code in access.policy.laag_codes
            )
            if not any(access.can(t, "write") for t in elsewhere):
                # Not theirs at all: do not confirm that the kenmerk exists.
                raise NotFound(f"no dossier with kenmerk {kenmerk}")
            raise Forbidden(f"you may not add records to layer {laag!r} of dossier {kenmerk}")
        return dossier.id


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def upload(request: Request, access: CurrentAccess) -> ItemOut:
    """Hand in one file (multipart field `file`, plus `dossier` kenmerk and `laag`)."""
    _may_hand_in(access)
    container = request.app.state.container
    limit = container.settings.ingest.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise TooLarge(f"larger than the limit of {limit} bytes")
    writer = SpoolWriter(container.settings.ingest.spool_dir, limit)
    try:
        fields, filename = await receive_multipart(request, writer)
        spooled = writer.finish()
        kenmerk, laag = fields.get("dossier", ""), fields.get("laag", "")
        if not kenmerk or not laag:
            raise BadUpload("the fields `dossier` (kenmerk) and `laag` are required")
        dossier_id = await run_in_threadpool(_target, request, access, kenmerk, laag)
        item = await run_in_threadpool(
            container.intake_for(Actor.of(access.subject), access.policy).receive_spooled,
            spooled,
            name=filename,
            dossier_id=dossier_id,
            laag=laag,
            titel=fields.get("titel") or None,
        )
    finally:
        writer.discard()
    view = await run_in_threadpool(_view, container, item.id, access)
    if view.status == "failed" and view.reason_code in REFUSED:
        # Refused at the door: say so as a problem, but the item (and, where
        # there were bytes, the quarantined original) is kept and pollable.
        raise Refused(
            view.reason_code or "", view.reason or "", item_id=view.id, quarantined=view.quarantined
        )
    return view


class Refused(ArchiefError):
    """A file refused at intake; the item stays, with its reason."""

    title = "Bestand geweigerd"

    def __init__(self, code: str, detail: str, **extra: object) -> None:
        super().__init__(detail, **extra)
        self.code = code
        self.status = REFUSED[code]


# Failures intake itself detects, with the HTTP status each gets.
REFUSED = {"empty_file": 422, "unsupported_type": 415}


# One poll for a batch: a scanner station that handed in a hundred files asks
# after all of them at once, not in a hundred requests. Bounded so one request
# stays one cheap round of queries.
MAX_POLLED = 200
ITEM_ID_LENGTH = 36


@router.get("/items")
async def items_status(
    request: Request,
    access: CurrentAccess,
    ids: Annotated[
        list[Annotated[str, StringConstraints(max_length=ITEM_ID_LENGTH)]],
        Query(alias="id", min_length=1, max_length=MAX_POLLED, description="item ids"),
    ],
) -> ItemsOut:
    """The status of several handed-in files; `unknown` names the ids you cannot follow.

    An id that does not exist and one the caller may not follow are told
    apart by nothing, as with `GET /ingest/items/{id}`.
    """
    wanted = list(dict.fromkeys(ids))
    views = await run_in_threadpool(_views, request.app.state.container, wanted, access)
    found = {v.id for v in views}
    return ItemsOut(items=views, unknown=[i for i in wanted if i not in found])


@router.get("/items/{item_id}")
async def item_status(request: Request, item_id: str, access: CurrentAccess) -> ItemOut:
    """The status of one handed-in file: received → stored → extracting → ocr → indexed."""
    return await run_in_threadpool(_view, request.app.state.container, item_id, access)


def _view(container: Any, item_id: str, access: Access | None = None) -> ItemOut:
    views = _views(container, [item_id], access)
    if not views:
        raise NotFound(f"no ingest item {item_id}")
    return views[0]


def _views(container: Any, item_ids: Sequence[str], access: Access | None) -> list[ItemOut]:
    """The items the caller may follow, in the order asked.

    Two queries however many items, and for a caller who may not follow
    every item, two more per dossier the items are in (see _Follow).
    """
    with container.sessions() as session:
        found = items_with_content(session, item_ids)
        rows = [found[i] for i in item_ids if i in found]
        if access is not None:
            may = _Follow(session, access)
            rows = [(item, content) for item, content in rows if may(item)]
        shas = sorted({item.sha256 for item, _ in rows if item.sha256})
        pages = progress_by_content(session, shas) if shas else {}
        views = []
        for item, content in rows:
            done, total = pages.get(item.sha256 or "", (0, 0))
            views.append(ItemOut.from_rows(item, content, pages_done=done, pages_total=total))
        return views


class _Follow:
    """Who may follow an item: an item names a file and its dossier, so who may add there.

    Readers have no business with intake: an item can be a refused,
    quarantined file that never became a record they may see. Asked once
    per dossier and layer, however many of a batch's items share them.
    """

    def __init__(self, session: Session, access: Access) -> None:
        self.session, self.access = session, access
        self.everything = access.may("intake_volgen")
        self.seen: dict[tuple[str, str], bool] = {}

    def __call__(self, item: IngestItem) -> bool:
        if self.everything:
            return True
        key = (item.dossier_id, item.laag)
        if key not in self.seen:
            self.seen[key] = self._may(*key)
        return self.seen[key]

    def _may(self, dossier_id: str, laag: str) -> bool:
        dossier = self.session.get(Dossier, dossier_id)
        if dossier is None:
            return False
        dienst = organisatie.dienst_of(self.session, dossier.afdeling) or ""
        return self.access.can(Target(laag, dossier.afdeling, dienst), "write")
