# SPDX-License-Identifier: EUPL-1.2
"""Text pages from office documents: DOCX (OOXML WordprocessingML) and ODT (OpenDocument Text).

Runs inside the sandbox (ingest/pages.py:analyze), like every parser of
untrusted bytes. Both formats are ZIP packages of XML, so the hostile cases
are those of ZIP and XML, and this module MUST refuse them before any parser
sees the bytes:

- ZIP: the central directory is bounded (entries, bytes) before `zipfile`
  builds its entry list; every entry's declared size, the total and the
  compression ratio are bounded; then every entry is inflated once, and
  dropped, with a hard cap on the bytes it actually gives (a lying size
  fails its CRC in `zipfile`, which stops at the declared size), so no
  parser meets a damaged entry. Encrypted entries, methods
  other than stored/deflate (bzip2 and LZMA inflate without a bound in
  `zipfile`) and duplicate names are refused.
- XML: no part may carry a DTD. OPC (ECMA-376 part 2) forbids DTDs and ODF
  never uses one, and entity declarations are what billion-laughs and
  external-entity attacks are made of. Every XML part's prolog is scanned
  before it is parsed (for DOCX, all of them before python-docx parses
  them); our own parser also resolves no entities, loads nothing
  from the network and keeps libxml2's tree limits (huge_tree off), as
  python-docx's parser does.

Text keeps document order: paragraphs, headings, table cells, text boxes.
Pages follow the page breaks the file marks (DOCX: `w:br w:type="page"`,
`w:lastRenderedPageBreak`, `w:pageBreakBefore`; ODT: `text:soft-page-break`
and paragraph styles that break before or after), else the document is one
page. Foot- and endnotes go at the end of the page that cites them; headers
at the top of the first page, footers at the end of the last: they repeat on
every page, so once is enough to find them.

Library choice (docs/architecture.md): python-docx opens the DOCX package
(content types, relationships, the main part wherever it is) and refuses
packages that are not Word documents; the body is walked here as lxml
elements, because python-docx's API has no page breaks in document order,
no text boxes and no notes. ODT needs no library: its text model is a
handful of standard elements in `content.xml`, read with lxml's hardened
parser (odfdo and odfpy would add a dependency whose XML parser settings
are not ours to set, for features we do not use).
"""

from __future__ import annotations

import codecs
import contextlib
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from docx.opc.constants import CONTENT_TYPE
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.part import XmlPart
from docx.package import Package
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from archief.errors import ArchiefError
from archief.intake.detect import DOCX, ODT, ZIP

MEDIA_TYPES: Final = (DOCX, ODT, ZIP)

# Bounds, far above what a real document needs (a long report with photos
# has a few hundred entries, tens of MB).
MAX_ENTRIES: Final = 10_000
MAX_CENTRAL_DIRECTORY: Final = 8 * 2**20
MAX_ENTRY_BYTES: Final = 256 * 2**20
MAX_TOTAL_BYTES: Final = 512 * 2**20
MAX_XML_BYTES: Final = 64 * 2**20
# Text XML deflates 5 to 20 times, rarely 100; zeros deflate 1000 times.
MAX_RATIO: Final = 250
RATIO_FROM_BYTES: Final = 2**20
MAX_PROLOG_BYTES: Final = 64 * 2**10
# A run of spaces (ODT `text:s text:c="..."`) says layout, not words.
MAX_SPACES: Final = 16
_CHUNK: Final = 2**20
_BLANK_LINES: Final = re.compile(r"\n{3,}")

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
_MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
_SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
_ODT_MIMETYPE: Final = b"application/vnd.oasis.opendocument.text"

_RT_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_RT_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
_RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"


class DocumentError(ArchiefError):
    """An office document or e-mail that cannot be read; `code` says why."""

    status = 422
    title = "Document niet verwerkbaar"

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def analyze(path: Path, max_pages: int) -> dict[str, Any]:
    """Plan the text pages of the DOCX or ODT at `path`; a bare ZIP is settled here."""
    with open_package(path) as package:
        kind = _kind(package)
        pages = _odt(package, max_pages) if kind == ODT else _docx(path, package, max_pages)
    return {
        "pages": [{"number": i, "text": text} for i, text in enumerate(pages, start=1)],
        "thumbnail": None,
        # What the content turned out to be, for intake's "zip container".
        "media_type": kind,
    }


# --- the ZIP package -----------------------------------------------------------


@contextlib.contextmanager
def open_package(path: Path) -> Iterator[zipfile.ZipFile]:
    """Open a ZIP package after bounding and reading through all of it; refuse what is hostile."""
    _check_directory(path)
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise DocumentError("corrupt_document", f"not a readable ZIP package: {exc}") from exc
    except NotImplementedError as exc:
        raise DocumentError("corrupt_document", f"unsupported ZIP feature: {exc}") from exc
    with package:
        _check_entries(package)
        yield package


def _check_directory(path: Path) -> None:
    """Bound the central directory from its end record, before `zipfile` reads it whole."""
    size = path.stat().st_size
    with path.open("rb") as f:
        tail_start = max(0, size - (22 + 0xFFFF))
        f.seek(tail_start)
        tail = f.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            raise DocumentError(
                "corrupt_document", "no ZIP end of central directory: truncated or not a ZIP"
            )
        entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
        entries_, directory_ = int(entries), int(directory)
        locator = tail[at - 20 : at] if at >= 20 else b""
        if locator.startswith(_ZIP64_LOCATOR):
            (offset,) = struct.unpack("<Q", locator[8:16])
            f.seek(offset)
            record = f.read(56)
            if len(record) < 56 or not record.startswith(_ZIP64_EOCD):
                raise DocumentError("corrupt_document", "a broken ZIP64 end of central directory")
            entries_, directory_ = struct.unpack("<QQ", record[32:48])
    if entries_ > MAX_ENTRIES:
        raise DocumentError(
            "zip_too_many_entries", f"the ZIP declares {entries_} entries, over {MAX_ENTRIES}"
        )
    if directory_ > MAX_CENTRAL_DIRECTORY:
        raise DocumentError(
            "zip_too_many_entries",
            f"the ZIP's central directory is {directory_} bytes, over {MAX_CENTRAL_DIRECTORY}",
        )


def _check_entries(package: zipfile.ZipFile) -> None:
    infos = package.infolist()
    if len(infos) > MAX_ENTRIES:
        raise DocumentError(
            "zip_too_many_entries", f"the ZIP has {len(infos)} entries, over {MAX_ENTRIES}"
        )
    names: set[str] = set()
    total = 0
    for info in infos:
        if info.filename in names:
            # Which copy a reader takes is up to the reader: ambiguous content.
            raise DocumentError("corrupt_document", f"the ZIP holds {info.filename!r} twice")
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise DocumentError("encrypted_document", f"ZIP entry {info.filename!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DocumentError(
                "corrupt_document",
                f"ZIP entry {info.filename!r} uses compression method {info.compress_type}, "
                "which office documents do not use",
            )
        _check_sizes(info)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise DocumentError(
                "zip_bomb", f"the ZIP's entries declare more than {MAX_TOTAL_BYTES} bytes"
            )
    read = 0
    for info in infos:
        read += _read_through(package, info, MAX_TOTAL_BYTES - read)


def _check_prologs(package: zipfile.ZipFile) -> None:
    """Scan the prolog of every XML part, for parsers we do not configure (python-docx's)."""
    for info in package.infolist():
        if _is_xml(info.filename) and info.file_size:
            check_prolog(
                _read(package, info.filename, MAX_PROLOG_BYTES, whole=False), info.filename
            )


def _check_sizes(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_ENTRY_BYTES:
        raise DocumentError(
            "zip_bomb",
            f"ZIP entry {info.filename!r} declares {info.file_size} bytes, over {MAX_ENTRY_BYTES}",
        )
    if _is_xml(info.filename) and info.file_size > MAX_XML_BYTES:
        raise DocumentError(
            "zip_bomb",
            f"XML part {info.filename!r} declares {info.file_size} bytes, over {MAX_XML_BYTES}",
        )
    if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(
        info.compress_size, 1
    ):
        raise DocumentError(
            "zip_bomb",
            f"ZIP entry {info.filename!r} inflates {info.file_size // max(info.compress_size, 1)} "
            f"times, over {MAX_RATIO}",
        )


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def _read_through(package: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Inflate one entry without keeping it; return the bytes it gave."""
    count = 0
    try:
        with package.open(info) as entry:
            while chunk := entry.read(_CHUNK):
                count += len(chunk)
                if count > budget or count > info.file_size:
                    raise DocumentError(
                        "zip_bomb", f"ZIP entry {info.filename!r} inflates past its bounds"
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise DocumentError(
            "corrupt_document", f"ZIP entry {info.filename!r} is damaged: {exc}"
        ) from exc
    return count


def check_prolog(data: bytes, name: str) -> None:
    """Refuse an XML document whose prolog declares a DTD (entities, external subsets)."""
    text = _decode_prolog(data)
    at = 0
    while True:
        at = text.find("<", at)
        if at < 0:
            if len(data) >= MAX_PROLOG_BYTES:
                raise DocumentError(
                    "unsafe_xml", f"{name}: no root element in the first {MAX_PROLOG_BYTES} bytes"
                )
            return  # not XML at all: the parser will say so
        if text.startswith("<?", at):
            end = text.find("?>", at)
        elif text.startswith("<!--", at):
            end = text.find("-->", at)
        elif text.startswith("<!", at):
            raise DocumentError(
                "unsafe_xml",
                f"{name} declares a DTD ({text[at : at + 20]!r}); office documents have none, "
                "and entity declarations are how XML bombs and external-entity attacks work",
            )
        else:
            return  # the root element: the prolog is over
        if end < 0:
            return
        at = end


def _decode_prolog(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    if data.startswith(b"<\x00"):
        return data.decode("utf-16-le", "replace")
    if data.startswith(b"\x00<"):
        return data.decode("utf-16-be", "replace")
    return data.decode("latin-1")


def _read(
    package: zipfile.ZipFile, name: str, cap: int = MAX_XML_BYTES, *, whole: bool = True
) -> bytes:
    """Read one entry, never more than `cap` bytes; `whole`: all of it, or refuse it."""
    try:
        with package.open(name) as entry:
            data = entry.read(cap + 1 if whole else cap)
    except KeyError as exc:
        raise DocumentError("corrupt_document", f"the package has no {name}") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise DocumentError("corrupt_document", f"{name} is damaged: {exc}") from exc
    if len(data) > cap:
        raise DocumentError("zip_bomb", f"{name} is larger than {cap} bytes")
    return data


def _kind(package: zipfile.ZipFile) -> str:
    """Settle from the package itself whether it is an ODT or a DOCX."""
    names = set(package.namelist())
    if "mimetype" in names:
        mimetype = _read(package, "mimetype", 256).strip()
        if mimetype == _ODT_MIMETYPE:
            return ODT
        shown = mimetype.decode("ascii", "replace")
        raise DocumentError(
            "unsupported_type", f"a ZIP package of type {shown!r}: of OpenDocument, only ODT"
        )
    if "[Content_Types].xml" in names:
        return DOCX  # python-docx checks the main part's content type
    if "META-INF/manifest.xml" in names and "content.xml" in names:
        # ODF 1.2 lets a package go without `mimetype`; the manifest names it then.
        manifest = parse_xml(_read(package, "META-INF/manifest.xml"), "META-INF/manifest.xml")
        for entry in manifest.iter(f"{_MANIFEST}file-entry"):
            if entry.get(f"{_MANIFEST}full-path") == "/":
                if entry.get(f"{_MANIFEST}media-type", "").encode() == _ODT_MIMETYPE:
                    return ODT
                break
    raise DocumentError("unsupported_type", "a ZIP archive that is neither a DOCX nor an ODT")


def parse_xml(data: bytes, name: str) -> Any:
    """Parse one XML part with entities, DTDs and the network off; return its root."""
    check_prolog(data[:MAX_PROLOG_BYTES], name)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DocumentError("corrupt_document", f"{name} is not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise DocumentError("unsafe_xml", f"{name} declares a DTD")
    return root


# --- pages ---------------------------------------------------------------------


class _Pages:
    """Text in document order, cut into pages at the breaks the document marks."""

    def __init__(self, max_pages: int) -> None:
        self._max = max_pages
        self._pages: list[list[str]] = [[]]
        self._notes: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self._pages[-1].append(text)

    def note(self, text: str) -> None:
        if text.strip():
            self._notes.append(text.strip())

    def br(self) -> None:
        """Start a new page, unless nothing was written since the last break.

        Word writes a rendered page break right after an explicit one: two
        marks, one page boundary.
        """
        if not any(part.strip() for part in self._pages[-1]):
            return
        self._flush_notes()
        if len(self._pages) >= self._max:
            raise DocumentError("too_many_pages", f"more than {self._max} pages")
        self._pages.append([])

    def _flush_notes(self) -> None:
        if self._notes:
            self._pages[-1].append("\n\n" + "\n".join(self._notes) + "\n")
            self._notes = []

    def texts(self) -> list[str]:
        self._flush_notes()
        return [_tidy("".join(parts)) for parts in self._pages]


def _tidy(text: str) -> str:
    lines = "\n".join(line.rstrip() for line in text.split("\n"))
    return unicodedata.normalize("NFC", _BLANK_LINES.sub("\n\n", lines).strip("\n"))


def _framed(body: list[str], top: str, bottom: str) -> list[str]:
    """Put header text at the top of the first page and footer text at the end of the last."""
    pages = list(body) or [""]
    if top.strip():
        pages[0] = f"{top.strip()}\n\n{pages[0]}".rstrip("\n")
    if bottom.strip():
        pages[-1] = f"{pages[-1]}\n\n{bottom.strip()}".lstrip("\n")
    return [unicodedata.normalize("NFC", page) for page in pages]


# --- DOCX ----------------------------------------------------------------------

# Properties and change records hold no document text, and mc:Fallback repeats
# mc:Choice (a text box is written twice); moved-from text is the old copy of moved-to.
_DOCX_SKIP: Final = frozenset(
    {
        f"{_W}pPr",
        f"{_W}rPr",
        f"{_W}sectPr",
        f"{_W}tblPr",
        f"{_W}tblGrid",
        f"{_W}trPr",
        f"{_W}tcPr",
        f"{_W}moveFrom",
        f"{_W}instrText",
        f"{_W}delText",
        f"{_MC}Fallback",
    }
)
_DOCX_CHARS: Final = {
    f"{_W}tab": "\t",
    f"{_W}ptab": "\t",
    f"{_W}cr": "\n",
    f"{_W}noBreakHyphen": "-",
}


def _docx(path: Path, package: zipfile.ZipFile, max_pages: int) -> list[str]:
    _check_prologs(package)
    try:
        part = Package.open(str(path)).main_document_part
    except PackageNotFoundError as exc:
        raise DocumentError("corrupt_document", f"not an OOXML package: {exc}") from exc
    except KeyError as exc:
        raise DocumentError(
            "corrupt_document", f"a part the package names is missing (no main document?): {exc}"
        ) from exc
    except etree.XMLSyntaxError as exc:
        raise DocumentError("corrupt_document", f"a part is not well-formed XML: {exc}") from exc
    except (ValueError, TypeError, AttributeError, IndexError, zipfile.BadZipFile) as exc:
        raise DocumentError("corrupt_document", f"a damaged OOXML package: {exc}") from exc
    if part.content_type != CONTENT_TYPE.WML_DOCUMENT_MAIN:
        raise DocumentError(
            "unsupported_type",
            f"an OOXML package whose main part is {part.content_type}, not a Word document",
        )
    notes: dict[str, str] = {}
    top: list[str] = []
    bottom: list[str] = []
    seen: set[str] = set()
    for rel in sorted(part.rels.values(), key=lambda r: str(r.rId)):
        if rel.is_external or rel.reltype not in (
            _RT_HEADER,
            _RT_FOOTER,
            _RT_FOOTNOTES,
            _RT_ENDNOTES,
        ):
            continue
        target = rel.target_part
        if str(target.partname) in seen:
            continue
        seen.add(str(target.partname))
        root = (
            target.element
            if isinstance(target, XmlPart)
            else parse_xml(target.blob, str(target.partname))
        )
        if rel.reltype in (_RT_FOOTNOTES, _RT_ENDNOTES):
            notes.update(_docx_notes(root))
        else:
            text = "\n".join(_docx_text(root, max_pages))
            (top if rel.reltype == _RT_HEADER else bottom).append(text)
    body = part.element.find(f"{_W}body")
    if body is None:
        raise DocumentError("corrupt_document", "the main document part has no w:body")
    return _framed(_docx_text(body, max_pages, notes), "\n".join(top), "\n".join(bottom))


def _docx_notes(root: Any) -> dict[str, str]:
    notes: dict[str, str] = {}
    for note in root:
        if note.tag in (f"{_W}footnote", f"{_W}endnote") and note.get(f"{_W}type") is None:
            text = " ".join(_docx_text(note, 1_000_000)).strip()
            if text:
                notes[note.tag[len(_W) :] + ":" + str(note.get(f"{_W}id"))] = text
    return notes


def _on(element: Any, name: str) -> bool:
    """Whether an OOXML on/off property is on (present, and not val="0"/"false"/"off")."""
    found = element.find(f"{_W}pPr/{_W}{name}")
    return found is not None and found.get(f"{_W}val", "true") not in ("0", "false", "off")


def _docx_text(root: Any, max_pages: int, notes: dict[str, str] | None = None) -> list[str]:
    pages = _Pages(max_pages)
    walk = etree.iterwalk(root, events=("start", "end"))
    for event, el in walk:
        tag = el.tag
        if event == "end":
            if tag == f"{_W}p":
                pages.add("\n")
        elif tag in _DOCX_SKIP:
            walk.skip_subtree()
        elif tag == f"{_W}t":
            pages.add(el.text)
        elif tag in _DOCX_CHARS:
            pages.add(_DOCX_CHARS[tag])
        elif tag == f"{_W}br":
            if el.get(f"{_W}type") == "page":
                pages.br()
            else:
                pages.add("\n")
        elif tag == f"{_W}lastRenderedPageBreak" or (
            tag == f"{_W}p" and _on(el, "pageBreakBefore")
        ):
            pages.br()
        elif tag in (f"{_W}footnoteReference", f"{_W}endnoteReference") and notes:
            key = tag[len(_W) : -len("Reference")] + ":" + str(el.get(f"{_W}id"))
            if key in notes:
                pages.note(notes[key])
    return pages.texts()


# --- ODT -----------------------------------------------------------------------

# Annotations are comments on the text, tracked changes keep deleted text,
# note citations are the footnote's number, svg titles describe drawings.
_ODT_SKIP: Final = frozenset(
    {
        f"{_OFFICE}annotation",
        f"{_TEXT}tracked-changes",
        f"{_TEXT}note-citation",
        f"{_SVG}title",
        f"{_SVG}desc",
    }
)
_PARAGRAPHS: Final = frozenset({f"{_TEXT}p", f"{_TEXT}h"})


def _odt(package: zipfile.ZipFile, max_pages: int) -> list[str]:
    names = set(package.namelist())
    if "META-INF/manifest.xml" in names:
        manifest = parse_xml(_read(package, "META-INF/manifest.xml"), "META-INF/manifest.xml")
        if next(manifest.iter(f"{_MANIFEST}encryption-data"), None) is not None:
            raise DocumentError("encrypted_document", "the ODT is protected by a password")
    if "content.xml" not in names:
        raise DocumentError("corrupt_document", "the ODT has no content.xml")
    content = parse_xml(_read(package, "content.xml"), "content.xml")
    text = content.find(f"{_OFFICE}body/{_OFFICE}text")
    if text is None:
        raise DocumentError("corrupt_document", "content.xml has no office:text body")
    before, after = _odt_breaks(content)
    top, bottom = "", ""
    if "styles.xml" in names:
        styles = parse_xml(_read(package, "styles.xml"), "styles.xml")
        top, bottom = _odt_master_pages(styles)
    pages = _Pages(max_pages)
    _OdtWalk(pages, before, after).run(text)
    return _framed(pages.texts(), top, bottom)


def _odt_breaks(content: Any) -> tuple[set[str], set[str]]:
    """The automatic paragraph styles that break the page before or after their paragraph."""
    before: set[str] = set()
    after: set[str] = set()
    styles = content.find(f"{_OFFICE}automatic-styles")
    if styles is None:
        return before, after
    for style in styles.iter(f"{_STYLE}style"):
        props = style.find(f"{_STYLE}paragraph-properties")
        name = style.get(f"{_STYLE}name")
        if props is None or name is None:
            continue
        if props.get(f"{_FO}break-before") == "page":
            before.add(name)
        if props.get(f"{_FO}break-after") == "page":
            after.add(name)
    return before, after


def _odt_master_pages(styles: Any) -> tuple[str, str]:
    top: list[str] = []
    bottom: list[str] = []
    masters = styles.find(f"{_OFFICE}master-styles")
    if masters is None:
        return "", ""
    for master in masters.iter(f"{_STYLE}master-page"):
        for region in master:
            local = region.tag[len(_STYLE) :] if region.tag.startswith(_STYLE) else ""
            if local.startswith(("header", "footer")):
                pages = _Pages(1_000_000)
                _OdtWalk(pages, set(), set()).run(region)
                text = "\n".join(pages.texts()).strip()
                if text and text not in top + bottom:
                    (top if local.startswith("header") else bottom).append(text)
    return "\n".join(top), "\n".join(bottom)


class _OdtWalk:
    """Read ODF text elements in document order into pages, notes at the end of their page."""

    def __init__(self, pages: _Pages, before: set[str], after: set[str]) -> None:
        self.pages, self.before, self.after = pages, before, after
        self.depth = 0  # paragraphs open around the element: text outside them is layout
        self.notes: list[list[str]] = []  # the note bodies being read, innermost last

    def put(self, text: str | None) -> None:
        if text and self.depth:
            if self.notes:
                self.notes[-1].append(text)
            else:
                self.pages.add(text)

    def run(self, root: Any) -> None:
        walk = etree.iterwalk(root, events=("start", "end"))
        for event, el in walk:
            if event == "end":
                self.end(el)
            elif el.tag in _ODT_SKIP:
                walk.skip_subtree()
            else:
                self.start(el)

    def start(self, el: Any) -> None:
        tag = el.tag
        if tag in _PARAGRAPHS:
            if el.get(f"{_TEXT}style-name") in self.before and not self.notes:
                self.pages.br()
            self.depth += 1
            self.put(el.text)
        elif tag == f"{_TEXT}soft-page-break":
            if not self.notes:
                self.pages.br()
        elif tag == f"{_TEXT}s":
            self.put(" " * min(_count(el.get(f"{_TEXT}c")), MAX_SPACES))
        elif tag == f"{_TEXT}tab":
            self.put("\t")
        elif tag == f"{_TEXT}line-break":
            self.put("\n")
        elif tag == f"{_TEXT}note-body":
            self.notes.append([])
        else:
            self.put(el.text)

    def end(self, el: Any) -> None:
        # The element is done; its tail is text of the enclosing paragraph.
        tag = el.tag
        if tag in _PARAGRAPHS:
            self.put("\n")
            self.depth -= 1
            if el.get(f"{_TEXT}style-name") in self.after and not self.notes:
                self.pages.br()
        elif tag == f"{_TEXT}note-body" and self.notes:
            self.pages.note(" ".join("".join(self.notes.pop()).split()))
        self.put(el.tail)


def _count(value: str | None) -> int:
    try:
        return max(1, int(value or "1"))
    except ValueError:
        return 1
