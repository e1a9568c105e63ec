# SPDX-License-Identifier: EUPL-1.2
"""Type detection by content (magic bytes), never by file name or declared type."""

from __future__ import annotations

from archief.errors import ArchiefError

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


class UnsupportedType(ArchiefError):
    code = "unsupported_type"
    status = 415
    title = "Bestandstype niet ondersteund"


def detect(head: bytes, *, whole: bool = False) -> str:
    """Return the media type of content starting with `head`; `whole` if head is all of it."""
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
