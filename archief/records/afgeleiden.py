# SPDX-License-Identifier: EUPL-1.2
"""Derivatives of a content in the object store: page texts and page thumbnails.

Everything here lives under `derived/<sha>/`, which destruction purges.

Thumbnails: `derived/<sha>/thumbnail-NNNN.png`, one per page, drawn after the
content is indexed (so a page may have none yet). Contents ingested before
per-page thumbnails have only `derived/<sha>/thumbnail.png`, of page 1.

Texts: a `Page` row's `text_key` names the object that holds its text. Two layouts:

- `derived/<sha>/text.json`: the text of every page that had a text layer
  (or came from a text file), written once per content by extraction as
  `{"pages": {"1": "...", "2": "..."}}`. One object instead of one per page,
  because those round trips were the largest store cost of a born-digital
  ingest.
- `derived/<sha>/page-NNNN.txt`: the text of one OCR'd page, UTF-8, written
  by that page's own OCR task (pages are OCR'd in parallel, so they cannot
  share an object), and by ingests from before the shared object existed.

Every reader (the pages API, `archief export-text`, finalize, reindex) goes
through `read` or `decode`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from archief.ports import ObjectStore
from archief.storage.common import derived_key

TEXTS = "text.json"
CONTENT_TYPE = "application/json"
LEGACY_THUMBNAIL = "thumbnail.png"


def thumbnail_key(sha256: str, number: int) -> str:
    """Where the thumbnail of page `number` lives."""
    return derived_key(sha256, f"thumbnail-{number:04d}.png")


def texts_key(sha256: str) -> str:
    """The key of the one object holding a content's text-layer pages."""
    return derived_key(sha256, TEXTS)


def page_key(sha256: str, number: int) -> str:
    """The key of one OCR'd page's text."""
    return derived_key(sha256, f"page-{number:04d}.txt")


def encode(pages: Mapping[int, str]) -> bytes:
    """The shared object's bytes for these page texts."""
    return json.dumps(
        {"pages": {str(n): t for n, t in sorted(pages.items())}}, ensure_ascii=False
    ).encode("utf-8")


def decode(key: str, data: bytes) -> dict[int, str] | str:
    """What one stored object holds: the pages of a shared object, or one page's text."""
    if key.endswith(".json"):
        pages = json.loads(data.decode("utf-8"))["pages"]
        return {int(n): str(t) for n, t in pages.items()}
    return data.decode("utf-8")


def pick(held: dict[int, str] | str, number: int) -> str:
    """Page `number`'s text out of what `decode` returned."""
    return held if isinstance(held, str) else held.get(number, "")


def read(store: ObjectStore, pages: Iterable[tuple[int, str | None]]) -> dict[int, str]:
    """The text of each (number, text_key); each object is read once. Raises NotFound."""
    held: dict[str, dict[int, str] | str] = {}
    out: dict[int, str] = {}
    for number, key in pages:
        if key is None:
            continue
        if key not in held:
            with store.open(key) as f:
                held[key] = decode(key, f.read())
        out[number] = pick(held[key], number)
    return out
