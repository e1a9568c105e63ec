# SPDX-License-Identifier: EUPL-1.2
"""Page image preprocessing before OCR, kept only where it measurably helps.

`python -m bench.ingest --preprocess-study` measured, on degraded 300 dpi
scans: Otsu binarisation leaves the character error rate unchanged and cuts
Tesseract's CPU time per page by about a fifth (a bilevel image is cheaper
to read than greyscale, and Tesseract skips its own thresholding); a median
filter and autocontrast did not help; deskew with bicubic resampling made it
worse. So binarisation is on by default (ARCHIEF_OCR__BINARIZE) and nothing
else is done.

Turning is here too: a page image that lies on its side or upside down is
turned before it is read (a PDF's /Rotate, a photo's EXIF orientation, or
tesseract's own orientation detection for a page that read badly).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image


def otsu_threshold(histogram: list[int]) -> int:
    """The grey level that best separates ink from paper (Otsu's method)."""
    total = sum(histogram)
    weighted = sum(level * count for level, count in enumerate(histogram))
    background = background_sum = 0
    best, threshold = -1.0, 127
    for level, count in enumerate(histogram):
        background += count
        if background == 0:
            continue
        foreground = total - background
        if foreground == 0:
            break
        background_sum += level * count
        mean_b = background_sum / background
        mean_f = (weighted - background_sum) / foreground
        between = background * foreground * (mean_b - mean_f) ** 2
        if between > best:
            best, threshold = between, level
    return threshold


def binarize(path: Path, out_dir: Path) -> Path:
    """Write a bilevel (PBM) copy of a page image; a bilevel image is returned as it is."""
    with Image.open(path) as img:
        if img.mode == "1":
            return path
        grey = img.convert("L")
    threshold = otsu_threshold(grey.histogram())
    table = [255 if level > threshold else 0 for level in range(256)]
    target = out_dir / f"{path.stem}-bw.pbm"
    grey.point(table, "1").save(target, format="PPM")
    return target


# Turning an image clockwise by so many degrees (Pillow's ROTATE_* turn counter-clockwise).
CLOCKWISE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def turned_pnm(img: Image.Image, turn: Image.Transpose, target: Path) -> str:
    """Write `img` turned as PNM (PBM, PGM or PPM: no encoding, so nothing lost)."""
    turned = img.transpose(turn)
    if turned.mode not in ("1", "L", "RGB"):
        turned = turned.convert("RGB")
    turned.save(target, format="PPM")
    return str(target)
