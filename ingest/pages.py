# SPDX-License-Identifier: EUPL-1.2
"""Split a document into pages: text where a page has a real text layer, an image where not.

`analyze` runs inside the sandbox (ingest/sandbox.py), in a child process with
CPU, memory and time limits, because it parses untrusted bytes. It takes and
returns plain JSON data.

Where a scanned page is one embedded image, that image is handed to OCR as it
is: JPEG and JPEG 2000 streams are written out byte for byte and CCITT scans
as the TIFF pypdf wraps them in. Re-rendering a 300 dpi page costs several
times the OCR itself, so rendering (pdftoppm) is only the fallback for pages
that are neither text nor a single image. A page turned by /Rotate, and a
photo by its EXIF orientation, is turned upright first (decoded, turned and
written as PNM, lossless): tesseract reads the pixels as they are stored.

An e-mail's attachments are read by ingest/mail.py with the same PDF, image
and office readers (`_attachment`), into further pages of the e-mail.

`thumbnails` (also in the sandbox, after the content is indexed) draws every
page small: a scanned page's own image is downscaled (a JPEG decoded at a
fraction of its size), other pages are rendered by pdftoppm with `-scale-to`.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image, ImageSequence
from pypdf import PdfReader
from pypdf.errors import (
    FileNotDecryptedError,
    LimitReachedError,
    PdfReadError,
    PdfStreamError,
)
from pypdf.generic import IndirectObject

from archief.errors import ArchiefError
from ingest import mail, office
from ingest.preprocess import CLOCKWISE, turned_pnm

# Thumbnails fit in a square of this many pixels: an A4 page becomes 320 x 452.
THUMB_BOX = 452
THUMB_TIMEOUT = 60
# A page image smaller than this (either side) is a logo or a stamp, not a scan.
SCAN_MIN_PIXELS = 300
RENDER_DPI = 300
RENDER_TIMEOUT = 120
_INVERT = bytes(255 - i for i in range(256))
_EXIF_ORIENTATION = 0x0112
# EXIF orientation (2-8) → the turn that shows the image as meant (as Pillow's exif_transpose).
_EXIF_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PageError(ArchiefError):
    status = 422
    title = "Document niet verwerkbaar"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def has_real_text(text: str) -> bool:
    """Tell a usable text layer from an empty, invisible or garbled one."""
    body = "".join(text.split())
    if len(body) < 20:
        return False
    letters = sum(ch.isalpha() for ch in body)
    garbage = body.count("\ufffd") + len(re.findall(r"\(cid:\d+\)", text)) * 6
    return letters / len(body) >= 0.5 and garbage / len(body) < 0.05


# ToUnicode maps for `warm`: a one-byte range (a simple TrueType font) and the
# two-byte bfchar list that office suites and fpdf write for a subsetted font.
_WARM_CMAP = (
    b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Warm def "
    b"1 begincodespacerange <00> <FF> endcodespacerange "
    b"1 beginbfrange <20> <7E> <0020> endbfrange endcmap "
    b"CMapName currentdict /CMap defineresource pop end end"
)
# The characters of the font subset; glyph id n shows the n-th of them, sorted.
_WARM_GLYPHS = "Besluitnota Onderwerp: coördinatie, € 12.500,00"


def _warm_cid_cmap() -> bytes:
    chars = sorted(set(_WARM_GLYPHS))
    pairs = b"".join(b"<%04X> <%04X>\n" % (i, ord(ch)) for i, ch in enumerate(chars, start=1))
    return (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def "
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange "
        b"%d beginbfchar\n%sendbfchar endcmap "
        b"CMapName currentdict /CMap defineresource pop end end" % (len(chars), pairs)
    )


def _warm_cid_text(text: str) -> bytes:
    """`text` as a two-byte hex string of the subset's glyph ids."""
    ids = {ch: i for i, ch in enumerate(sorted(set(_WARM_GLYPHS)), start=1)}
    return b"<%s>" % b"".join(b"%04X" % ids[ch] for ch in text)


def _warm_pdf() -> bytes:
    """Two pages in the fonts most PDFs carry: standard Type1, simple TrueType, Type0/Identity-H."""
    lines = ("Besluitnota", "Onderwerp:", "coördinatie,", "€ 12.500,00")
    words = tuple(_warm_cid_text(w) for w in lines)
    page_one = b"BT /F1 11 Tf 72 770 Td (Besluitnota) Tj /F2 11 Tf 0 -14 Td (Onderwerp) Tj ET"
    # The second page as office suites write it: a subsetted CID font, lines in
    # BT blocks of their own, TJ arrays with kerning, the ' and TD operators.
    page_two = (
        b"BT /F3 11 Tf 70.87 755.07 Td %s Tj ET\n"
        b"BT /F3 11 Tf 70.87 723.17 Td [%s -250 %s] TJ 0 -14 TD %s ' ET\n"
        b"BT /F1 9 Tf 1 0 0 1 70.87 40 Tm (Pagina 2) Tj ET" % words
    )
    widths = b" ".join(b"%d" % (500 + 7 * i) for i in range(len(set(_WARM_GLYPHS))))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 8 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
        _flate(page_one),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Warm /FirstChar 32 /LastChar 126 "
        b"/ToUnicode 7 0 R >>",
        _flate(_WARM_CMAP),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R /F3 10 0 R >> >> /Contents 9 0 R >>",
        _flate(page_two),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /WARMAA+DejaVuSans /Encoding /Identity-H "
        b"/DescendantFonts [11 0 R] /ToUnicode 13 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /WARMAA+DejaVuSans "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> "
        b"/FontDescriptor 12 0 R /DW 600 /W [1 [%s]] /CIDToGIDMap /Identity >>" % widths,
        b"<< /Type /FontDescriptor /FontName /WARMAA+DejaVuSans /Flags 32 "
        b"/FontBBox [-1021 -463 1793 1232] /ItalicAngle 0 /Ascent 928 /Descent -236 "
        b"/CapHeight 729 /StemV 87 /MissingWidth 540 >>",
        _flate(_warm_cid_cmap()),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref, size = len(out), len(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def warm() -> str:
    """Read the text of a PDF of archief's own, in the sandbox's zygote before it forks.

    pypdf imports its filters, codecs and font tables on first use, and a
    forked child starts from the zygote: without this, every job paid that
    first use again, about 5 to 10 ms of the ~80 ms a ten-page document takes
    in the sandbox (bench/README.md). The fonts are those most PDFs carry, so
    that their code paths are warm too: with only the simple fonts warmed, a
    child still spent 1-2 ms more on a ten-page office-made PDF than one
    forked after reading such a PDF. The PDF is built here, so the zygote
    never reads anything it did not make. Returns the text it read (tests
    check that every font was read).
    """
    reader = PdfReader(io.BytesIO(_warm_pdf()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flate(data: bytes) -> bytes:
    packed = zlib.compress(data)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed)


def analyze(path: str, workdir: str, media_type: str, max_pages: int) -> dict[str, Any]:
    """Plan the pages of the document at `path`; page images go into `workdir`."""
    out = Path(workdir)
    out.mkdir(parents=True, exist_ok=True)
    if media_type == "application/pdf":
        return _pdf(Path(path), out, max_pages)
    if media_type.startswith("image/"):
        return _image(Path(path), out, media_type, max_pages)
    if media_type == "text/plain":
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        chunks = text.split("\f")
        if len(chunks) > max_pages:
            raise PageError("too_many_pages", f"{len(chunks)} pages, more than {max_pages}")
        return {
            "pages": [
                {"number": i, "text": unicodedata.normalize("NFC", c)}
                for i, c in enumerate(chunks, start=1)
            ],
            "thumbnail": None,
        }
    if media_type in office.MEDIA_TYPES:
        return office.analyze(Path(path), max_pages)
    if media_type == mail.MEDIA_TYPE:
        return mail.analyze(Path(path), out, max_pages, _attachment)
    raise PageError("unsupported_type", f"no page analysis for {media_type}")


def _attachment(path: Path, out: Path, media_type: str, max_pages: int) -> dict[str, Any]:
    """Plan the pages of one e-mail attachment, typed by its content (ingest/mail.py)."""
    if media_type == "application/pdf":
        return _pdf(path, out, max_pages)
    if media_type in office.MEDIA_TYPES:
        return office.analyze(path, max_pages)
    if not media_type.startswith("image/"):
        raise PageError("unsupported_type", f"no page analysis for {media_type} in an e-mail")
    try:
        with Image.open(path) as img:
            width, height = img.size
        if max(width, height) < SCAN_MIN_PIXELS:
            # Signature logos and icons of HTML mail: OCR would make noise of them.
            # Either side long enough is kept: a screenshot of a line of text.
            raise PageError("image_too_small", f"{width} x {height} pixels: not a scan")
        return _image(path, out, media_type, max_pages)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The sandbox makes Pillow's warning an error too; for a file of its
        # own it fails the file, for an attachment only the attachment.
        raise PageError("image_too_large", str(exc)) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PageError("unreadable_image", f"{media_type} not readable: {exc}") from exc


def _image(path: Path, out: Path, media_type: str, max_pages: int) -> dict[str, Any]:
    try:
        with Image.open(path) as img:
            frames = getattr(img, "n_frames", 1)
            if frames > max_pages:
                raise PageError("too_many_pages", f"{frames} frames, more than {max_pages}")
            pages: list[dict[str, Any]] = []
            if frames == 1:
                img.load()  # decode once, so a broken image fails here, not in OCR
                # The file itself is the page image: no re-encoding, unless
                # it is stored on its side (a phone photo, EXIF orientation).
                pages.append({"number": 1, "image": _exif_upright(img, path, out)})
            else:
                for i, frame in enumerate(ImageSequence.Iterator(img), start=1):
                    target = out / f"page-{i:04d}.tif"
                    frame.save(
                        target, format="TIFF", compression="group4" if frame.mode == "1" else None
                    )
                    pages.append({"number": i, "image": str(target)})
    except Image.DecompressionBombError as exc:
        raise PageError("image_too_large", str(exc)) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PageError("unreadable_image", f"{media_type} not readable: {exc}") from exc
    # Thumbnails are made later, by `thumbnails`, off the path to searchable.
    return {"pages": pages, "thumbnail": None}


def _exif_upright(img: Image.Image, path: Path, out: Path) -> str:
    """The image as it is meant to be seen: turned by its EXIF orientation (as PNM), or itself.

    tesseract reads the pixels as stored and ignores the orientation tag, so
    a photo taken with the phone held sideways reads as garbage.
    """
    turn = _exif_turn(img)
    if turn is None:
        return str(path)
    return turned_pnm(img, turn, out / "page-0001-upright.pnm")


def _exif_turn(img: Image.Image) -> Image.Transpose | None:
    """How to turn the image so it looks as its EXIF orientation says; None if it does."""
    return _EXIF_TURNS.get(img.getexif().get(_EXIF_ORIENTATION, 1))


def _open_pdf(path: Path, max_pages: int) -> PdfReader:
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        # An owner password alone only restricts editing; an empty user
        # password opens the document, as every PDF viewer does.
        try:
            opened = reader.decrypt("")
        except (NotImplementedError, PdfReadError) as exc:
            raise PageError("encrypted_pdf", f"the PDF is encrypted: {exc}") from exc
        if not opened:
            raise PageError("encrypted_pdf", "the PDF is protected by a password")
    count = len(reader.pages)
    if count > max_pages:
        raise PageError("too_many_pages", f"{count} pages, more than {max_pages}")
    if count == 0:
        raise PageError("corrupt_pdf", "the PDF has no pages")
    return reader


# pypdf reports structural damage through many exception types.
_PDF_DAMAGE = (
    PdfReadError,
    PdfStreamError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    AssertionError,
    RecursionError,
    OSError,
)


def _pdf(path: Path, out: Path, max_pages: int) -> dict[str, Any]:
    try:
        reader = _open_pdf(path, max_pages)
        pages = [_pdf_page(path, reader, i, out) for i in range(len(reader.pages))]
    except PageError:
        raise
    except FileNotDecryptedError as exc:
        raise PageError("encrypted_pdf", f"the PDF is encrypted: {exc}") from exc
    except LimitReachedError as exc:
        # pypdf's own guard against decompression bombs.
        raise PageError("limit_memory", f"the PDF exceeds a decompression limit: {exc}") from exc
    except _PDF_DAMAGE as exc:
        raise PageError("corrupt_pdf", f"damaged PDF: {type(exc).__name__}: {exc}") from exc
    return {"pages": pages, "thumbnail": None}


def _pdf_page(path: Path, reader: PdfReader, index: int, out: Path) -> dict[str, Any]:
    number = index + 1
    page = reader.pages[index]
    text = page.extract_text() or ""
    if has_real_text(text):
        return {"number": number, "text": unicodedata.normalize("NFC", text)}
    image = _single_image(page, out / f"page-{number:04d}")
    if image is None and not _has_images(page) and not text.strip():
        return {"number": number, "text": ""}  # a blank page: nothing to read
    if image is not None and int(page.rotation) % 360:
        image = _upright(Path(image), int(page.rotation) % 360)
    if image is None:
        image = _render(path, number, out / f"page-{number:04d}")
    return {"number": number, "image": image}


def _upright(image: Path, rotation: int) -> str | None:
    """The page image of a page with /Rotate, turned as the page is shown; None to render it.

    A scanner that turns a page by setting /Rotate leaves the image itself on
    its side, and tesseract (page segmentation without orientation
    detection) reads text upside down or sideways as garbage. The turned
    image is written as PNM, lossless: decoding and turning cost a fraction
    of what rendering the page would.
    """
    # /Rotate turns a page clockwise when it is shown; turn its image the same way.
    turn = CLOCKWISE.get(rotation)
    if turn is None:
        return None  # not a multiple of 90: pdftoppm draws it as shown
    try:
        with Image.open(image) as img:
            target = turned_pnm(img, turn, image.with_name(f"{image.stem}-upright.pnm"))
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None  # the renderer draws the page at its own resolution
    finally:
        image.unlink(missing_ok=True)
    return target


def _xobjects(page: Any) -> list[Any]:
    resources = page.get("/Resources")
    if isinstance(resources, IndirectObject):
        resources = resources.get_object()
    if not resources or "/XObject" not in resources:
        return []
    xobjects = resources["/XObject"].get_object()
    return [xobjects[name].get_object() for name in xobjects]


def _has_images(page: Any) -> bool:
    return any(x.get("/Subtype") == "/Image" for x in _xobjects(page))


def _single_image(page: Any, stem: Path) -> str | None:
    """Write the page's one full-page image as it is stored, or return None."""
    images = [x for x in _xobjects(page) if x.get("/Subtype") == "/Image"]
    if len(images) != 1 or "/SMask" in images[0] or "/Mask" in images[0]:
        return None
    xobj = images[0]
    filters = xobj.get("/Filter")
    last = filters[-1] if isinstance(filters, list) and filters else filters
    if last in ("/DCTDecode", "/JPXDecode"):
        # Inverted (Decode array) or CMYK JPEGs would read as negatives.
        if "/Decode" in xobj or xobj.get("/ColorSpace") == "/DeviceCMYK":
            return None
        target = stem.with_suffix(".jpg" if last == "/DCTDecode" else ".jp2")
        target.write_bytes(xobj.get_data())  # the JPEG file itself
        return str(target)
    if last == "/CCITTFaxDecode":
        target = stem.with_suffix(".tif")
        target.write_bytes(xobj.get_data())  # pypdf wraps G3/G4 data in a TIFF
        return str(target)
    if last in ("/FlateDecode", "/LZWDecode", "/RunLengthDecode", None):
        return _raw_samples(xobj, stem)
    return None  # JBIG2 and friends: render instead


def _components(colorspace: Any) -> int | None:
    """Samples per pixel of a plain grey or RGB colour space, else None."""
    if colorspace in ("/DeviceGray", "/CalGray"):
        return 1
    if colorspace in ("/DeviceRGB", "/CalRGB"):
        return 3
    if isinstance(colorspace, list) and colorspace and colorspace[0] == "/ICCBased":
        n = colorspace[1].get_object().get("/N")
        return int(n) if n in (1, 3) else None
    return None


def _raw_samples(xobj: Any, stem: Path) -> str | None:
    """Write decoded raw samples as PNM: a header and the bytes, with no encoding at all."""
    width, height = int(xobj.get("/Width", 0)), int(xobj.get("/Height", 0))
    bits = int(xobj.get("/BitsPerComponent", 8))
    components = 1 if xobj.get("/ImageMask") else _components(xobj.get("/ColorSpace"))
    if components is None or width <= 0 or height <= 0 or bits not in (1, 8) or "/Decode" in xobj:
        return None
    if bits == 1 and components != 1:
        return None
    data = xobj.get_data()
    row = (width * components * bits + 7) // 8
    if len(data) < row * height:
        return None  # a short stream: let the renderer make what it can of it
    data = data[: row * height]
    target = stem.with_suffix(".pnm")
    if bits == 1:
        # PDF bilevel samples are 0 = black; PBM's are 1 = black.
        header = b"P4\n%d %d\n" % (width, height)
        data = data.translate(_INVERT)
    else:
        header = b"P%d\n%d %d\n255\n" % (5 if components == 1 else 6, width, height)
    target.write_bytes(header + data)
    return str(target)


def _pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        raise PageError("corrupt_pdf", "pdftoppm (poppler-utils) is needed to render this page")
    return found


def _render(path: Path, number: int, stem: Path) -> str:
    try:
        subprocess.run(  # noqa: S603  # fixed argv, no shell
            [
                _pdftoppm(),
                "-gray",
                "-r",
                str(RENDER_DPI),
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(path),
                str(stem),
            ],
            check=True,
            capture_output=True,
            # pdftoppm parses the same hostile bytes; it inherits the
            # sandbox's rlimits, and gets a wall-clock limit of its own.
            timeout=RENDER_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        raise PageError("limit_time", f"rendering page {number} took too long") from exc
    except (subprocess.CalledProcessError, OSError) as exc:
        raise PageError("corrupt_pdf", f"page {number} cannot be rendered") from exc
    return str(stem.with_suffix(".pgm"))


# --------------------------------------------------------------------------
# Thumbnails: one small grey PNG per page, made after the content is indexed
# --------------------------------------------------------------------------


def thumbnails(  # noqa: PLR0917  # the sandbox passes its JSON arguments by position
    path: str,
    workdir: str,
    media_type: str,
    first: int,
    last: int,
    max_pages: int,
    turned: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Draw pages `first`..`last` as small grey PNGs into `workdir`; runs in the sandbox.

    `turned` names, by page number, the degrees clockwise OCR turned a page
    it found lying on its side or upside down: its thumbnail is drawn so
    too, as its word boxes are. Returns `{"count": pages in the document,
    "pages": [{"number", "image"}]}`. A page that cannot be drawn is left
    out: a missing thumbnail never fails anything. Types without pages to
    draw (text, mail, office) give none.
    """
    out = Path(workdir)
    out.mkdir(parents=True, exist_ok=True)
    turns = {int(n): CLOCKWISE.get(int(d) % 360) for n, d in (turned or {}).items()}
    if media_type == "application/pdf":
        made, count = _pdf_thumbnails(Path(path), out, first, last, max_pages, turns)
    elif media_type.startswith("image/"):
        made, count = _image_thumbnails(Path(path), out, first, last, turns)
    else:
        made, count = {}, 0
    return {
        "count": count,
        "pages": [{"number": n, "image": made[n]} for n in sorted(made)],
    }


def _small(img: Image.Image, target: Path, *turns: Image.Transpose | None) -> str:
    """A small grey PNG of `img`, turned by each of `turns` in order (None: not at all)."""
    thumb = img.convert("L")
    thumb.thumbnail((THUMB_BOX, THUMB_BOX))
    for turn in turns:
        if turn is not None:
            thumb = thumb.transpose(turn)
    thumb.save(target, format="PNG")
    return str(target)


def _image_thumbnails(
    path: Path, out: Path, first: int, last: int, turns: Mapping[int, Image.Transpose | None]
) -> tuple[dict[int, str], int]:
    made: dict[int, str] = {}
    try:
        with Image.open(path) as img:
            count = getattr(img, "n_frames", 1)
            # A photo is drawn as it is meant to be seen, as it is read (_exif_upright).
            turn = _exif_turn(img) if count == 1 else None
            for number in range(first, min(last, count) + 1):
                try:
                    img.seek(number - 1)
                    img.draft("L", (THUMB_BOX, THUMB_BOX))  # JPEG: decode at 1/2..1/8 scale
                    target = out / f"thumb-{number:04d}.png"
                    made[number] = _small(img, target, turn, turns.get(number))
                except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
                    continue
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return {}, 0
    return made, count


def _pdf_thumbnails(  # noqa: PLR0917  # one caller, the sandbox entry above
    path: Path,
    out: Path,
    first: int,
    last: int,
    max_pages: int,
    turns: Mapping[int, Image.Transpose | None],
) -> tuple[dict[int, str], int]:
    made: dict[int, str] = {}
    render: list[int] = []
    try:
        reader = _open_pdf(path, max_pages)
        count = len(reader.pages)
        for number in range(first, min(last, count) + 1):
            try:
                scan = _scan_thumbnail(reader.pages[number - 1], out, number, turns.get(number))
            except (LimitReachedError, *_PDF_DAMAGE):
                scan = None  # let poppler make what it can of the page
            if scan is None:
                render.append(number)
            else:
                made[number] = scan
    except (FileNotDecryptedError, LimitReachedError, *_PDF_DAMAGE) as exc:
        raise PageError("corrupt_pdf", f"damaged PDF: {type(exc).__name__}: {exc}") from exc
    for run in _runs(render):
        made.update(_render_thumbnails(path, out, run[0], run[-1], turns))
    return made, count


def _runs(numbers: list[int]) -> list[list[int]]:
    """Consecutive stretches: one pdftoppm start (and font set-up) per stretch, not per page."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def _fills_page(page: Any, image: Any) -> bool:
    """Whether the page's one image has the page's shape: a scan, not a logo on a letter."""
    width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
    box = page.mediabox
    page_w, page_h = float(box.width), float(box.height)
    if width < SCAN_MIN_PIXELS or height < SCAN_MIN_PIXELS or page_w <= 0 or page_h <= 0:
        return False
    return abs(width / height - page_w / page_h) <= 0.05 * page_w / page_h


def _scan_thumbnail(
    page: Any, out: Path, number: int, detected: Image.Transpose | None = None
) -> str | None:
    """Downscale a scanned page's own image, as stored; None if the page is not one image."""
    images = [x for x in _xobjects(page) if x.get("/Subtype") == "/Image"]
    if len(images) != 1 or not _fills_page(page, images[0]):
        return None
    source = _single_image(page, out / f"scan-{number:04d}")
    if source is None:
        return None
    target = out / f"thumb-{number:04d}.png"
    # /Rotate turns the page clockwise when it is shown: the thumbnail too, as OCR reads it.
    turn = CLOCKWISE.get(int(page.rotation) % 360)
    try:
        with Image.open(source) as img:
            img.draft("L", (THUMB_BOX, THUMB_BOX))  # JPEG: decode at 1/2..1/8 scale
            return _small(img, target, turn, detected)  # as shown, then as OCR turned it
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        Path(source).unlink(missing_ok=True)


def _render_thumbnails(
    path: Path, out: Path, first: int, last: int, turns: Mapping[int, Image.Transpose | None]
) -> dict[int, str]:
    stem = out / f"render-{first}"
    try:
        done = subprocess.run(  # noqa: S603  # fixed argv, no shell
            [
                _pdftoppm(),
                "-gray",  # PGM: pdftoppm's own PNG writer costs several times the drawing
                "-scale-to",
                str(THUMB_BOX),
                "-f",
                str(first),
                "-l",
                str(last),
                str(path),
                str(stem),
            ],
            check=False,
            capture_output=True,
            # Same hostile bytes as the analysis: the sandbox's rlimits hold
            # for pdftoppm too, plus a wall-clock limit of its own.
            timeout=THUMB_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError, PageError):
        return {}
    if done.returncode != 0:
        return {}  # a file pdftoppm gave up on may be half written
    made: dict[int, str] = {}
    # pdftoppm pads the page number to the width of the document's page count.
    for drawn in out.glob(f"{stem.name}-*.pgm"):
        number = int(drawn.stem.rsplit("-", 1)[1])
        with Image.open(drawn) as img:
            made[number] = _small(img, out / f"thumb-{number:04d}.png", turns.get(number))
        drawn.unlink()
    return made
