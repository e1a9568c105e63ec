# SPDX-License-Identifier: EUPL-1.2
"""A text page from an e-mail message (RFC 5322, `.eml`), read with the stdlib `email` package.

Runs inside the sandbox (ingest/pages.py:analyze). The page holds the
message's From, To, Cc, Date and Subject (RFC 2047 words decoded), its body
(text/plain preferred, else text/html reduced to text) and a list of its
attachments by name, type and size.

Attachments are listed, not ingested: they are part of the original, which
is kept byte for byte, but their text is not searchable yet. Taking them in
as records of their own (with the mail as their context) is a later step.

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
"""

from __future__ import annotations

import re
import unicodedata
from email import policy
from email.errors import MessageError
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final

from archief.intake.detect import EML
from ingest.office import DocumentError

MEDIA_TYPE: Final = EML

MAX_LINE_BYTES: Final = 2**20
MAX_HEADERS: Final = 1000
MAX_DEPTH: Final = 50
MAX_PARTS: Final = 5000
_CHUNK: Final = 2**20

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


def analyze(path: Path) -> dict[str, Any]:
    """Plan the one text page of the e-mail message at `path`."""
    _check_raw(path)
    try:
        with path.open("rb") as f:
            message = BytesParser(policy=policy.default).parse(f)
    except RecursionError as exc:
        raise DocumentError("mail_too_deep", "MIME parts nested too deep to parse") from exc
    except _PARSE_ERRORS as exc:
        raise DocumentError("malformed_mail", f"the message cannot be parsed: {exc}") from exc
    parts = _check_structure(message)
    try:
        text = _page(message, parts)
    except RecursionError as exc:
        raise DocumentError("mail_too_deep", "MIME parts nested too deep to read") from exc
    return {"pages": [{"number": 1, "text": text}], "thumbnail": None}


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


def _page(message: Message, parts: list[tuple[Message, int]]) -> str:
    lines = [f"{label}: {value}" for label, name in _HEADERS if (value := _header(message, name))]
    subject = _header(message, "subject")
    lines.append(f"Onderwerp: {subject}" if subject else "Onderwerp:")
    body_part = _body(message)
    body = _content(body_part) if body_part is not None else ""
    if body_part is not None and body_part.get_content_subtype() == "html":
        body = html_text(body)
    lines += ["", body.strip()]
    attachments = _attachments(parts, body_part)
    if attachments:
        lines += ["", "Bijlagen (bij het origineel bewaard, niet apart doorzoekbaar):"]
        lines += [f"- {entry}" for entry in attachments]
    text = "\n".join(_CONTROL.sub("", line).rstrip() for line in lines)
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


def _attachments(parts: list[tuple[Message, int]], body: Message | None) -> list[str]:
    found: list[str] = []
    inside_forward: list[int] = []  # depths of the forwarded messages we are in
    for part, depth in parts:
        while inside_forward and depth <= inside_forward[-1]:
            inside_forward.pop()
        if inside_forward or part is body:
            continue
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            # A forwarded message is one attachment; its own parts are its business.
            inside_forward.append(depth)
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            subject = _header(first, "subject") if isinstance(first, Message) else ""
            found.append(f"doorgestuurd bericht: {subject or '(geen onderwerp)'}")
            continue
        if part.is_multipart():
            continue
        name = _filename(part)
        disposition = part.get_content_disposition()
        if name is None and disposition != "attachment" and part.get_content_maintype() == "text":
            continue  # an alternative or inline text of the body
        try:
            payload = part.get_payload(decode=True)
        except _PARSE_ERRORS:
            payload = None
        size = len(payload) if isinstance(payload, bytes) else 0
        found.append(f"{name or '(zonder naam)'} ({ctype}, {size} bytes)")
    return found


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
