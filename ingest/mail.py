# SPDX-License-Identifier: EUPL-1.2
"""The pages of an e-mail message (RFC 5322, `.eml`): the message, then its attachments.

Runs inside the sandbox (ingest/pages.py:analyze), read with the stdlib
`email` package. An e-mail and its attachments are one archival record (the
archival bond), so the attachments' text is found through the e-mail's own
record, as its further pages:

- Page 1 is the message: From, To, Cc, Date and Subject (RFC 2047 words
  decoded), the body (text/plain preferred, else text/html reduced to text)
  and every attachment by name, declared type and size, with the page(s)
  that hold it or why none do.
- Then each attachment archief can read, in message order. Its type is
  detected from its bytes (archief/intake/detect.py), never taken from the
  declared type or the file name: PDF (ingest/pages.py's PDF reader: text
  pages, and scanned pages as images for OCR), DOCX and ODT
  (ingest/office.py), JPEG/PNG/TIFF (image pages for OCR), text (UTF-8, or
  any other charset if the bytes are plainly text; HTML reduced to text).
  Every text page starts with a line `Bijlage: <name>`; an image page gets
  its text from OCR, so only page 1's list names it.
- A forwarded message (message/rfc822, or bytes that are one) becomes one
  page: its headers, body and the list of its own attachments, which are
  not read. One level is enough for the usual "FW:" with the substance in
  the forwarded body; deeper nesting would only multiply the bounds below.

The attachments' bytes are written to the sandbox's work directory, one
folder each, and never cross the sandbox boundary but as page images.

Contract:

- Hostile structure MUST be refused before or right after parsing, each with
  its own code: `mail_line_too_long` (a line over `MAX_LINE_BYTES`: RFC 5322
  allows 998 characters), `mail_too_many_headers` (over `MAX_HEADERS` fields
  in one header block), `mail_too_deep` (MIME nesting over `MAX_DEPTH`),
  `mail_too_many_parts` (over `MAX_PARTS`). The line and top-level header
  limits are checked on the raw bytes in one pass, before the parser runs.
- Bad charsets MUST NOT fail a message: an unknown or non-text charset
  (`x-unknown`, `base64`, `idna`) falls back to UTF-8 if the bytes are
  valid UTF-8, else Windows-1252; undecodable bytes become U+FFFD.
- Headers that the `email` package cannot parse SHOULD still show, raw.
- All pages together, message and attachments, MUST stay within the
  caller's `max_pages`: an attachment that does not fit whole is left out
  (`too_many_pages`) and the ones after it still get their chance. At most
  `MAX_ATTACHMENTS` attachments are read; the rest are only listed
  (`too_many_attachments`), as are empty ones (`empty_file`) and images
  under 300 pixels both ways (`image_too_small`: signature logos and icons,
  which OCR would only turn into noise).
- A broken or hostile attachment MUST NOT fail the message: its reader's
  error (`corrupt_pdf`, `encrypted_pdf`, `zip_bomb`, `unsafe_xml`,
  `unreadable_image`, `image_too_large`, `unsupported_type`, ...) is caught
  and page 1 says "niet leesbaar (<code>)" for it; a failure no reader
  mapped shows as `crashed`. Only running out of the sandbox's memory, CPU
  or time fails the whole message, as it would any file.
"""

from __future__ import annotations

import errno
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.errors import MessageError
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final

from archief.errors import ArchiefError
from archief.intake.detect import DOCX, EML, ODT, ZIP, UnsupportedType, detect
from ingest.office import DocumentError

MEDIA_TYPE: Final = EML

MAX_LINE_BYTES: Final = 2**20
MAX_HEADERS: Final = 1000
MAX_DEPTH: Final = 50
MAX_PARTS: Final = 5000
# Far above a real message (a dozen is a lot); each one read costs a parse.
MAX_ATTACHMENTS: Final = 100
_CHUNK: Final = 2**20
# The head type detection looks at: as much as intake gives it for an upload.
_HEAD: Final = 8192

# What the email package raises on malformed input besides its own errors.
_PARSE_ERRORS: Final = (
    MessageError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    AttributeError,
    LookupError,
    UnicodeError,
    AssertionError,
)
_HEADERS: Final = (("Van", "from"), ("Aan", "to"), ("Cc", "cc"), ("Datum", "date"))
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HTML = re.compile(rb"\A(?:\s|<!--.*?-->)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)

_HEADING: Final = "Bijlagen (leesbaar op de volgende pagina's; alle bij het origineel bewaard):"
_FORWARDED_HEADING: Final = "Bijlagen (bij het origineel bewaard, niet apart doorzoekbaar):"
# The kind of content an attachment turned out to be, as page 1 names it.
_KINDS: Final = {
    "application/pdf": "PDF",
    DOCX: "DOCX",
    ODT: "ODT",
    "image/jpeg": "afbeelding (JPEG)",
    "image/png": "afbeelding (PNG)",
    "image/tiff": "afbeelding (TIFF)",
    EML: "e-mailbericht",
    "text/plain": "tekst",
    "text/html": "HTML",
}
_SUFFIXES: Final = {
    "application/pdf": ".pdf",
    DOCX: ".docx",
    ODT: ".odt",
    ZIP: ".zip",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
    EML: ".eml",
}

# Reads one attachment file of a detected type into a page plan, pages numbered
# from 1: ingest/pages.py hands in its PDF, image and office readers (this module
# cannot import pages.py, which imports it). Arguments: the file, a folder of
# its own for page images, the media type, the pages it may have.
Reader = Callable[[Path, Path, str, int], dict[str, Any]]


def analyze(path: Path, workdir: Path, max_pages: int, read: Reader) -> dict[str, Any]:
    """Plan the pages of the e-mail message at `path`: the message, then its attachments."""
    message, parts = _parse(path)
    reading = _Reading(workdir, max_pages, read)
    try:
        body = _body(message)
        entries = [reading.take(i, a) for i, a in enumerate(_attachments(parts, body), start=1)]
        text = _page(message, body, entries, _HEADING)
    except RecursionError as exc:
        raise DocumentError("mail_too_deep", "MIME parts nested too deep to read") from exc
    return {"pages": [{"number": 1, "text": text}, *reading.pages], "thumbnail": None}


def _parse(path: Path) -> tuple[Message, list[tuple[Message, int]]]:
    """The message at `path` and its parts, refused if hostile (see the contract)."""
    _check_raw(path)
    try:
        with path.open("rb") as f:
            message = BytesParser(policy=policy.default).parse(f)
    except RecursionError as exc:
        raise DocumentError("mail_too_deep", "MIME parts nested too deep to parse") from exc
    except _PARSE_ERRORS as exc:
        raise DocumentError("malformed_mail", f"the message cannot be parsed: {exc}") from exc
    return message, _check_structure(message)


def _check_raw(path: Path) -> None:
    """Refuse absurd lines and a top-level header block with absurdly many fields, in one pass."""
    fields = 0
    in_headers = True
    length = 0  # of the line being read
    start = b""  # its first two bytes: enough to tell a blank line or a continuation
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            at = 0
            while True:
                newline = chunk.find(b"\n", at)
                stop = len(chunk) if newline < 0 else newline
                start += chunk[at : min(stop, at + 2 - len(start))] if len(start) < 2 else b""
                length += stop - at
                if length > MAX_LINE_BYTES:
                    raise DocumentError(
                        "mail_line_too_long",
                        f"a line of more than {MAX_LINE_BYTES} bytes "
                        "(RFC 5322 allows 998 characters)",
                    )
                if newline < 0:
                    break
                if in_headers:
                    in_headers, fields = _header_line(start, fields)
                length, start, at = 0, b"", newline + 1
    if in_headers and length:
        _header_line(start, fields)


def _header_line(start: bytes, fields: int) -> tuple[bool, int]:
    """Count one line of the top-level header block; say whether the block goes on."""
    if start in (b"", b"\r"):
        return False, fields
    if start[:1] in (b" ", b"\t"):
        return True, fields
    if fields + 1 > MAX_HEADERS:
        raise DocumentError("mail_too_many_headers", f"more than {MAX_HEADERS} header fields")
    return True, fields + 1


def _check_structure(message: Message) -> list[tuple[Message, int]]:
    """Every part with its depth, walked without recursion; refuse absurd structure."""
    parts: list[tuple[Message, int]] = []
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DocumentError("mail_too_deep", f"MIME parts nested more than {MAX_DEPTH} deep")
        if len(part) > MAX_HEADERS:
            raise DocumentError(
                "mail_too_many_headers", f"a part with more than {MAX_HEADERS} header fields"
            )
        parts.append((part, depth))
        if len(parts) > MAX_PARTS:
            raise DocumentError("mail_too_many_parts", f"more than {MAX_PARTS} MIME parts")
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(
                    (child, depth + 1) for child in reversed(children) if isinstance(child, Message)
                )
    return parts


def _page(message: Message, body_part: Message | None, entries: list[str], heading: str) -> str:
    """The message page: headers, body and the attachment list under `heading`."""
    lines = [f"{label}: {value}" for label, name in _HEADERS if (value := _header(message, name))]
    subject = _header(message, "subject")
    lines.append(f"Onderwerp: {subject}" if subject else "Onderwerp:")
    body = _content(body_part) if body_part is not None else ""
    if body_part is not None and body_part.get_content_subtype() == "html":
        body = html_text(body)
    lines += ["", body.strip()]
    if entries:
        lines += ["", heading]
        lines += [f"- {entry}" for entry in entries]
    return _tidy("\n".join(lines))


def _tidy(text: str) -> str:
    text = "\n".join(_CONTROL.sub("", line).rstrip() for line in text.split("\n"))
    return unicodedata.normalize("NFC", text.strip("\n"))


def _clean(value: str) -> str:
    """Turn what the parser kept of raw 8-bit header bytes (surrogates) back into text."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        raw = value.encode("utf-8", "surrogateescape")
        return _decode(raw, None)
    return value


def _header(message: Message, name: str) -> str:
    """All values of one header field, decoded, unfolded and joined; raw where unparseable."""
    raws = message.raw_items() if isinstance(message, EmailMessage) else message.items()
    values: list[str] = []
    for key, raw in raws:
        if key.lower() != name:
            continue
        # Raw 8-bit bytes (RFC 6532 UTF-8, or a careless latin-1) would become
        # U+FFFD in the parser: decode them as text first.
        text = _clean(raw)
        try:
            values.append(str(message.policy.header_fetch_parse(key, text)))
        except _PARSE_ERRORS:
            values.append(text)  # the header registry refuses it: show it raw, not lose it
    return " ".join(" ".join(value.split()) for value in values)


def _body(message: Message) -> Message | None:
    if not isinstance(message, EmailMessage):
        return None
    try:
        return message.get_body(preferencelist=("plain", "html"))
    except _PARSE_ERRORS:
        return None


def _content(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except _PARSE_ERRORS:
        return ""
    if not isinstance(payload, bytes):
        return ""
    try:
        charset = part.get_content_charset()
    except _PARSE_ERRORS:
        charset = None
    return _decode(payload, charset)


def _decode(data: bytes, charset: str | None) -> str:
    if charset:
        try:
            # bytes.decode takes text encodings only: "base64" or "zlib" are LookupErrors.
            return data.decode(charset, "replace")
        except (LookupError, UnicodeError, ValueError, TypeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


@dataclass(frozen=True)
class _Attachment:
    """One attachment as page 1 lists it: a leaf part, or a forwarded message."""

    part: Message
    label: str
    name: str
    forwarded: Message | None = None


def _attachments(parts: list[tuple[Message, int]], body: Message | None) -> list[_Attachment]:
    found: list[_Attachment] = []
    inside_forward: list[int] = []  # depths of the forwarded messages we are in
    for part, depth in parts:
        while inside_forward and depth <= inside_forward[-1]:
            inside_forward.pop()
        if inside_forward or part is body:
            continue
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(first, Message):
                # A forwarded message is one attachment; its own parts are its business.
                inside_forward.append(depth)
                subject = _header(first, "subject") or "(geen onderwerp)"
                label = f"doorgestuurd bericht: {subject}"
                found.append(_Attachment(part, label, label, forwarded=first))
                continue
            # Not parsed as a message (a transfer encoding RFC 2046 forbids on
            # message/rfc822): a leaf like any other, typed by its bytes.
        if part.is_multipart():
            continue
        name = _filename(part)
        disposition = part.get_content_disposition()
        if name is None and disposition != "attachment" and part.get_content_maintype() == "text":
            continue  # an alternative or inline text of the body
        payload = _payload(part)
        size = len(payload) if payload is not None else 0
        shown = name or "(zonder naam)"
        found.append(_Attachment(part, f"{shown} ({ctype}, {size} bytes)", shown))
    return found


def _payload(part: Message) -> bytes | None:
    try:
        payload = part.get_payload(decode=True)
    except _PARSE_ERRORS:
        return None
    return payload if isinstance(payload, bytes) else None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except _PARSE_ERRORS:
        return None
    if not name:
        return None
    name = " ".join(_CONTROL.sub("", _clean(str(name))).split())
    return unicodedata.normalize("NFC", name)[:255] or None


class _HtmlText(HTMLParser):
    """Reduce HTML to its readable text: block elements become line breaks."""

    _BLOCKS: Final = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}
    )
    _HIDDEN: Final = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002  # HTMLParser's signature
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag == "td":
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """Return the readable text of an HTML body."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- attachments, read into the pages after the message ---------------------------


class _Reading:
    """Read attachments into the pages after the message page, within the page budget."""

    def __init__(self, workdir: Path, max_pages: int, read: Reader) -> None:
        self._workdir = workdir
        self._max_pages = max_pages
        self._read = read
        self.pages: list[dict[str, Any]] = []

    def take(self, index: int, attachment: _Attachment) -> str:
        """Read attachment `index` (from 1) into pages; return its line on page 1."""
        return f"{attachment.label}: {self._outcome(index, attachment)}"

    def _outcome(self, index: int, attachment: _Attachment) -> str:
        if index > MAX_ATTACHMENTS:
            return _why("too_many_attachments", self._max_pages)
        room = self._max_pages - 1 - len(self.pages)  # page 1 is the message
        if room < 1:
            reached = f"het maximum van {self._max_pages} pagina's is bereikt"
            return f"niet gelezen, {reached} (too_many_pages)"
        try:
            kind, pages = self._pages(index, attachment, room)
        except MemoryError:
            raise  # the sandbox's limit: the whole message fails, as any file would
        except ArchiefError as exc:
            return _why(exc.code, self._max_pages)
        except Exception as exc:
            # A failure no reader mapped must not cost the e-mail: page 1 names it.
            if isinstance(exc, OSError) and exc.errno == errno.ENOMEM:
                raise  # out of memory, as the sandbox's limit
            return _why("crashed", self._max_pages)
        if len(pages) > room:  # each reader bounds itself; this keeps the promise regardless
            return _why("too_many_pages", self._max_pages)
        return self._place(attachment, kind, pages)

    def _place(self, attachment: _Attachment, kind: str, pages: list[dict[str, Any]]) -> str:
        """Number the attachment's pages after those placed so far; say which they are."""
        if not pages:
            return f"gelezen als {kind}, zonder pagina's"
        first = len(self.pages) + 2
        for at, page in enumerate(pages, start=1):
            number = len(self.pages) + 2
            if "image" in page:
                # OCR makes the text: there is no line to put above it.
                self.pages.append({"number": number, "image": str(page["image"])})
                continue
            body = _tidy(str(page.get("text", "")))
            where = f" (pagina {at} van {len(pages)})" if len(pages) > 1 else ""
            # A blank page stays blank: a name alone is not text of the page.
            text = f"Bijlage: {attachment.name}{where}\n\n{body}" if body.strip() else ""
            self.pages.append({"number": number, "text": text})
        last = len(self.pages) + 1
        span = f"pagina {first}" if first == last else f"pagina's {first} t/m {last}"
        return f"gelezen als {kind}, {span}"

    def _pages(
        self, index: int, attachment: _Attachment, room: int
    ) -> tuple[str, list[dict[str, Any]]]:
        """What the attachment is, and its pages numbered from 1 (text or image)."""
        if attachment.forwarded is not None:
            forwarded = attachment.forwarded
            return _KINDS[EML], [{"text": _forwarded(forwarded, _check_structure(forwarded))}]
        data = _payload(attachment.part)
        if not data:
            raise DocumentError("empty_file", "the attachment is empty")
        try:
            media_type = detect(data[:_HEAD], whole=len(data) <= _HEAD)
        except UnsupportedType:
            text = _other_charset(data, attachment.part)
            if text is None:
                raise
            return _KINDS["text/plain"], _text_pages(text, room)
        if media_type == "text/plain":
            text = data.decode("utf-8", "replace")
            if _HTML.match(data[:_HEAD]):
                return _KINDS["text/html"], _text_pages(html_text(text), room)
            return _KINDS["text/plain"], _text_pages(text, room)
        folder = self._workdir / f"bijlage-{index:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"inhoud{_SUFFIXES.get(media_type, '')}"
        target.write_bytes(data)
        del data  # the file holds it now; big attachments should not stay twice in memory
        if media_type == EML:
            message, parts = _parse(target)
            target.unlink()
            return _KINDS[EML], [{"text": _forwarded(message, parts)}]
        plan = self._read(target, folder, media_type, room)
        pages = [page for page in plan.get("pages", []) if isinstance(page, dict)]
        if all(page.get("image") != str(target) for page in pages):
            target.unlink(missing_ok=True)  # read through: only page images are needed now
        settled = str(plan.get("media_type") or media_type)  # a bare ZIP, settled by office.py
        return _KINDS.get(settled, settled), pages


def _forwarded(message: Message, parts: list[tuple[Message, int]]) -> str:
    """The page of a forwarded message: its headers, body and its attachments, listed only."""
    body = _body(message)
    return _page(message, body, [a.label for a in _attachments(parts, body)], _FORWARDED_HEADING)


def _text_pages(text: str, room: int) -> list[dict[str, Any]]:
    """A text attachment's pages: form feeds break pages, as in a text file of its own."""
    chunks = text.split("\f")
    if len(chunks) > room:
        raise DocumentError("too_many_pages", f"{len(chunks)} pages, only {room} left")
    return [{"text": chunk} for chunk in chunks]


# Control characters and U+FFFD: in text, next to none; in binary data, one in ten.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_SAMPLE: Final = 2**16


def _other_charset(data: bytes, part: Message) -> str | None:
    """Text in a charset other than UTF-8 (a Windows-1252 note), judged by its bytes."""
    if b"\x00" in data:
        return None
    try:
        charset = part.get_content_charset()
    except _PARSE_ERRORS:
        charset = None
    # The declared charset only chooses how to decode bytes that are text
    # anyway; whether they are text is judged from the decoded characters.
    text = _decode(data, charset)
    sample = text[:_SAMPLE]
    if len(_NOT_TEXT.findall(sample)) * 100 > len(sample):
        return None
    return text


def _why(code: str, max_pages: int) -> str:
    """Why an attachment has no pages, as page 1 says it; the code is the stable part."""
    reasons = {
        "too_many_pages": "niet opgenomen, meer pagina's dan er binnen het maximum van "
        f"{max_pages} nog pasten",
        "too_many_attachments": f"niet gelezen, meer dan {MAX_ATTACHMENTS} bijlagen",
        "unsupported_type": "niet gelezen, bestandstype wordt niet gelezen",
        "image_too_small": "niet gelezen, afbeelding te klein voor tekst: een logo of pictogram",
        "empty_file": "leeg",
    }
    reason = reasons.get(code)
    return f"{reason} ({code})" if reason else f"niet leesbaar ({code})"
