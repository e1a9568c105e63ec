# SPDX-License-Identifier: EUPL-1.2
"""Tesseract with the Dutch model, through the project's OCR adapter."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from archief.errors import PortError
from ingest.ocr import TesseractOcr, UnreadableImage

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian fonts-dejavu-core


def render(lines: list[str], size: int = 36) -> bytes:
    font = ImageFont.truetype(FONT, size)
    img = Image.new("L", (1400, 120 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((60, 60 + 70 * i), line, font=font, fill=0)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def test_reads_dutch_text_with_boxes_and_confidence() -> None:
    text = ["De gemeenteraad neemt een besluit", "over het bestemmingsplan Oosterpark."]
    result = TesseractOcr(languages="nld").recognize(render(text))
    words = result.text.split()
    for expected in ("gemeenteraad", "besluit", "bestemmingsplan", "Oosterpark."):
        assert expected in words
    assert result.mean_confidence > 60
    assert len(result.words) == len(words)
    first = result.words[0]
    assert first.text == "De"
    assert first.left >= 50
    assert first.width > 0
    assert first.height > 0


def test_dutch_model_reads_diacritics() -> None:
    result = TesseractOcr(languages="nld").recognize(render(["Een reële coördinatie van ideeën."]))
    assert "reële" in result.text
    assert "ideeën." in result.text


def test_check_names_missing_language() -> None:
    with pytest.raises(PortError, match="xyz"):
        TesseractOcr(languages="nld+xyz").check()
    assert "nld" in TesseractOcr(languages="nld+eng").check()


def test_missing_binary_is_a_port_error() -> None:
    with pytest.raises(PortError):
        TesseractOcr(command="/nonexistent/tesseract").check()


def test_garbage_is_an_unreadable_image() -> None:
    with pytest.raises(UnreadableImage) as exc:
        TesseractOcr().recognize(b"\x89PNG\r\n\x1a\nnot really")
    assert exc.value.code == "unreadable_image"


def test_image_tesseract_cannot_decode_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "kapot.png"
    data = bytearray(render(["Een beschadigde scan"]))
    idat = data.index(b"IDAT")
    data[idat + 8] ^= 0xFF  # a flipped bit in the image data breaks its CRC
    path.write_bytes(bytes(data))
    with pytest.raises(UnreadableImage) as exc:
        TesseractOcr().recognize_file(path)
    assert exc.value.code == "unreadable_image"


def test_file_recognition_returns_hocr_with_word_confidences(tmp_path: Path) -> None:
    path = tmp_path / "pagina.png"
    path.write_bytes(render(["Verslag van de wijkraad Oosterpark"]))
    result = TesseractOcr(languages="nld").recognize_file(path)
    assert "wijkraad" in result.text
    assert "ocrx_word" in result.hocr
    assert [w.text for w in result.words][:3] == ["Verslag", "van", "de"]
    assert all(0 <= w.confidence <= 100 for w in result.words)
