# SPDX-License-Identifier: EUPL-1.2
"""Pieces every object store adapter shares: key rules and hashing while streaming."""

from __future__ import annotations

import hashlib
import re
from typing import BinaryIO

CHUNK = 1024 * 1024
_SEGMENT = re.compile(r"^[A-Za-z0-9._=-]+$")


def validate_key(key: str) -> str:
    """Reject keys that could escape the store or alias another key."""
    parts = key.split("/")
    if not key or any(p in ("", ".", "..") or not _SEGMENT.fullmatch(p) for p in parts):
        raise ValueError(f"invalid object key {key!r}")
    return key


def derived_key(sha256: str, name: str) -> str:
    """Where an artifact derived from an original lives: beside it, under its hash."""
    return f"derived/{sha256}/{name}"


def work_prefix(sha256: str) -> str:
    """Where processing keeps page images between its steps."""
    return f"work/{sha256}/"


def content_prefixes(sha256: str) -> tuple[str, ...]:
    """Every place in the store that holds bytes of, or made from, one content.

    Destruction purges exactly these; a new kind of artifact must live under
    one of them (or be added here), or it would survive destruction.
    """
    return (original_key(sha256), derived_key(sha256, ""), work_prefix(sha256))


def original_key(sha256: str) -> str:
    """Where an original lives: content-addressed, fanned out to keep listings small."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class HashingReader:
    """Wrap a stream and hash what passes through, so nothing is read twice."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self._hash.update(data)
        self.size += len(data)
        return data

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()
