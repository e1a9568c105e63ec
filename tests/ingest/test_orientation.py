# SPDX-License-Identifier: EUPL-1.2
"""Scans stored on their side are read upright: PDF /Rotate, EXIF orientation, or neither.

A scanner that turns a page by setting /Rotate, and a phone that tags a photo
with its orientation, both leave the pixels sideways or upside down; the
image handed to tesseract must be the page as a person sees it.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject
from sqlalchemy import select

from archief.catalog.models import Page
from archief.composition import Container, build_container
from archief.errors import ArchiefError, PortError
from archief.intake.service import ensure_dossier
from archief.ports import OcrResult
from archief.records import afgeleiden
from archief.settings import Settings
from ingest import pages, process
from ingest.ocr import OcrTimeout, TesseractOcr
from tests.ingest.documents import pdf, scan

LINES = ["Het college besluit de kastanjebomen", "aan de Vondellaan te behouden."]
WORDS = ("kastanjebomen", "Vondellaan")


def _read(image: str) -> str:
    return TesseractOcr().recognize_file(Path(image)).text


@pytest.fixture(scope="module")
def upright() -> Image.Image:
    return scan(LINES, noise=False)


@pytest.mark.parametrize("rotation", [90, 180, 270, -90])
def test_a_pdf_page_with_rotate_is_read_as_shown(
    upright: Image.Image, rotation: int, tmp_path: Path
) -> None:
    # Stored turned back (counter-clockwise), so that /Rotate shows it upright.
    stored = upright.rotate(rotation, expand=True)
    flat = pdf([stored], tmp_path / "plat.pdf")
    writer = PdfWriter(clone_from=PdfReader(flat))
    writer.pages[0][NameObject("/Rotate")] = NumberObject(rotation)
    writer.write(tmp_path / "gedraaid.pdf")

    plan = pages.analyze(
        str(tmp_path / "gedraaid.pdf"), str(tmp_path / "werk"), "application/pdf", 5
    )

    [page] = plan["pages"]
    text = _read(page["image"])
    for word in WORDS:
        assert word in text, text


@pytest.mark.parametrize(("orientation", "stored_turn"), [(3, 180), (6, 90), (8, 270)])
def test_a_photo_is_read_by_its_exif_orientation(
    upright: Image.Image, orientation: int, stored_turn: int, tmp_path: Path
) -> None:
    # Orientation 6 says "turn 90° clockwise to view": the pixels are stored
    # turned 90° counter-clockwise, as a phone held sideways takes them.
    stored = upright.rotate(stored_turn, expand=True)
    exif = Image.Exif()
    exif[0x0112] = orientation
    photo = tmp_path / "foto.jpg"
    stored.save(photo, format="JPEG", quality=90, exif=exif)

    plan = pages.analyze(str(photo), str(tmp_path / "werk"), "image/jpeg", 5)

    [page] = plan["pages"]
    assert page["image"] != str(photo)
    text = _read(page["image"])
    for word in WORDS:
        assert word in text, text


def test_an_upright_photo_is_handed_on_as_it_is(upright: Image.Image, tmp_path: Path) -> None:
    photo = tmp_path / "foto.jpg"
    upright.save(photo, format="JPEG", quality=90)

    plan = pages.analyze(str(photo), str(tmp_path / "werk"), "image/jpeg", 5)

    # No re-encoding of a page that needs no turning.
    assert plan["pages"] == [{"number": 1, "image": str(photo)}]


def test_a_photo_thumbnail_is_drawn_as_it_is_read(upright: Image.Image, tmp_path: Path) -> None:
    # A wide page, stored turned on its side (tall pixels), tagged "turn 90° clockwise".
    assert upright.width > upright.height
    stored = upright.rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = tmp_path / "foto.jpg"
    stored.save(photo, format="JPEG", quality=90, exif=exif)

    drawn = pages.thumbnails(str(photo), str(tmp_path / "duim"), "image/jpeg", 1, 1, 5)

    [thumb] = drawn["pages"]
    with Image.open(thumb["image"]) as img:
        assert img.width > img.height  # wide, as the page is seen


def test_a_pdf_thumbnail_is_drawn_as_the_page_is_shown(
    upright: Image.Image, tmp_path: Path
) -> None:
    # A wide page stored on its side (tall pixels), shown upright by /Rotate 90.
    stored = upright.rotate(90, expand=True)
    flat = pdf([stored], tmp_path / "plat.pdf")
    writer = PdfWriter(clone_from=PdfReader(flat))
    writer.pages[0][NameObject("/Rotate")] = NumberObject(90)
    writer.write(tmp_path / "gedraaid.pdf")

    drawn = pages.thumbnails(
        str(tmp_path / "gedraaid.pdf"), str(tmp_path / "duim"), "application/pdf", 1, 1, 5
    )

    [thumb] = drawn["pages"]
    assert Path(thumb["image"]).name == "thumb-0001.png"
    with Image.open(thumb["image"]) as img:
        assert img.width > img.height  # wide, as the page is seen


# A page with no flag at all, fed into the scanner upside down or sideways:
# only the text itself says which way is up. Tesseract's orientation
# detection needs a page's worth of it, as a memo has.
PAGE = [
    "Gemeente Groenstad, afdeling Wijkzaken",
    "Onderwerp: herinrichting van het Kastanjeplein",
    "Het college besluit de kastanjebomen aan de",
    "Vondellaan te behouden en de bestrating rond",
    "de stammen te vervangen door open grond, zodat",
    "de wortels water en lucht krijgen. De kosten",
    "worden gedekt uit het budget voor groenbeheer.",
    "Bewoners worden per brief over de werkzaamheden",
    "geinformeerd; de uitvoering begint in het voorjaar.",
]


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return scan(PAGE)


@pytest.mark.parametrize(("stored_turn", "clockwise"), [(0, 0), (90, 90), (180, 180), (270, 270)])
def test_orientation_says_how_far_to_turn_a_page(
    page: Image.Image, stored_turn: int, clockwise: int, tmp_path: Path
) -> None:
    # Stored turned counter-clockwise by `stored_turn`: turning it clockwise as much reads it.
    path = tmp_path / "pagina.png"
    page.rotate(stored_turn, expand=True).save(path)
    assert TesseractOcr().orientation(path) == clockwise


def test_orientation_does_not_guess_on_a_few_words(tmp_path: Path) -> None:
    path = tmp_path / "stempel.png"
    scan(["Ja"], noise=False).rotate(180, expand=True).save(path)
    assert TesseractOcr().orientation(path) == 0


@pytest.mark.parametrize("detect", [True, False])
def test_a_page_fed_upside_down_is_read_upright(
    eager_settings: Settings,
    eager: Container,  # the run's catalog, migrated
    page: Image.Image,
    detect: bool,
    tmp_path: Path,
) -> None:
    settings = eager_settings.model_copy(
        update={"ocr": eager_settings.ocr.model_copy(update={"detect_orientation": detect})}
    )
    c = build_container(settings)
    try:
        turned = page.rotate(180)
        # Bytes of its own (a speck in a corner), or the catalog knows the scan already.
        turned.putpixel((3, 3), uuid.uuid4().int % 200)
        path = pdf([turned], tmp_path / "ondersteboven.pdf")
        dossier = ensure_dossier(
            c.sessions, c.clock, kenmerk="T-ORIENT", titel="T-ORIENT", afdeling="wijkzaken"
        ).id
        with path.open("rb") as f:
            item = c.intake.receive(f, name=path.name, dossier_id=dossier, laag="openbaar")
        assert item.sha256 is not None
        with c.sessions() as s:
            (row,) = s.scalars(select(Page).where(Page.sha256 == item.sha256))
        assert row.text_key is not None
        with c.store.open(row.text_key) as f:
            text = f.read().decode("utf-8")
        assert process.thumbnails(c, item.sha256) is None  # one chunk: all there is
        with c.store.open(afgeleiden.thumbnail_key(item.sha256, 1)) as f:
            thumb = Image.open(io.BytesIO(f.read()))
            thumb.load()
    finally:
        c.close()
    # Read upright only when the detection is on; off, the page stays garbage for review.
    assert all(word in text for word in WORDS) is detect, text
    assert (row.confidence or 0) >= settings.ingest.review_threshold or not detect
    assert row.needs_review is not detect
    # The turn is kept, and the thumbnail drawn as the page was read (and its boxes lie).
    assert row.turned == (180 if detect else 0)
    drawn = pages.thumbnails(str(path), str(tmp_path / "d"), "application/pdf", 1, 1, 5)
    with Image.open(drawn["pages"][0]["image"]) as as_stored:
        read = as_stored.transpose(Image.Transpose.ROTATE_180) if detect else as_stored
        assert thumb.tobytes() == read.tobytes()


def _a4_scan(page: Image.Image, path: Path) -> Path:
    """One full-page image with the page's shape (A4 at 150 dpi): the thumbnail is the scan's."""
    sheet = Image.new("L", (1240, 1754), 255)
    sheet.paste(page.resize((1100, 1100 * page.height // page.width)), (70, 120))
    return pdf([sheet], path)


@pytest.mark.parametrize("kind", ["pdf-scan", "pdf-drawn", "tiff"])
def test_a_thumbnail_is_turned_as_ocr_turned_its_page(
    page: Image.Image, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if kind == "pdf-scan":
        path, media_type = _a4_scan(page, tmp_path / "scan.pdf"), "application/pdf"
    elif kind == "pdf-drawn":
        # The page's box is not the image's shape: poppler draws it.
        path, media_type = pdf([page], tmp_path / "pagina.pdf"), "application/pdf"
    else:
        path, media_type = tmp_path / "pagina.tif", "image/tiff"
        page.save(path, format="TIFF", compression="tiff_lzw")

    drawn_by_poppler: list[int] = []
    render = pages._render_thumbnails

    def spy(path: Path, out: Path, first: int, *rest: Any) -> dict[int, str]:
        drawn_by_poppler.append(first)
        return render(path, out, first, *rest)

    monkeypatch.setattr(pages, "_render_thumbnails", spy)

    plain = pages.thumbnails(str(path), str(tmp_path / "a"), media_type, 1, 1, 5)
    turned = pages.thumbnails(str(path), str(tmp_path / "b"), media_type, 1, 1, 5, {"1": 90})

    assert bool(drawn_by_poppler) is (kind == "pdf-drawn")
    with Image.open(plain["pages"][0]["image"]) as a, Image.open(turned["pages"][0]["image"]) as b:
        # 90° clockwise, exactly: the turn is applied to the drawn thumbnail, nothing redrawn.
        assert b.size == (a.height, a.width)
        assert b.tobytes() == a.transpose(Image.Transpose.ROTATE_270).tobytes()


class _FailsTurned(TesseractOcr):
    """The real engine, but reading the turned copy of a page fails as told."""

    def __init__(self, error: ArchiefError) -> None:
        super().__init__()
        self.error = error

    def recognize_file(self, path: Path, timeout: float = 180.0) -> OcrResult:
        if path.name.endswith("-upright.pnm"):
            raise self.error
        return super().recognize_file(path, timeout)


def _second_look(settings: Settings, error: ArchiefError, page: Image.Image, tmp: Path) -> None:
    image = tmp / "ondersteboven.png"
    page.rotate(180).save(image)
    engine = _FailsTurned(error)
    first = engine.recognize_file(image)
    container = cast(Container, SimpleNamespace(settings=settings, ocr=engine))
    assert engine.orientation(image) == 180
    kept, turned = process._read_turned(container, image, tmp, first)
    assert kept is first
    assert turned == 0


def test_a_turned_page_that_times_out_keeps_the_first_reading(
    eager_settings: Settings, page: Image.Image, tmp_path: Path
) -> None:
    _second_look(eager_settings, OcrTimeout("no result within 180s"), page, tmp_path)


def test_a_missing_engine_is_not_hidden_by_the_second_look(
    eager_settings: Settings, page: Image.Image, tmp_path: Path
) -> None:
    with pytest.raises(PortError):
        _second_look(eager_settings, PortError("ocr", "tesseract is gone"), page, tmp_path)
