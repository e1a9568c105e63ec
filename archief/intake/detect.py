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
