# SPDX-License-Identifier: EUPL-1.2
"""Generated test documents: born-digital PDFs with a text layer, scans as images and PDFs."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"  # Debian fonts-dejavu-core


def scan(lines: list[str], *, skew: float = 0.6, noise: bool = True) -> Image.Image:
    """Render lines as a slightly skewed, noisy 300 dpi greyscale page (A5-ish, for speed)."""
    font = ImageFont.truetype(FONT, 42)
    img = Image.new("L", (1748, 200 + 80 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((120, 100 + 80 * i), line, font=font, fill=25)
    img = img.rotate(skew, fillcolor=255, resample=Image.Resampling.BICUBIC)
    if noise:
        img = img.filter(ImageFilter.GaussianBlur(0.7))
    return img


def jpeg_bytes(img: Image.Image, quality: int = 75) -> bytes:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(pages: Sequence[str | Image.Image], path: Path) -> Path:
    """Write a PDF: a str page gets a Helvetica text layer, an image page one embedded JPEG."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for page in pages:
        if isinstance(page, str):
            lines = page.splitlines() or [""]
            ops = ["BT /F1 11 Tf 14 TL 56 780 Td"]
            ops += [f"({_escape(line)}) Tj T*" for line in lines]
            ops.append("ET")
            stream = "\n".join(ops).encode("cp1252")
            content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
            resources = b"<< /Font << /F1 %d 0 R >> >>" % font
        else:
            data = jpeg_bytes(page)
            w, h = page.size
            image = add(
                b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
                % (w, h, len(data), data)
            )
            stream = b"q 595 0 0 %d 0 0 cm /Im1 Do Q" % int(595 * h / w)
            content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
            resources = b"<< /XObject << /Im1 %d 0 R >> >>" % image
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources %s "
                b"/Contents %d 0 R >>" % (tree, resources, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (i, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, xref)
    )
    path.write_bytes(out.getvalue())
    return path
