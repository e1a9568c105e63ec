# SPDX-License-Identifier: EUPL-1.2
"""A corpus of hostile and broken uploads, generated at test time (no binary fixtures).

`write_corpus(directory)` writes every file and returns one `HostileCase` per
file. `expect` is the set of acceptable outcomes: `"indexed"` where the
pipeline may legitimately recover, otherwise failure codes from `FAILURES`.
Whatever the case, the pipeline MUST end in one of them: no worker crash, no
hang, no unbounded memory, no other code.

`display_name` is the name the file was uploaded under. For most cases it is
the file's own name; the `name-*` cases carry hostile names that cannot exist
on disk as such. A sanitised display name MUST: contain no path separator
(`/` or `\\`), no control character (NUL, newline, ...) and no bidirectional
override or isolate (U+202A..U+202E, U+2066..U+2069, U+200E/F, U+061C); be
NFC-normalised; be non-empty and neither `.` nor `..`; be at most 255 bytes
in UTF-8.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import random
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

FAILURES = frozenset(
    {
        "empty_file",
        "unsupported_type",
        "encrypted_pdf",
        "corrupt_pdf",
        "too_many_pages",
        "image_too_large",
        "unreadable_image",
        "limit_cpu",
        "limit_memory",
        "limit_time",
        # Office documents and e-mail (ingest/office.py, ingest/mail.py).
        "corrupt_document",
        "encrypted_document",
        "zip_bomb",
        "zip_too_many_entries",
        "unsafe_xml",
        "malformed_mail",
        "mail_line_too_long",
        "mail_too_many_headers",
        "mail_too_deep",
        "mail_too_many_parts",
    }
)
OUTCOMES = FAILURES | {"indexed"}
LIMITS = frozenset({"limit_cpu", "limit_memory", "limit_time"})

# The page limit the pipeline is configured with by default.
DEFAULT_MAX_PAGES = 5000

_SANITISED = (
    "Sanitised, the name must have no path separators, no control or bidi "
    "characters, be NFC, non-empty, not '.' or '..', and at most 255 bytes UTF-8."
)


@dataclass(frozen=True)
class HostileCase:
    """One hostile file and what the pipeline may make of it."""

    name: str
    path: Path
    expect: frozenset[str]
    note: str
    # The name it was uploaded under; empty means the file's own name.
    display_name: str = ""

    def __post_init__(self) -> None:
        if not self.display_name:
            object.__setattr__(self, "display_name", self.path.name)


def write_corpus(directory: Path) -> list[HostileCase]:
    """Write every hostile file into `directory` and return the cases."""
    directory.mkdir(parents=True, exist_ok=True)
    cases: list[HostileCase] = []

    def add(
        name: str,
        suffix: str,
        content: bytes,
        expect: set[str],
        note: str,
        display_name: str = "",
    ) -> None:
        path = directory / f"{name}{suffix}"
        path.write_bytes(content)
        cases.append(HostileCase(name, path, frozenset(expect), note, display_name))

    _not_files(add)
    _encrypted(add)
    _broken_structure(add)
    _loops(add)
    _bombs(add)
    _images(add)
    _page_counts(add)
    _mislabelled(add)
    _names(add)
    _office(add)
    _mail(add)
    return cases


# --- building blocks -----------------------------------------------------------

_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def stream(data: bytes, entries: bytes = b"") -> bytes:
    """Return a PDF stream object body holding `data` with a correct /Length."""
    return b"<< /Length %d %s>>\nstream\n" % (len(data), entries) + data + b"\nendstream"


def pdf(
    objects: list[bytes], *, root: int = 1, trailer: bytes = b"", header: bytes = _HEADER
) -> bytes:
    """Assemble objects 1..n into a PDF file with a correct xref table."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (len(objects) + 1, root, trailer)
    out += b"startxref\n%d\n" % xref + b"%%EOF\n"
    return bytes(out)


def text_pdf(pages: list[str]) -> bytes:
    """Return a valid PDF with one line of Helvetica text on each page."""
    count = len(pages)
    # 1 catalog, 2 page tree, 3 font, then a page and its content per page.
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        _FONT,
    ]
    for i, text in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(stream(b"BT /F1 12 Tf 72 770 Td (%s) Tj ET" % text.encode("latin-1")))
    return pdf(objects)


_FONT_RESOURCES = b"/Resources << /Font << /F1 5 0 R >> >> "


def _page_pdf(
    content: bytes,
    *,
    page: bytes = _FONT_RESOURCES,
    extra: Sequence[bytes] = (),
    catalog: bytes = b"",
    count: int = 1,
    mediabox: bytes = b"[0 0 595 842]",
    trailer: bytes = b"",
) -> bytes:
    """Return a one-page PDF; objects 6 and on are `extra`.

    1 catalog, 2 page tree, 3 the page (with `page` entries), 4 `content`, 5 Helvetica.
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R %s>>" % (mediabox, page),
        content,
        _FONT,
        *extra,
    ]
    return pdf(objects, trailer=trailer)


def _hello(text: bytes = b"Besluit van het college") -> bytes:
    return stream(b"BT /F1 12 Tf 72 770 Td (%s) Tj ET" % text)


def deflated_zeros(size: int, chunk: int = 2**20) -> bytes:
    """Return a zlib stream that inflates to `size` zero bytes, without ever holding them.

    After a full flush the compressor starts afresh, so every further chunk of
    zeros compresses to the same bytes: compress two, repeat the second, and
    end with the Adler-32 of `size` zeros (a = 1, b = size mod 65521).
    """
    if size % chunk or size < 2 * chunk:
        raise ValueError("size must be a multiple of chunk, at least two chunks")
    compressor = zlib.compressobj(9)
    zeros = bytes(chunk)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)[:-4]
    adler = ((size % 65521) << 16) | 1
    return first + repeat * (size // chunk - 1) + end + adler.to_bytes(4, "big")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """Return a PNG whose header claims `width` x `height` grey pixels, with one row of data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = zlib.compress(bytes(min(width, 1 << 16) + 1))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", row)
        + _png_chunk(b"IEND", b"")
    )


def _image(kind: str, size: tuple[int, int] = (400, 120), text: str = "Gemeentearchief") -> bytes:
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((10, 40), text, fill=0)
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def _tiff(entries: list[tuple[int, int, int, int]], next_ifd: int = 0, data: bytes = b"") -> bytes:
    """Return a little-endian TIFF: one IFD at 8 of (tag, type, count, value), then `data`."""
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in sorted(entries):
        ifd += struct.pack("<HHII", tag, kind, count, value)
    ifd += struct.pack("<I", next_ifd)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + data


def _tiff_grey(width: int, height: int, next_ifd: int = 0) -> bytes:
    """An uncompressed 8-bit grey TIFF; with `next_ifd`, the IFD chain goes on from there."""
    data_offset = 8 + 2 + 12 * 8 + 4
    short, long = 3, 4
    entries = [
        (256, long, 1, width),  # ImageWidth
        (257, long, 1, height),  # ImageLength
        (258, short, 1, 8),  # BitsPerSample
        (259, short, 1, 1),  # Compression: none
        (262, short, 1, 1),  # PhotometricInterpretation: black is zero
        (273, long, 1, data_offset),  # StripOffsets
        (278, long, 1, height),  # RowsPerStrip
        (279, long, 1, min(width * height, 0xFFFFFFFF)),  # StripByteCounts
    ]
    return _tiff(entries, next_ifd, bytes([200]) * min(width * height, 1 << 16))


# --- the cases -----------------------------------------------------------------


class _Add(Protocol):
    def __call__(
        self,
        name: str,
        suffix: str,
        content: bytes,
        expect: set[str],
        note: str,
        display_name: str = "",
    ) -> None: ...


def _not_files(add: _Add) -> None:
    add(
        "empty", ".pdf", b"", {"empty_file"}, "0 bytes; the name says PDF, the content says nothing"
    )
    add(
        "one-byte",
        ".pdf",
        b"\xff",
        {"unsupported_type"},
        "1 byte that is no format and not UTF-8. A detector that forgives a multi-byte "
        "character cut off at the end of its window must not forgive it when the window "
        "is the whole file",
    )
    add(
        "pdf-magic-only",
        ".pdf",
        b"%PDF-1.7\n",
        {"corrupt_pdf"},
        "a PDF header and nothing else: typed as PDF by its magic, with no xref, trailer or pages",
    )
    add(
        "random-bytes",
        ".bin",
        b"\x00" + random.Random(20240501).randbytes(65535),  # test data, not secrets
        {"unsupported_type"},
        "64 KiB of seeded random bytes starting with NUL, so no magic can match by chance",
    )
    add("nul-bytes", ".txt", bytes(4096), {"unsupported_type"}, "4 KiB of NUL named .txt: not text")
    add(
        "text-utf16",
        ".txt",
        "\ufeffNotitie over de begroting 2025\r\n".encode("utf-16-le"),
        {"unsupported_type", "indexed"},
        "UTF-16 with BOM (Windows Notepad): has NUL bytes, so refusing it is fine; "
        "decoding by its BOM and indexing is fine too",
    )
    add(
        "text-invalid-utf8-tail",
        ".txt",
        b"Verslag van de commissievergadering\n" * 10 + b"\xc3",
        {"indexed", "unsupported_type"},
        "valid UTF-8 text whose last byte starts a character that never comes: "
        "indexing with a replacement character, or refusing, but never a crash",
    )
    add(
        "text-many-pages",
        ".txt",
        b"blad\f" * 20000,
        {"too_many_pages", "indexed"},
        "20000 form feeds: 20000 text pages in 100 KB; over the page limit if it applies "
        "to text, harmless if not",
    )


def _encrypted(add: _Add) -> None:
    base = text_pdf(["Vertrouwelijk advies aan het college"])
    for algorithm in ("RC4-40", "RC4-128", "AES-128", "AES-256"):
        add(
            f"encrypted-{algorithm.lower()}",
            ".pdf",
            _encrypt(base, user="geheim", owner="eigenaar", algorithm=algorithm),
            {"encrypted_pdf"},
            f"{algorithm} with a user password: cannot be opened without it",
        )
    add(
        "encrypted-owner-only",
        ".pdf",
        _encrypt(base, user="", owner="eigenaar", algorithm="AES-256"),
        {"indexed", "encrypted_pdf"},
        "AES-256 with an owner password only: the user password is empty, so every viewer "
        "opens it without asking, and pypdf decrypts it with the empty password on open "
        "(while is_encrypted stays True). Indexing is preferred; refusing every /Encrypt "
        "is a defensible policy",
    )


def _encrypt(source: bytes, *, user: str, owner: str, algorithm: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _broken_structure(add: _Add) -> None:
    whole = text_pdf([f"Raadsvoorstel pagina {n}" for n in range(1, 9)])
    for percent in (10, 50, 90):
        add(
            f"truncated-{percent}",
            ".pdf",
            whole[: len(whole) * percent // 100],
            {"corrupt_pdf", "indexed"},
            f"an 8-page PDF cut at {percent}%: no xref or trailer. pypdf rebuilds the xref "
            "by scanning for objects; indexing what survives is a legitimate recovery",
        )
    xref = whole.rindex(b"xref\n")
    trailer = whole.rindex(b"trailer\n")
    add(
        "xref-garbage",
        ".pdf",
        whole[:xref] + b"xref\n0 9999\n" + b"garbage 12345 x \n" * 40 + whole[trailer:],
        {"corrupt_pdf", "indexed"},
        "the xref table is garbage; the objects are intact, so a rebuilt xref recovers them",
    )
    startxref = whole.rindex(b"startxref\n")
    add(
        "startxref-nowhere",
        ".pdf",
        whole[:startxref] + b"startxref\n99999999\n%%EOF\n",
        {"corrupt_pdf", "indexed"},
        "startxref points past the end of the file; a rebuilt xref recovers the objects",
    )
    add(
        "no-eof-marker",
        ".pdf",
        whole[: whole.rindex(b"%%EOF")],
        {"corrupt_pdf", "indexed"},
        "no %%EOF at the end; pypdf tolerates that when not strict",
    )
    add(
        "header-after-junk",
        ".pdf",
        b"Content-Type: application/pdf\r\n\r\n" + b"\x00" * 200 + whole,
        {"unsupported_type", "indexed"},
        "a PDF after 234 bytes of junk (a saved HTTP response): detection by magic at offset 0 "
        "refuses it; viewers accept a header within the first 1024 bytes, so finding it is "
        "fine too",
    )


def _loops(add: _Add) -> None:
    loop_outcomes = {"corrupt_pdf", "indexed"} | LIMITS
    add(
        "xref-prev-loop",
        ".pdf",
        _prev_loop(),
        loop_outcomes,
        "two xref sections whose /Prev point at each other: a reader that follows /Prev "
        "without remembering where it has been never stops. The objects are intact "
        "(pypdf 7.1 notices the loop and reads the page)",
    )
    add(
        "page-tree-loop",
        ".pdf",
        pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                + _FONT_RESOURCES
                + b"/Contents 4 0 R >>",
                _hello(),
                _FONT,
                b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
            ]
        ),
        loop_outcomes | {"too_many_pages"},
        "an intermediate /Pages node whose /Kids is the root again: walking the tree without "
        "a visited set recurses or yields pages forever; one real page can be indexed "
        "(pypdf 7.1: PdfReadError 'Detected cyclic page references')",
    )
    add(
        "outline-loop",
        ".pdf",
        _page_pdf(
            _hello(),
            catalog=b"/Outlines 6 0 R ",
            extra=[
                b"<< /Type /Outlines /First 7 0 R /Last 8 0 R /Count 2 >>",
                b"<< /Title (Inleiding) /Parent 6 0 R /Next 8 0 R /Dest [3 0 R /Fit] >>",
                b"<< /Title (Besluit) /Parent 6 0 R /Prev 7 0 R /Next 7 0 R /Dest [3 0 R /Fit] >>",
            ],
        ),
        loop_outcomes,
        "an outline whose /Next chain loops: harmless unless the pipeline reads bookmarks",
    )
    add(
        "length-self-reference",
        ".pdf",
        _page_pdf(
            b"<< /Length 4 0 R >>\nstream\nBT /F1 12 Tf 72 770 Td (Lengte) Tj ET\nendstream",
        ),
        loop_outcomes,
        "the content stream's /Length is a reference to the stream itself: resolving it "
        "means parsing the object being parsed. Finding endstream instead recovers it "
        "(pypdf 7.1: LimitReachedError, not a PdfReadError)",
    )


def _prev_loop() -> bytes:
    body = _page_pdf(_hello())
    head = body[: body.rindex(b"xref\n")]
    table = body[body.rindex(b"xref\n") : body.rindex(b"trailer\n")]
    first = len(head)
    second = first + len(table) + len(b"trailer\n<< /Size 6 /Root 1 0 R /Prev %010d >>\n" % 0)
    out = head
    out += table + b"trailer\n<< /Size 6 /Root 1 0 R /Prev %010d >>\n" % second
    out += table + b"trailer\n<< /Size 6 /Root 1 0 R /Prev %010d >>\n" % first
    return out + b"startxref\n%d\n%%%%EOF\n" % second


def _bombs(add: _Add) -> None:
    size = 2**30 + 2**20
    add(
        "flate-bomb",
        ".pdf",
        _page_pdf(stream(deflated_zeros(size), b"/Filter /FlateDecode ")),
        {"corrupt_pdf"} | LIMITS,
        f"a 1 MB page content stream that inflates to {size} zero bytes. pypdf 6+ stops "
        "at ZLIB_MAX_OUTPUT_LENGTH with LimitReachedError, which is a PyPdfError but not a "
        "PdfReadError, so it must be caught by name (corrupt_pdf); without that cap the "
        "memory limit must stop it. Indexing an empty page instead would hide the attack",
    )
    depth = 100_000
    add(
        "nested-arrays-content",
        ".pdf",
        _page_pdf(
            stream(b"[" * depth + b"]" * depth + b" pop BT /F1 12 Tf 72 770 Td (Diep) Tj ET"),
        ),
        {"corrupt_pdf", "indexed"} | LIMITS,
        f"{depth} nested arrays in the content stream: a recursive parser hits "
        "RecursionError (pypdf 7.1 does; the pipeline must map it, not crash) or the C stack",
    )
    add(
        "nested-arrays-object",
        ".pdf",
        _page_pdf(_hello(), page=b"/Resources 6 0 R ", extra=[b"[" * depth + b"]" * depth]),
        {"corrupt_pdf", "indexed"} | LIMITS,
        f"the page's /Resources is {depth} nested arrays: parsed when the page is read",
    )
    add(
        "nested-dicts-trailer",
        ".pdf",
        _page_pdf(_hello(), trailer=b"/Info " + b"<< /A " * depth + b">> " * depth),
        {"corrupt_pdf", "indexed"} | LIMITS,
        f"{depth} nested dictionaries in the trailer, parsed on open; a reader that gives up "
        "on the trailer and rebuilds it from the objects may recover the page (pypdf 7.1 does)",
    )
    add(
        "stream-length-absurd",
        ".pdf",
        _page_pdf(
            b"<< /Length 999999999999 >>\nstream\nBT /F1 12 Tf 72 770 Td (Lengte) Tj ET\nendstream",
        ),
        {"corrupt_pdf", "indexed"} | LIMITS,
        "/Length 999999999999: reading that many bytes must not be attempted; the stream "
        "ends at endstream, which a lenient reader finds (pypdf 7.1: LimitReachedError over "
        "MAX_DECLARED_STREAM_LENGTH)",
    )
    add(
        "page-huge-mediabox",
        ".pdf",
        _page_pdf(stream(b"0 0 m 10 10 l S"), mediabox=b"[0 0 14400000 14400000]"),
        {"indexed", "image_too_large", "corrupt_pdf"} | LIMITS,
        "a page without text whose MediaBox is 5 km square: rendering it for OCR at 300 dpi "
        "would be a 3.6 x 10^15-pixel image. PDF caps user space at 14400 units, so a renderer may "
        "clamp it (indexed, no text) or refuse",
    )
    add(
        "pdf-image-bomb",
        ".pdf",
        _page_pdf(
            stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
            page=b"/Resources << /XObject << /Im1 6 0 R >> >> ",
            extra=[
                stream(
                    deflated_zeros(64 * 2**20),
                    b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000 "
                    b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode ",
                )
            ],
        ),
        {"image_too_large", "corrupt_pdf", "indexed"} | LIMITS,
        "a scanned page whose one image claims 100000 x 100000 grey pixels (10 GB raw) in "
        "64 KB: handing the embedded image to OCR must check its size before decoding it; "
        "rendering the page at page resolution instead (no text, indexed) is a recovery",
    )


def _images(add: _Add) -> None:
    add(
        "png-bomb",
        ".png",
        png_claiming(50_000, 50_000),
        {"image_too_large"},
        "a PNG header claiming 50000 x 50000 (2.5 gigapixels) over one row of data: the "
        "size MUST be checked before decoding (Pillow's MAX_IMAGE_PIXELS)",
    )
    jpeg = _image("JPEG")
    sof = jpeg.index(b"\xff\xc0")
    add(
        "jpeg-bomb",
        ".jpg",
        jpeg[: sof + 5] + struct.pack(">HH", 65000, 65000) + jpeg[sof + 9 :],
        {"image_too_large"},
        "a JPEG whose frame header claims 65000 x 65000 (4.2 gigapixels)",
    )
    add(
        "tiff-huge",
        ".tif",
        _tiff_grey(100_000, 100_000),
        {"image_too_large", "unreadable_image"},
        "a TIFF whose IFD claims 100000 x 100000 with 64 KB of strip data",
    )
    add(
        "jpeg-truncated",
        ".jpg",
        jpeg[: len(jpeg) // 2],
        {"unreadable_image", "indexed"},
        "a JPEG cut in half: refusing it is right; decoding what is there (Pillow's "
        "LOAD_TRUNCATED_IMAGES) and OCRing it is a legitimate recovery",
    )
    add(
        "tiff-bogus-ifd",
        ".tif",
        b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 0xFFFF) + b"\xde\xad\xbe\xef" * 64,
        {"unreadable_image"},
        "a TIFF whose first IFD claims 65535 entries and then ends",
    )
    add(
        "tiff-ifd-loop",
        ".tif",
        _tiff_grey(64, 64, next_ifd=8),
        {"unreadable_image", "indexed", "too_many_pages"} | LIMITS,
        "a valid one-page TIFF whose next-IFD offset points back at its own IFD: counting "
        "or iterating frames without a visited set never ends",
    )
    png = _image("PNG")
    idat = png.index(b"IDAT")
    crc = idat + 4 + struct.unpack(">I", png[idat - 4 : idat])[0]
    add(
        "png-bad-crc",
        ".png",
        png[:crc] + bytes(b ^ 0xFF for b in png[crc : crc + 4]) + png[crc + 4 :],
        {"unreadable_image", "indexed"},
        "a PNG whose IDAT checksum is wrong: libpng refuses it, Pillow does not check it on "
        "load; either is acceptable",
    )
    add(
        "gif",
        ".gif",
        _image("GIF"),
        {"unsupported_type"},
        "a valid GIF: we take PDF, PNG, JPEG and TIFF only",
    )


def _page_counts(add: _Add) -> None:
    add(
        "page-count-lie",
        ".pdf",
        _page_pdf(_hello(), count=10_000_000),
        {"too_many_pages", "corrupt_pdf", "indexed"},
        "/Count 10000000 over one real page: a pipeline that trusts /Count refuses it, one "
        "that counts the tree indexes the one page; it must not allocate per claimed page",
    )
    count = 20_000
    add(
        "pages-20000",
        ".pdf",
        _blank_pages(count),
        {"too_many_pages"} | LIMITS,
        f"a real PDF of {count} blank pages (1 MB): over the default limit of "
        f"{DEFAULT_MAX_PAGES} pages",
    )
    add(
        "no-pages",
        ".pdf",
        pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]),
        {"indexed", "corrupt_pdf"},
        "a well-formed PDF with zero pages: an empty record, or refused as broken",
    )
    add(
        "javascript-launch",
        ".pdf",
        _page_pdf(
            _hello(b"Actief document"),
            page=_FONT_RESOURCES + b"/AA << /O << /S /Launch /F (cmd.exe) >> >> ",
            catalog=b"/OpenAction 6 0 R ",
            extra=[
                b"<< /S /JavaScript /JS (app.alert\\('hallo'\\); this.exportDataObject\\(\\);) >>"
            ],
        ),
        {"indexed"},
        "JavaScript on open and a /Launch action on the page: text is extracted, nothing runs",
    )


def _blank_pages(count: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 595 842] >>" % (kids, count),
    ]
    # Distinct page objects: a reader that drops repeated references must still see them all.
    objects += [b"<< /Type /Page /Parent 2 0 R >>"] * count
    return pdf(objects)


def _mislabelled(add: _Add) -> None:
    add(
        "png-as-pdf",
        ".pdf",
        _image("PNG"),
        {"indexed"},
        "a PNG named .pdf: typed by content, so OCRed as the image it is",
    )
    add(
        "pdf-as-jpg",
        ".jpg",
        text_pdf(["Brief aan de bewoners van de wijk"]),
        {"indexed"},
        "a PDF named .jpg: typed by content, so its text layer is indexed",
    )
    add(
        "garbage-as-pdf",
        ".pdf",
        b"\x00\x01\x02\x03" + random.Random(7).randbytes(4092),
        {"unsupported_type"},
        "4 KiB of binary garbage named .pdf: no magic, not text",
    )


def _names(add: _Add) -> None:
    document = text_pdf(["Zienswijze op het bestemmingsplan"])
    text = b"Brief van een inwoner over de herinrichting van de wijk.\n"
    hostile = [
        ("name-dotdot", ".pdf", document, "../../etc/passwd.pdf"),
        ("name-backslash", ".txt", text, "..\\..\\Windows\\win.ini.txt"),
        ("name-nul", ".pdf", document, "factuur\x00.exe.pdf"),
        ("name-rlo", ".pdf", document, "factuur\u202efdp.exe"),
        ("name-nfd", ".pdf", document, "coo\u0308rdinatie.pdf"),
        ("name-long", ".pdf", document, "verslag-" + "\u00e9" * 290 + ".pdf"),
        ("name-newline", ".txt", text, "rapport\r\n2024\t.txt"),
        ("name-dots", ".txt", text, ".."),
        ("name-spaces", ".txt", text, "   "),
    ]
    for name, suffix, content, display in hostile:
        add(
            name,
            suffix,
            content,
            {"indexed"},
            f"uploaded as {display!r} ({len(display.encode())} bytes UTF-8); the content is "
            f"fine, so it is indexed under a sanitised name. {_SANITISED}",
            display,
        )


# --- office documents (ZIP packages of XML) -------------------------------------


@dataclass(frozen=True)
class ZipEntry:
    """One ZIP entry as written: `data` as stored, `size` and `crc` as declared."""

    name: str
    data: bytes
    size: int
    crc: int
    method: int = 8  # deflate
    flags: int = 0


def zip_entry(name: str, content: bytes | str, *, stored: bool = False) -> ZipEntry:
    """An honest entry holding `content`, deflated unless `stored`."""
    raw = content.encode() if isinstance(content, str) else content
    if stored:
        return ZipEntry(name, raw, len(raw), zlib.crc32(raw), method=0)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = deflater.compress(raw) + deflater.flush()
    return ZipEntry(name, data, len(raw), zlib.crc32(raw))


def zip_archive(entries: Sequence[ZipEntry]) -> bytes:
    """Assemble a ZIP with local headers, a central directory and its end record.

    Dates are fixed (1 January 1980), so the same entries give the same bytes.
    """
    out = bytearray()
    central = bytearray()
    for entry in entries:
        name = entry.name.encode()
        sizes = (entry.crc, len(entry.data), entry.size, len(name))
        local = struct.pack("<HHHHHIIIHH", 20, entry.flags, entry.method, 0, 0x21, *sizes, 0)
        central += (
            b"PK\x01\x02"
            + struct.pack(
                "<HHHHHHIIIHHHHHII",
                20,
                20,
                entry.flags,
                entry.method,
                0,
                0x21,
                *sizes,
                0,
                0,
                0,
                0,
                0,
                len(out),
            )
            + name
        )
        out += b"PK\x03\x04" + local + name + entry.data
    count = len(entries)
    end = struct.pack("<HHHHIIH", 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + b"PK\x05\x06" + end)


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def content_types(main: str = WORD_MAIN, part: str = "/word/document.xml") -> str:
    """An OPC [Content_Types].xml whose main part is `part` of type `main`."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{part}" ContentType="{main}"/></Types>'
    )


def package_rels(target: str = "word/document.xml") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{_PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{_OFFICE_DOCUMENT}" Target="{target}"/></Relationships>'
    )


def word_document(paragraphs: Sequence[str], *, prolog: str = "") -> str:
    """A WordprocessingML main part with one paragraph per string (already XML-escaped)."""
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{_W_NS}"><w:body>{body}</w:body></w:document>'
    )


def docx(paragraphs: Sequence[str], *, document: ZipEntry | None = None) -> bytes:
    """A minimal DOCX: content types, package relationships and the main part."""
    return zip_archive(
        [
            zip_entry("[Content_Types].xml", content_types()),
            zip_entry("_rels/.rels", package_rels()),
            document or zip_entry("word/document.xml", word_document(paragraphs)),
        ]
    )


ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
)


def odt_content(body: str, *, styles: str = "", prolog: str = "") -> str:
    """An ODF content.xml with `body` (XML) as office:text and `styles` as automatic styles."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<office:document-content {_ODF_NS} office:version="1.3">'
        f"<office:automatic-styles>{styles}</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )


def odt_manifest(extra: str = "") -> str:
    ns = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest:manifest xmlns:manifest="{ns}" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT_MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        f"{extra}</manifest:file-entry></manifest:manifest>"
    )


def odt(
    content: str | ZipEntry, *, styles: str | None = None, manifest: str | None = None
) -> bytes:
    """An ODT package: `mimetype` first and stored (ODF 1.3 part 2, 3.3), then the parts."""
    entries = [
        zip_entry("mimetype", ODT_MIMETYPE, stored=True),
        content if isinstance(content, ZipEntry) else zip_entry("content.xml", content),
    ]
    if styles is not None:
        entries.append(zip_entry("styles.xml", styles))
    entries.append(zip_entry("META-INF/manifest.xml", manifest or odt_manifest()))
    return zip_archive(entries)


@functools.cache
def _zeros_crc(size: int, chunk: int = 2**20) -> int:
    zeros = bytes(chunk)
    crc = 0
    for _ in range(size // chunk):
        crc = zlib.crc32(zeros, crc)
    return crc


def _zero_entry(name: str, size: int, declared: int | None = None) -> ZipEntry:
    """An entry whose deflate data inflates to `size` zero bytes; it may declare another size."""
    raw = deflated_zeros(size)[2:-4]  # a zlib stream less its header and Adler-32
    return ZipEntry(name, raw, size if declared is None else declared, _zeros_crc(size))


_LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10)).replace(
        "&lol1;", "&lol;"
    )
    + "]>"
)
_XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _office(add: _Add) -> None:
    text = ["Brief aan de bewoners over de herinrichting van de Lindelaan."]
    add(
        "docx-as-pdf",
        ".pdf",
        docx(text),
        {"indexed"},
        "a valid DOCX named .pdf: typed by content (a ZIP whose [Content_Types].xml names a "
        "Word main part), so its text is indexed",
    )
    long = docx([f"Alinea {n} van het raadsvoorstel over de Lindelaan." for n in range(400)])
    add(
        "docx-truncated",
        ".docx",
        long[: len(long) * 6 // 10],
        {"corrupt_document"},
        "a DOCX cut at 60%: its head says DOCX, but the central directory is gone",
    )
    add(
        "docx-no-document",
        ".docx",
        zip_archive(
            [
                zip_entry("[Content_Types].xml", content_types()),
                zip_entry("_rels/.rels", package_rels()),
            ]
        ),
        {"corrupt_document"},
        "content types and relationships name word/document.xml, which is not there",
    )
    add(
        "docx-billion-laughs",
        ".docx",
        docx(
            [], document=zip_entry("word/document.xml", word_document(["&lol9;"], prolog=_LAUGHS))
        ),
        {"unsafe_xml"},
        "word/document.xml declares nine nested entities that expand to 10^9 'lol's: a DTD, "
        "which OPC forbids, refused before any parser expands anything",
    )
    add(
        "docx-xxe",
        ".docx",
        docx([], document=zip_entry("word/document.xml", word_document(["&xxe;"], prolog=_XXE))),
        {"unsafe_xml"},
        "an external entity reading /etc/passwd into the document text",
    )
    add(
        "odt-dtd-after-comment",
        ".odt",
        odt(
            odt_content(
                "<text:p>&xxe;</text:p>",
                prolog="<!-- <office:document-content> looks like the root, but is a comment -->"
                '<!DOCTYPE office:document-content [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
            )
        ),
        {"unsafe_xml"},
        "content.xml hides its DTD behind a comment that contains something like a start tag",
    )
    add(
        "docx-deep-xml",
        ".docx",
        docx(
            [],
            document=zip_entry(
                "word/document.xml",
                word_document(["<w:r>" * 20000 + "diep" + "</w:r>" * 20000]),
            ),
        ),
        {"corrupt_document"},
        "20000 nested elements in word/document.xml: libxml2 stops at depth 256 unless "
        "huge_tree is on, and it is not",
    )
    encrypted = zip_entry("word/document.xml", random.Random(11).randbytes(512), stored=True)
    add(
        "docx-encrypted-entry",
        ".docx",
        docx([], document=dataclasses.replace(encrypted, flags=1)),
        {"encrypted_document"},
        "word/document.xml carries the ZIP encryption flag (traditional PKWARE)",
    )
    add(
        "odt-encrypted",
        ".odt",
        odt(
            zip_entry("content.xml", random.Random(12).randbytes(2048), stored=True),
            manifest=odt_manifest(
                '<manifest:encryption-data manifest:checksum-type="SHA1/1K" '
                'manifest:checksum="AAAA"/>'
            ),
        ),
        {"encrypted_document"},
        "an ODT saved with a password: the manifest lists encryption data, content.xml is "
        "ciphertext (not a ZIP-level encryption flag)",
    )
    size = 2**30
    add(
        "docx-zip-bomb",
        ".docx",
        docx([], document=_zero_entry("word/document.xml", size)),
        {"zip_bomb"},
        f"word/document.xml honestly declares {size} bytes, deflated 1000 times: refused on "
        "its declared size and ratio before anything is inflated",
    )
    add(
        "docx-size-lie",
        ".docx",
        docx([], document=_zero_entry("word/document.xml", 64 * 2**20, declared=4096)),
        {"zip_bomb", "corrupt_document"},
        "word/document.xml declares 4096 bytes but inflates to 64 MiB: reading MUST stop at "
        "the declared size (zipfile does, and the CRC then fails)",
    )
    many = [zip_entry("[Content_Types].xml", content_types())]
    many += [zip_entry(f"word/media/x{n}.bin", b"", stored=True) for n in range(20_000)]
    add(
        "zip-many-entries",
        ".docx",
        zip_archive(many),
        {"zip_too_many_entries"},
        "20000 empty entries (2 MB): bounded from the end record, before zipfile builds a "
        "list of them",
    )
    add(
        "zip-plain",
        ".docx",
        zip_archive([zip_entry("notulen.txt", "Notulen van de raadsvergadering.\n" * 20)]),
        {"unsupported_type"},
        "an ordinary ZIP named .docx: the head shows no office package, the sandbox finds "
        "neither [Content_Types].xml nor mimetype",
    )
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    add(
        "xlsx-as-docx",
        ".docx",
        zip_archive(
            [
                zip_entry("[Content_Types].xml", content_types(sheet, "/xl/workbook.xml")),
                zip_entry("_rels/.rels", package_rels("xl/workbook.xml")),
                zip_entry("xl/workbook.xml", "<workbook/>"),
            ]
        ),
        {"unsupported_type"},
        "an Excel workbook named .docx: OOXML, but not WordprocessingML",
    )


# --- e-mail ------------------------------------------------------------------------

_MAIL_HEAD = (
    b"Return-Path: <j.devries@example.org>\r\n"
    b"From: Jan de Vries <j.devries@example.org>\r\n"
    b"To: griffie@groenstad.example\r\n"
    b"Date: Tue, 14 Jan 2025 10:00:00 +0100\r\n"
    b"Message-ID: <zienswijze-1@example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
)


def _deep_mime(depth: int) -> bytes:
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="grens%d"\r\n\r\n--grens%d\r\n' % (n, n)
        for n in range(depth)
    )
    closing = b"".join(b"\r\n--grens%d--\r\n" % n for n in reversed(range(depth)))
    return opening + b"Content-Type: text/plain\r\n\r\nDiep verstopt." + closing


def _mail(add: _Add) -> None:
    add(
        "mail-many-headers",
        ".eml",
        _MAIL_HEAD + b"X-Doorgestuurd: ja\r\n" * 200_000 + b"Subject: veel\r\n\r\nTekst.\r\n",
        {"mail_too_many_headers"},
        "200000 header fields (4 MB): counted on the raw bytes before parsing",
    )
    size = 50 * 2**20
    add(
        "mail-long-line",
        ".eml",
        _MAIL_HEAD + b"Subject: lang\r\n\r\n" + b"blablabla " * (size // 10),
        {"mail_line_too_long"},
        f"a body that is one line of {size} bytes (RFC 5322 allows 998 characters)",
    )
    add(
        "mail-mime-1000-deep",
        ".eml",
        _MAIL_HEAD + b"Subject: diep\r\n" + _deep_mime(1000),
        {"mail_too_deep"},
        "multipart inside multipart, 1000 deep: the email package's parser recurses per level "
        "(RecursionError) and its walk() too; both are mapped, and depth is bounded",
    )
    add(
        "mail-bad-charsets",
        ".eml",
        b"From: =?x-bogus?q?Jan_de_Vri=EBs?= <j.devries@example.org>\r\n"
        b"To: griffie@groenstad.example\r\n"
        b"Subject: =?x-unknown?b?WmllbnN3aWp6ZQ==?= over de caf\xe9\r\n"
        b"Date: Tue, 14 Jan 2025 10:00:00 +0100\r\n"
        b"Message-ID: <charset@example.org>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="grens"\r\n\r\n'
        b"--grens\r\n"
        b'Content-Type: text/plain; charset="x-no-such-charset"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Zienswijze over het caf\xe9terras aan de Lindelaan.\r\n"
        b"--grens\r\n"
        b'Content-Type: text/plain; charset="zlib"; name="bijlage.txt"\r\n'
        b'Content-Disposition: attachment; filename="bijlage.txt"\r\n\r\n'
        b"x\x9c\x03\x00\x00\x00\x00\x01\r\n"
        b"--grens--\r\n",
        {"indexed"},
        "unknown charsets in encoded words and parts, a non-text codec (zlib) as a charset, "
        "raw latin-1 bytes in a header: decoded leniently (UTF-8, else Windows-1252), indexed",
    )
    add(
        "mail-as-pdf",
        ".pdf",
        _MAIL_HEAD + b"Subject: Zienswijze\r\n\r\nIk maak bezwaar tegen de kap.\r\n",
        {"indexed"},
        "an e-mail message named .pdf: its header block says RFC 5322",
    )
