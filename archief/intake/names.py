# SPDX-License-Identifier: EUPL-1.2
"""File names from outside are data, never paths: make them safe to show and store."""

from __future__ import annotations

import unicodedata

MAX_NAME_BYTES = 255
# Bidirectional controls (U+202E) can make "factuur<RLO>fdp.exe" read as "factuurexe.pdf".
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def sanitise(name: str) -> str:
    """Return a display name without paths, control or bidi characters, NFC, ≤ 255 bytes."""
    name = unicodedata.normalize("NFC", name)
    # Both separators: a name from a Windows client carries backslashes.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch
        for ch in name
        if ch not in _BIDI and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "naamloos"
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        keep = ("." + ext) if dot and len(ext.encode()) <= 16 else ""
        budget = MAX_NAME_BYTES - len(keep.encode())
        head = (stem if keep else name).encode("utf-8")[:budget].decode("utf-8", errors="ignore")
        name = head + keep
    return name


def escaped(name: str) -> str:
    """Keep the name as received, with every unprintable character made visible."""
    return name.encode("unicode_escape").decode("ascii")[:1024]
