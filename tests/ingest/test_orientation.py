# SPDX-License-Identifier: EUPL-1.2
"""Scans stored on their side are read upright: PDF /Rotate and EXIF orientation.

A scanner that turns a page by setting /Rotate, and a phone that tags a photo
with its orientation, both leave the pixels sideways or upside down; the
image handed to tesseract must be the page as a person sees it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from ingest import pages
from ingest.ocr import TesseractOcr
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
