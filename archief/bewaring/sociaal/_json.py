# SPDX-License-Identifier: EUPL-1.2
"""Find the exact byte span of each element of a JSON array, then parse only that span.

Re-serialising a parsed object is not byte-exact (key order, escapes,
whitespace and number forms change), so the raw payload of a post is the
slice of the source between its first and last byte. The scanner only
counts brackets outside strings; `json.loads` on each slice does the real
validation. Since every element and every separator is checked, the spans
are right exactly when the whole array is valid JSON.

Only one post is parsed at a time, so a large export costs its own bytes
plus one post, never a whole parsed tree.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Iterator
from typing import Any

from archief.bewaring.sociaal.model import OngeldigeExport

Bron = bytes | bytearray | mmap.mmap

# Deeper nesting than any real export; json.loads recurses per level, so a
# limit here keeps hostile input from reaching Python's recursion limit.
MAX_DEPTH = 64

_WS = re.compile(rb"[ \t\r\n]*")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|"', re.S)
_SCALAR = re.compile(rb"[-+0-9A-Za-z.]+")
_CLOSE = {ord("{"): ord("}"), ord("["): ord("]")}


def skip_ws(data: Bron, pos: int) -> int:
    """Return the first position at or after `pos` that is not JSON whitespace."""
    m = _WS.match(data, pos)
    return m.end() if m else pos


def byte_at(data: Bron, pos: int) -> int | None:
    """Return the byte at `pos`, or None past the end."""
    return data[pos] if pos < len(data) else None


def value_end(data: Bron, pos: int, bron: str) -> int:
    """Return the end of the JSON value starting at `pos` (no validation beyond brackets)."""
    first = byte_at(data, pos)
    if first is None:
        raise OngeldigeExport(bron, "onverwacht einde van de gegevens", positie=pos)
    if first == ord('"'):
        m = _STRING.match(data, pos)
        if not m:
            raise OngeldigeExport(bron, "tekst zonder afsluitend aanhalingsteken", positie=pos)
        return m.end()
    if first not in _CLOSE:
        m = _SCALAR.match(data, pos)
        if not m:
            raise OngeldigeExport(bron, "geen geldige JSON-waarde", positie=pos)
        return m.end()
    stack: list[int] = []
    for m in _TOKEN.finditer(data, pos):
        token = m.group()
        if len(token) != 1:
            continue  # a complete string: brackets inside it do not count
        ch = token[0]
        if ch == ord('"'):
            raise OngeldigeExport(
                bron, "tekst zonder afsluitend aanhalingsteken", positie=m.start()
            )
        if ch in _CLOSE:
            stack.append(_CLOSE[ch])
            if len(stack) > MAX_DEPTH:
                raise OngeldigeExport(bron, f"dieper genest dan {MAX_DEPTH}", positie=m.start())
            continue
        if not stack or stack.pop() != ch:
            raise OngeldigeExport(bron, "haakjes sluiten niet aan", positie=m.start())
        if not stack:
            return m.end()
    raise OngeldigeExport(bron, "onverwacht einde van de gegevens (afgebroken?)", positie=len(data))


def load_span(data: Bron, start: int, end: int, bron: str) -> Any:
    """Parse `data[start:end]` as JSON, naming the position on failure."""
    try:
        return json.loads(data[start:end])
    except RecursionError as exc:  # unreachable under MAX_DEPTH; kept as a guard
        raise OngeldigeExport(bron, "te diep genest", positie=start) from exc
    except UnicodeDecodeError as exc:
        raise OngeldigeExport(bron, "geen geldige UTF-8", positie=start + exc.start) from exc
    except json.JSONDecodeError as exc:
        offset = len(data[start:end][: exc.pos].decode("utf-8", "replace").encode())
        raise OngeldigeExport(bron, f"ongeldige JSON: {exc.msg}", positie=start + offset) from exc


class ArrayWalk:
    """Iterate the (start, end) byte span of each element of the array at `pos`.

    After iteration `end` is the position just past the closing bracket.
    """

    def __init__(self, data: Bron, pos: int, bron: str) -> None:
        self.data = data
        self.pos = pos
        self.bron = bron
        self.end = -1

    def __iter__(self) -> Iterator[tuple[int, int]]:
        data, bron = self.data, self.bron
        if byte_at(data, self.pos) != ord("["):
            raise OngeldigeExport(bron, "verwacht een lijst ([)", positie=self.pos)
        pos = skip_ws(data, self.pos + 1)
        if byte_at(data, pos) == ord("]"):
            self.end = pos + 1
            return
        while True:
            end = value_end(data, pos, bron)
            yield pos, end
            pos = skip_ws(data, end)
            sep = byte_at(data, pos)
            if sep == ord("]"):
                self.end = pos + 1
                return
            if sep != ord(","):
                if sep is None:
                    raise OngeldigeExport(bron, "lijst niet afgesloten (afgebroken?)", positie=pos)
                raise OngeldigeExport(bron, "verwacht ',' of ']'", positie=pos)
            pos = skip_ws(data, pos + 1)


def object_members(data: Bron, pos: int, bron: str) -> tuple[dict[str, tuple[int, int]], int]:
    """Return the value span of each member of the object at `pos`, and the object's end."""
    if byte_at(data, pos) != ord("{"):
        raise OngeldigeExport(bron, "verwacht een object ({)", positie=pos)
    members: dict[str, tuple[int, int]] = {}
    pos = skip_ws(data, pos + 1)
    if byte_at(data, pos) == ord("}"):
        return members, pos + 1
    while True:
        if byte_at(data, pos) != ord('"'):
            raise OngeldigeExport(bron, "verwacht een sleutel", positie=pos)
        key_end = value_end(data, pos, bron)
        key = load_span(data, pos, key_end, bron)
        pos = skip_ws(data, key_end)
        if byte_at(data, pos) != ord(":"):
            raise OngeldigeExport(bron, "verwacht ':'", positie=pos)
        start = skip_ws(data, pos + 1)
        end = value_end(data, start, bron)
        # As json.loads does: a repeated key counts with its last value.
        members[key] = (start, end)
        pos = skip_ws(data, end)
        sep = byte_at(data, pos)
        if sep == ord("}"):
            return members, pos + 1
        if sep != ord(","):
            raise OngeldigeExport(bron, "verwacht ',' of '}'", positie=pos)
        pos = skip_ws(data, pos + 1)


def expect_end(data: Bron, pos: int, bron: str, allowed: bytes = b"") -> None:
    """Refuse anything but whitespace (and `allowed` bytes) after the last value."""
    pos = skip_ws(data, pos)
    while pos < len(data) and data[pos] in allowed:
        pos = skip_ws(data, pos + 1)
    if pos != len(data):
        raise OngeldigeExport(bron, "onverwachte gegevens na het einde", positie=pos)


def start_of(data: Bron) -> int:
    """Return the position after a UTF-8 byte order mark and leading whitespace."""
    pos = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    return skip_ws(data, pos)
