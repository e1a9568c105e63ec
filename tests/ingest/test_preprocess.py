# SPDX-License-Identifier: EUPL-1.2
"""Otsu binarisation before OCR."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ingest.preprocess import binarize, otsu_threshold
from tests.ingest.documents import scan


def test_threshold_falls_between_ink_and_paper() -> None:
    histogram = [0] * 256
    histogram[30] = 1000  # ink
    histogram[220] = 9000  # paper
    assert 30 <= otsu_threshold(histogram) < 220


def test_binarized_scan_is_bilevel_and_keeps_the_text_dark(tmp_path: Path) -> None:
    source = tmp_path / "scan.png"
    scan(["Het college besluit"]).save(source)
    out = binarize(source, tmp_path)
    with Image.open(out) as img:
        assert img.mode == "1"
        colours = {v: n for n, v in img.convert("L").getcolors() or []}
    # Paper dominates, and there is ink.
    assert colours[255] > colours[0] > 0


def test_bilevel_input_is_returned_as_it_is(tmp_path: Path) -> None:
    source = tmp_path / "fax.pbm"
    Image.new("1", (100, 50), 1).save(source)
    assert binarize(source, tmp_path) == source
