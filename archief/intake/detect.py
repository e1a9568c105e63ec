# SPDX-License-Identifier: EUPL-1.2
"""Type detection by content (magic bytes), never by file name or declared type.

One exception, narrow on purpose: archief's own capture code may declare the
type of bytes it read itself (`declared`), for the few types in `_VOUCHED`.
Sniffing cannot tell a social media post's raw payload from any other JSON
or XML, and a feed item in latin-1 would be refused as "not UTF-8 text";
yet the payload must stay byte-exact, so it cannot be wrapped in something
recognisable. A declared type is still checked against how such content
must start, so it cannot pass off a PDF or an executable as a post.
"""

from __future__ import annotations

import re
import struct
import zlib

from archief.errors import ArchiefError

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)

# The raw payload of one post (docs/sociale-media.md); the platform, and for
# XML the document's encoding, travel as parameters.
SOCIAAL_JSON = "application/vnd.archief.sociaal+json"
SOCIAAL_XML = "application/vnd.archief.sociaal+xml"
# A capture run's WARC file (gzipped per record, or plain).
WARC = "application/warc"
_VOUCHED: dict[str, tuple[bytes, ...]] = {
    SOCIAAL_JSON: (b"{",),
    SOCIAAL_XML: (b"<",),
    WARC: (b"\x1f\x8b", b"WARC/"),
}
# Office documents and e-mail (ingest/office.py, ingest/mail.py).
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EML = "message/rfc822"
# A ZIP whose head does not say what it holds: the sandbox settles it
# (a DOCX or an ODT), or refuses it as unsupported_type.
ZIP = "application/zip"

_PARAM = re.compile(r";\s*([A-Za-z0-9_.-]+)\s*=\s*\"?([^\";]*)\"?")


class UnsupportedType(ArchiefError):
    code = "unsupported_type"
    status = 415
    title = "Bestandstype niet ondersteund"


def essence(media_type: str) -> str:
    """Return the media type without its parameters, lower-cased."""
    return media_type.split(";", 1)[0].strip().lower()


def parameter(media_type: str, name: str) -> str | None:
    """Return one parameter of a media type (`charset`, `platform`), or None."""
    for key, value in _PARAM.findall(media_type):
        if key.lower() == name:
            return str(value)
    return None


def detect(head: bytes, *, whole: bool = False, declared: str | None = None) -> str:
    """Return the media type of content starting with `head`; `whole` if head is all of it.

    `declared` is for archief's own capture code only (see the module docstring).
    """
    if declared is not None:
        return _vouched(head, declared)
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head.startswith(_LOCAL):
        return _zip(head)
    if _is_mail(head, whole=whole):
        return EML
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of a window is still
            # text; at the end of the whole file it is not.
            if whole or exc.start < len(head) - 3 or exc.reason != "unexpected end of data":
                raise UnsupportedType("neither a known binary format nor UTF-8 text") from exc
        return "text/plain"
    raise UnsupportedType("neither a known binary format nor UTF-8 text")


def _vouched(head: bytes, declared: str) -> str:
    kind = essence(declared)
    starts = _VOUCHED.get(kind)
    if starts is None:
        raise UnsupportedType(f"{kind} is detected from the content, never declared")
    probe = head
    charset = parameter(declared, "charset")
    if kind == SOCIAAL_XML and charset:
        try:
            # A UTF-16 feed item starts with a two-byte '<'.
            probe = head.decode(charset, "ignore").encode("utf-8")
        except LookupError as exc:
            raise UnsupportedType(f"unknown charset {charset!r}") from exc
    if not probe.lstrip(b" \t\r\n").startswith(starts):
        raise UnsupportedType(f"declared {kind}, but the content does not start as one does")
    return declared


# --- ZIP packages: DOCX, ODT -------------------------------------------------------

_LOCAL = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_ODF_PREFIX = b"application/vnd.oasis.opendocument."
_WORD_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_OOXML_MAIN = re.compile(rb'ContentType="([^"]{1,200}\.main\+xml)"')
_OTHER_OOXML = {"xl/": "an Excel workbook (OOXML)", "ppt/": "a PowerPoint presentation (OOXML)"}


def _entries(head: bytes) -> list[tuple[str, bytes | None]]:
    """The ZIP local file headers in `head`: each entry's name and, if all there, its data.

    Only the head of the file is here, so the central directory is not: walk
    the local headers. Where sizes are deferred to a data descriptor (bit 3),
    look for the next header signature instead; a false match in compressed
    data only yields a name that decides nothing.
    """
    found: list[tuple[str, bytes | None]] = []
    at = 0
    while at >= 0 and at + _LOCAL_HEADER.size <= len(head) and head.startswith(_LOCAL, at):
        _sig, _ver, flags, method, _t, _d, _crc, csize, _usize, nlen, xlen = (
            _LOCAL_HEADER.unpack_from(head, at)
        )
        name_at = at + _LOCAL_HEADER.size
        name = head[name_at : name_at + nlen].decode("utf-8", "replace")
        start = name_at + nlen + xlen
        sized = not flags & 0x8 and csize != 0xFFFFFFFF
        data = head[start : start + csize] if sized and start + csize <= len(head) else None
        found.append((name, _inflate(data, method) if data is not None else None))
        at = start + csize if sized else head.find(_LOCAL, start)
        if flags & 0x8 and at >= 0:
            at = head.find(_LOCAL, at)
    return found


def _inflate(data: bytes, method: int) -> bytes | None:
    if method == 0:
        return data
    if method != 8:
        return None
    try:
        # Bounded: a [Content_Types].xml is a few KB; more says nothing more.
        return zlib.decompressobj(-15).decompress(data, 1 << 16)
    except zlib.error:
        return None


def _zip(head: bytes) -> str:
    """Tell a DOCX or ODT from the head of a ZIP; what the head does not settle is ZIP."""
    entries = _entries(head)
    name, data = entries[0] if entries else ("", None)
    if name == "mimetype" and data is not None:
        # ODF: the first entry is `mimetype`, stored, holding the media type.
        mimetype = data.strip()
        if mimetype == _ODT_MIMETYPE:
            return ODT
        kind = mimetype[:100].decode("ascii", "replace")
        if mimetype.startswith(_ODF_PREFIX):
            raise UnsupportedType(f"an OpenDocument file of type {kind}: of OpenDocument, only ODT")
        raise UnsupportedType(f"a ZIP package of type {kind}")
    names = {entry for entry, _ in entries}
    types = dict(entries).get("[Content_Types].xml")
    if types is not None:
        if _WORD_MAIN in types:
            return DOCX
        main = _OOXML_MAIN.search(types)
        if main is not None:
            shown = main.group(1).decode("ascii", "replace")
            raise UnsupportedType(f"an Office Open XML package of type {shown}, not a DOCX")
    if "word/document.xml" in names:
        return DOCX
    for prefix, what in _OTHER_OOXML.items():
        if any(entry.startswith(prefix) for entry in names):
            raise UnsupportedType(f"{what}: of Office Open XML, only DOCX")
    return ZIP


# --- e-mail (RFC 5322) -------------------------------------------------------------

# ftext: printable ASCII but the colon (RFC 5322 3.6.8); names stay short.
_FIELD = re.compile(rb"([!-9;-~]{1,76})[ \t]*:")
_MAIL_FIELDS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "delivered-to",
        "reply-to",
        "sender",
        "in-reply-to",
        "references",
        "content-type",
        "content-transfer-encoding",
        "dkim-signature",
        "authentication-results",
        "x-mailer",
        "user-agent",
        "thread-topic",
        "thread-index",
    }
)
# What mail software adds and a person typing a memo does not.
_TRANSPORT = frozenset(
    {
        "received",
        "return-path",
        "message-id",
        "mime-version",
        "delivered-to",
        "dkim-signature",
        "authentication-results",
        "x-mailer",
    }
)


def _is_mail(head: bytes, *, whole: bool) -> bool:
    """Whether `head` starts with an RFC 5322 header block, strictly.

    Every line up to the first empty one must be a header field or its
    continuation; at least two must be mail fields, one of them put there by
    mail software (Received, Message-ID, MIME-Version, ...) or a From with an
    address beside a Date. A memo that starts "Onderwerp: ..." is text.
    """
    lines = head.split(b"\n")
    if not whole and len(lines) > 1:
        lines.pop()  # cut off by the window, possibly in its field name
    if lines and lines[0].startswith(b"From ") and len(lines) > 1:
        lines = lines[1:]  # an mbox "From " line, as some mail programs save
    names: set[str] = set()
    from_address = False
    for raw in lines:
        line = raw.rstrip(b"\r")
        if not line:
            break
        if b"\x00" in line:
            return False
        if line[:1] in (b" ", b"\t"):
            if not names:
                return False
            continue
        match = _FIELD.match(line)
        if match is None:
            return False
        name = match.group(1).decode("ascii").lower()
        names.add(name)
        if name == "from" and b"@" in line:
            from_address = True
    known = names & _MAIL_FIELDS
    return len(known) >= 2 and bool(known & _TRANSPORT or (from_address and "date" in known))
