# SPDX-License-Identifier: EUPL-1.2
"""Thumbnails for every page, drawn in the sandbox after indexing; page texts in one object.

Drawing: a born-digital page is rendered small by pdftoppm, a scanned page's
own image is downscaled, every frame of an image gets one, hostile files
end in a result or a clear error (never a crash or a hang). Serving: the
record's download right, the audit trail, 404 until a page has one. Storage:
thumbnails and the shared text object live under the content's prefix, so
destruction leaves nothing, and a thumbnail task that comes late writes nothing.
"""

from __future__ import annotations

import base64
import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from archief.catalog.models import AuditEntry, Content, Page
from archief.composition import Container, build_container, rebuild_documents
from archief.errors import ArchiefError
from archief.intake.detect import detect
from archief.intake.service import ensure_dossier
from archief.ports import TASK_EXTRACT
from archief.records import afgeleiden
from archief.settings import QueueSettings, Settings
from archief.storage.common import content_prefixes, derived_key
from archief.storage.s3 import S3ObjectStore
from ingest import process
from ingest.pages import THUMB_BOX
from ingest.priorities import THUMBNAIL_PRIORITY
from ingest.sandbox import Limits, default_sandbox
from ingest.worker import TASK_THUMBNAILS, create_celery
from policies.subject import Subject
from tests.access import conftest as access_world
from tests.access.conftest import headers
from tests.bewaring.vernietiging import test_vernietiging as destruction
from tests.ingest.documents import FONT, pdf
from tests.ingest.hostile import write_corpus
from tests.oidc import LocalIssuer

world = access_world.world
issuer = access_world.issuer
client = access_world.client

ALICE = Subject("alice", ("medewerker",), "wijkzaken")
BOB = Subject("bob", ("medewerker",), "onderwijs")  # another dienst: may not read
ARIE = Subject("arie", ("archivaris",))  # reads the afdeling layer, downloads none of it

LIMITS = Limits(cpu_seconds=10, memory_bytes=768 * 2**20, wall_seconds=20.0)


def _a4_scan(text: str) -> Image.Image:
    """A page scanned at 150 dpi: A4-shaped, dark text in the top half."""
    img = Image.new("L", (1240, 1754), 250)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 60)
    for i in range(8):
        draw.text((100, 150 + 90 * i), f"{text} {i}", font=font, fill=20)
    return img


def _draw(
    path: Path, tmp: Path, media_type: str, first: int = 1, last: int = 50
) -> dict[str, object]:
    result = default_sandbox().run(
        "ingest.pages:thumbnails",
        str(path),
        str(tmp / f"thumbs-{uuid.uuid4().hex[:6]}"),
        media_type,
        first,
        last,
        5000,
        limits=LIMITS,
    )
    assert isinstance(result, dict)
    return result


def _images(result: dict[str, object]) -> dict[int, Image.Image]:
    pages = result["pages"]
    assert isinstance(pages, list)
    out = {}
    for page in pages:
        with Image.open(page["image"]) as img:
            assert img.format == "PNG"
            out[int(page["number"])] = img.copy()
    return out


def _ink(img: Image.Image) -> float:
    """Share of pixels darker than paper: 0 for an empty page (small text draws light grey)."""
    histogram = img.convert("L").histogram()
    return sum(histogram[:240]) / (img.width * img.height)


# --- drawing, in the sandbox -------------------------------------------------------


def test_every_page_of_a_born_digital_pdf_is_drawn_small(tmp_path: Path) -> None:
    texts = [f"Pagina {n}: besluit over de kademuur.\n" * 30 for n in range(1, 4)] + [""]
    path = pdf(texts, tmp_path / "nota.pdf")
    result = _draw(path, tmp_path, "application/pdf")
    assert result["count"] == 4
    images = _images(result)
    assert sorted(images) == [1, 2, 3, 4]
    for img in images.values():
        assert img.mode == "L"
        assert img.size == (320, THUMB_BOX)  # A4 in the box
    assert all(_ink(images[n]) > 0.001 for n in (1, 2, 3))
    assert _ink(images[4]) == 0  # the blank page is drawn blank, not left out


def test_scanned_pages_are_downscaled_and_turned_as_shown(tmp_path: Path) -> None:
    path = pdf([_a4_scan("Gescande brief"), _a4_scan("Tweede blad")], tmp_path / "scan.pdf")
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.pages[1].rotate(90)  # shown landscape
    with (tmp_path / "gedraaid.pdf").open("wb") as f:
        writer.write(f)
    images = _images(_draw(tmp_path / "gedraaid.pdf", tmp_path, "application/pdf"))
    assert images[1].size == (320, THUMB_BOX)
    assert images[2].size == (THUMB_BOX, 320)
    # The text sits in the top half of the scan: after a quarter turn clockwise
    # it sits in the right half of the thumbnail.
    first, second = images[1], images[2]
    assert _ink(first.crop((0, 0, 320, 226))) > 5 * _ink(first.crop((0, 226, 320, THUMB_BOX)))
    assert _ink(second.crop((226, 0, THUMB_BOX, 320))) > 5 * _ink(second.crop((0, 0, 226, 320)))


def test_a_chunk_draws_only_its_pages(tmp_path: Path) -> None:
    path = pdf([f"Blad {n} van het verslag." for n in range(1, 6)], tmp_path / "lang.pdf")
    result = _draw(path, tmp_path, "application/pdf", first=2, last=3)
    assert result["count"] == 5
    assert sorted(_images(result)) == [2, 3]
    assert _draw(path, tmp_path, "application/pdf", first=6, last=9)["pages"] == []


def test_every_frame_of_a_tiff_and_nothing_for_text(tmp_path: Path) -> None:
    frames = [_a4_scan("Fax blad een"), _a4_scan("Fax blad twee").point(lambda v: 255 - v)]
    frames[0].save(tmp_path / "fax.tif", save_all=True, append_images=frames[1:])
    images = _images(_draw(tmp_path / "fax.tif", tmp_path, "image/tiff"))
    assert sorted(images) == [1, 2]
    assert _ink(images[2]) > _ink(images[1])  # the second frame is the negative
    (tmp_path / "brief.txt").write_text("Geen plaatjes.", encoding="utf-8")
    assert _draw(tmp_path / "brief.txt", tmp_path, "text/plain") == {"count": 0, "pages": []}


def test_hostile_files_that_can_be_indexed_end_in_thumbnails_or_a_clear_error(
    tmp_path: Path,
) -> None:
    cases = [c for c in write_corpus(tmp_path / "corpus") if "indexed" in c.expect]
    assert len(cases) >= 10
    drawn = 0
    for case in cases:
        data = case.path.read_bytes()
        if not data:
            continue
        try:
            media_type = detect(data[:8192], whole=len(data) <= 8192)
        except ArchiefError:
            continue  # never stored as a drawable type
        try:
            result = _draw(case.path, tmp_path, media_type)
        except ArchiefError as exc:
            assert exc.code, case.name  # a classified failure: limit, corrupt, ...
            continue
        assert isinstance(result["pages"], list), case.name
        drawn += len(result["pages"])
    assert drawn > 0


# --- the pipeline: thumbnails after indexing, texts in one object -----------------------


def _dossier(c: Container) -> str:
    kenmerk = f"T-THUMB-{uuid.uuid4().hex[:8]}"
    return ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    ).id


def _ingest(c: Container, path: Path, dossier_id: str) -> tuple[str, str]:
    with path.open("rb") as f:
        item = c.intake.receive(f, name=path.name, dossier_id=dossier_id, laag="afdeling")
    assert item.record_id is not None and item.sha256 is not None, item.reason
    return item.record_id, item.sha256


def test_ingest_stores_texts_once_and_a_thumbnail_per_page(
    world: Container, tmp_path: Path
) -> None:
    word = "kademuur" + uuid.uuid4().hex[:6]
    pages: list[str | Image.Image] = [
        f"Besluitnota {word}.\nHet college besluit.",
        _a4_scan("Bijlage gescand"),
        "Derde blad met de planning.",
    ]
    _rid, sha = _ingest(world, pdf(pages, tmp_path / "gemengd.pdf"), _dossier(world))
    with world.sessions() as session:
        rows = list(session.scalars(select(Page).where(Page.sha256 == sha).order_by(Page.number)))
        content = session.get(Content, sha)
        assert content is not None and content.status == "indexed"
    assert [(p.source, p.text_key) for p in rows] == [
        ("text", derived_key(sha, "text.json")),
        ("ocr", derived_key(sha, "page-0002.txt")),
        ("text", derived_key(sha, "text.json")),
    ]
    keys = set(world.store.list_keys(derived_key(sha, "")))
    assert {afgeleiden.thumbnail_key(sha, n) for n in (1, 2, 3)} <= keys
    assert not any(k.endswith(("page-0001.txt", "page-0003.txt")) for k in keys)
    # Every reader finds every page: finalize's, export-text's and reindex's reader ...
    texts = {p.number: p.text for p in process.page_texts(world, sha)}
    assert word in texts[1] and "planning" in texts[3] and "gescand" in texts[2].lower()
    rebuilt = [d for d in rebuild_documents(world) if d.sha256 == sha]
    assert rebuilt and {p.number for p in rebuilt[0].pages} == {1, 2, 3}
    # ... and a redelivered thumbnail task draws nothing again.
    before = world.store.stat(afgeleiden.thumbnail_key(sha, 1))
    assert process.thumbnails(world, sha) is None
    assert world.store.stat(afgeleiden.thumbnail_key(sha, 1)).version_id == before.version_id


def test_the_pages_api_reads_shared_and_single_page_texts(
    world: Container, client: TestClient, issuer: LocalIssuer, tmp_path: Path
) -> None:
    pages: list[str | Image.Image] = ["Eerste blad over de sluis.", _a4_scan("Tweede blad")]
    rid, _sha = _ingest(world, pdf(pages, tmp_path / "sluis.pdf"), _dossier(world))
    resp = client.get(f"/records/{rid}/pages", headers=headers(issuer, ALICE))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [(p["number"], p["source"]) for p in body] == [(1, "text"), (2, "ocr")]
    assert "sluis" in body[0]["text"]
    assert "blad" in body[1]["text"].lower()
    # Review and turn are the page's own (a text layer page is never reviewed).
    below = body[1]["confidence"] < world.settings.ingest.review_threshold
    assert [(p["needs_review"], p["turned"]) for p in body] == [(False, 0), (below, 0)]


# --- serving -------------------------------------------------------------------------


def _audited(world: Container, rid: str) -> list[dict[str, object]]:
    with world.sessions() as session:
        return [
            e.details or {}
            for e in session.scalars(
                select(AuditEntry)
                .where(AuditEntry.object_id == rid, AuditEntry.actie == "record.gedownload")
                .order_by(AuditEntry.seq)
            )
        ]


def test_page_thumbnails_are_served_with_download_rights_and_audited(
    world: Container, client: TestClient, issuer: LocalIssuer, tmp_path: Path
) -> None:
    path = pdf([f"Blad {n} van de nota over de brug." for n in range(1, 4)], tmp_path / "drie.pdf")
    rid, _sha = _ingest(world, path, _dossier(world))
    alice, bob = headers(issuer, ALICE), headers(issuer, BOB)
    for route in (f"/records/{rid}/thumbnail", f"/records/{rid}/pages/2/thumbnail"):
        resp = client.get(route, headers=alice)
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(resp.content)).size == (320, THUMB_BOX)
        # Someone who may not read the record cannot tell it exists.
        denied = client.get(route, headers=bob)
        assert (denied.status_code, denied.json()["code"]) == (404, "not_found")
        # A thumbnail is a derivative: reading the record is not enough.
        forbidden = client.get(route, headers=headers(issuer, ARIE))
        assert (forbidden.status_code, forbidden.json()["code"]) == (403, "forbidden")
    assert client.get(f"/records/{rid}/pages/1/thumbnail", headers=alice).content == (
        client.get(f"/records/{rid}/thumbnail", headers=alice).content
    )
    missing = client.get(f"/records/{rid}/pages/4/thumbnail", headers=alice)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["code"] == "not_found"
    assert client.get(f"/records/{rid}/pages/0/thumbnail", headers=alice).status_code == 422
    assert _audited(world, rid) == [
        {"versie": 1, "afgeleide": "thumbnail"},
        {"versie": 1, "afgeleide": "thumbnail", "pagina": 2},
        {"versie": 1, "afgeleide": "thumbnail", "pagina": 1},
        {"versie": 1, "afgeleide": "thumbnail"},
    ]


def test_contents_from_before_per_page_thumbnails_keep_their_first_page(
    world: Container, client: TestClient, issuer: LocalIssuer, tmp_path: Path
) -> None:
    rid, sha = _ingest(
        world,
        pdf(["Een oud stuk over de haven.", "Blad twee over de haven."], tmp_path / "oud.pdf"),
        _dossier(world),
    )
    legacy = io.BytesIO()
    Image.new("L", (10, 14), 0).save(legacy, format="PNG")
    for n in (1, 2):
        world.store.delete(afgeleiden.thumbnail_key(sha, n))
    world.store.put(derived_key(sha, "thumbnail.png"), io.BytesIO(legacy.getvalue()))
    alice = headers(issuer, ALICE)
    for route in (f"/records/{rid}/thumbnail", f"/records/{rid}/pages/1/thumbnail"):
        resp = client.get(route, headers=alice)
        assert (resp.status_code, resp.content) == (200, legacy.getvalue())
    assert client.get(f"/records/{rid}/pages/2/thumbnail", headers=alice).status_code == 404


# --- destruction, and thumbnail work that comes too late -------------------------------------


def test_destruction_leaves_no_thumbnail_and_late_work_writes_none(
    world: Container, client: TestClient, issuer: LocalIssuer, tmp_path: Path
) -> None:
    assert isinstance(world.store, S3ObjectStore)
    dossier = destruction._dossier(world)
    rid, sha = _ingest(
        world,
        pdf(["Een stuk om te vernietigen.", "Blad twee, ook weg."], tmp_path / "weg.pdf"),
        dossier,
    )
    assert set(world.store.list_keys(derived_key(sha, "thumbnail-"))) == {
        afgeleiden.thumbnail_key(sha, 1),
        afgeleiden.thumbnail_key(sha, 2),
    }
    destruction._close_long_ago(world, dossier)
    lijst = destruction._propose(client, issuer, [dossier])
    lid = str(lijst["id"])
    assert destruction._review(client, issuer, lid, destruction.LOES, "leidinggevende")[0] == 201
    assert destruction._review(client, issuer, lid, destruction.AAD, "archivaris")[0] == 201
    destruction._cool_off_passed(world, lid)
    resp = client.post(
        f"/vernietigingslijsten/{lid}/uitvoering", headers=headers(issuer, destruction.ARIE)
    )
    assert resp.status_code == 200, resp.text
    for prefix in content_prefixes(sha):
        left = list(
            world.store.client.list_objects(
                world.store.bucket, prefix=prefix, recursive=True, include_version=True
            )
        )
        assert left == [], prefix
    # A thumbnail task still queued (or redelivered) finds the content destroyed.
    assert process.thumbnails(world, sha) is None
    drawn = tmp_path / "laat.png"
    Image.new("L", (4, 4), 0).save(drawn)
    process._store_thumbnails(world, sha, [(1, drawn)])
    assert list(world.store.list_keys(derived_key(sha, ""))) == []
    resp = client.get(f"/records/{rid}/pages/1/thumbnail", headers=headers(issuer, ALICE))
    assert (resp.status_code, resp.json()["code"]) == (410, "vernietigd")


# --- the queue: thumbnails wait behind everything else --------------------------------


@pytest.fixture
def queued(settings: Settings, container: Container) -> Iterator[Container]:
    # Redis database 11 is this test's own; no worker consumes it.
    url = (settings.queue.broker_url or "").rsplit("/", 1)[0] + "/11"
    c = build_container(settings.model_copy(update={"queue": QueueSettings(broker_url=url)}))
    r = redis.Redis.from_url(url)
    r.flushdb()
    yield c
    r.flushdb()
    c.close()


def test_thumbnails_are_queued_behind_extraction_a_chunk_at_a_time(
    queued: Container, tmp_path: Path
) -> None:
    r = redis.Redis.from_url(queued.settings.queue.broker_url or "")
    count = process.THUMBNAIL_CHUNK + 7
    texts = [f"Blad {n} van de nota over de rij bomen." for n in range(1, count + 1)]
    _rid, sha = _ingest(queued, pdf(texts, tmp_path / "rij.pdf"), _dossier(queued))

    def lists() -> dict[Any, list[Any]]:  # redis-py types replies as bytes | str
        return {k: r.lrange(k, 0, -1) for k in r.keys("celery*") if r.type(k) == b"list"}

    (extract,) = lists()[b"celery"]  # the intake queued the extraction, at priority 0
    assert TASK_EXTRACT.encode() in extract and sha.encode() in extract
    # A worker runs it (here, in this process): indexed, then the thumbnails are
    # queued on a list of their own, which kombu only BRPOPs after the first.
    app = create_celery(queued.settings)
    app.tasks[TASK_EXTRACT].apply(args=(sha,)).get()
    queues = lists()
    assert queues.pop(b"celery") == [extract]
    ((low, (thumbs,)),) = queues.items()
    assert low.startswith(b"celery") and str(THUMBNAIL_PRIORITY).encode() in low
    assert TASK_THUMBNAILS.encode() in thumbs and sha.encode() in thumbs
    # The first chunk is drawn, and the rest queued anew behind whatever came in.
    r.delete(low)
    app.tasks[TASK_THUMBNAILS].apply(args=(sha,)).get()
    drawn = set(queued.store.list_keys(derived_key(sha, "thumbnail-")))
    assert drawn == {
        afgeleiden.thumbnail_key(sha, n) for n in range(1, process.THUMBNAIL_CHUNK + 1)
    }
    ((again, (rest,)),) = ((k, v) for k, v in lists().items() if k != b"celery")
    assert again == low
    message = json.loads(rest)
    args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    assert (message["headers"]["task"], args) == (
        TASK_THUMBNAILS,
        [sha, process.THUMBNAIL_CHUNK + 1],
    )
    app.tasks[TASK_THUMBNAILS].apply(args=(sha, process.THUMBNAIL_CHUNK + 1)).get()
    assert len(set(queued.store.list_keys(derived_key(sha, "thumbnail-")))) == count
