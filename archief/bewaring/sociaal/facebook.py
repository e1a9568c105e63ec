# SPDX-License-Identifier: EUPL-1.2
"""Read a Facebook page or profile export (`posts/..._posts_1.json`, "Download your information").

The file is a JSON list of posts (or an object with one member holding that
list): `{"timestamp": ..., "data": [{"post": "..."}], "attachments": [...],
"title": "..."}`. Raw: the exact bytes of one list element as they stand in
the file, Facebook's escapes and all.

Facebook writes each UTF-8 byte of a non-ASCII character as its own
`\\u00XX` escape, so "één" arrives as "Ã©Ã©n". Strings are repaired by
reading those code points as the bytes they are; a string that is not such
mojibake (a real "é" stands alone, not as a valid UTF-8 sequence) is kept.

The export carries no post id. The id is derived: the timestamp plus a hash
of the post's content in canonical JSON, so the same post in a later export
gets the same id (the account is part of the hash), and an edited post
(new `update_timestamp`) a new one.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from collections.abc import Iterator
from typing import Any

from archief.bewaring.sociaal import _json, _tijd
from archief.bewaring.sociaal._tekst import normaliseer
from archief.bewaring.sociaal._waarden import dict_, dicts, str_
from archief.bewaring.sociaal.model import Bericht, Media, OngeldigeExport, Overslaan

# A shared post is someone else's words; a shared link is the page's own post.
_REPOST = re.compile(
    r"\bshared\b.*\b(post|photo|video|memory)\b|\bdeelde\b.*\b(bericht|foto|video|herinnering)\b",
    re.IGNORECASE,
)


def herstel_mojibake(text: str) -> str:
    """Undo Facebook's latin-1 escaping of UTF-8 bytes; leave any other text alone."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _herstel(value: Any) -> Any:
    if isinstance(value, str):
        return herstel_mojibake(value)
    if isinstance(value, list):
        return [_herstel(v) for v in value]
    if isinstance(value, dict):
        return {herstel_mojibake(k): _herstel(v) for k, v in value.items()}
    return value


def lees_facebook(
    data: _json.Bron, *, bron: str, account: str, overslaan: Overslaan | None = None
) -> Iterator[Bericht]:
    """Yield one `Bericht` per post in a Facebook posts export."""
    if not account:
        raise ValueError("account (the page name) is required")
    pos = _json.start_of(data)
    if _json.byte_at(data, pos) == ord("{"):
        members, end = _json.object_members(data, pos, bron)
        _json.expect_end(data, end, bron)
        lists = [span for span in members.values() if _json.byte_at(data, span[0]) == ord("[")]
        if len(members) != 1 or len(lists) != 1:
            raise OngeldigeExport(
                bron, "verwacht een lijst berichten, of een object met één lijst", positie=pos
            )
        yield from _berichten(
            data, _json.ArrayWalk(data, lists[0][0], bron), bron, account, overslaan
        )
        return
    if _json.byte_at(data, pos) != ord("["):
        raise OngeldigeExport(bron, "verwacht een lijst berichten", positie=pos)
    walk = _json.ArrayWalk(data, pos, bron)
    yield from _berichten(data, walk, bron, account, overslaan)
    _json.expect_end(data, walk.end, bron)


def _berichten(
    data: _json.Bron, walk: _json.ArrayWalk, bron: str, account: str, overslaan: Overslaan | None
) -> Iterator[Bericht]:
    for start, stop in walk:
        try:
            bericht = _bericht(data, start, stop, bron=bron, account=account)
        except OngeldigeExport as exc:
            if overslaan is None:
                raise
            overslaan(exc)
            continue
        yield bericht


def _bericht(data: _json.Bron, start: int, stop: int, *, bron: str, account: str) -> Bericht:
    def fout(reden: str) -> OngeldigeExport:
        return OngeldigeExport(bron, reden, positie=start)

    post = _herstel(_json.load_span(data, start, stop, bron))
    if not isinstance(post, dict):
        raise fout("element is geen object")
    geplaatst = _tijd.epoch(post.get("timestamp"))
    if geplaatst is None:
        raise fout(f"bericht zonder geldige timestamp ({post.get('timestamp')!r})")
    texts = [t for item in dicts(post.get("data")) if (t := str_(item.get("post")))]
    media: list[Media] = []
    links: list[str] = []
    for attachment in dicts(post.get("attachments")):
        for item in dicts(attachment.get("data")):
            found = dict_(item.get("media"))
            uri = str_(found.get("uri"))
            if uri:
                media.append(
                    Media(
                        url=uri,
                        media_type=mimetypes.guess_type(uri)[0],
                        naam=uri,
                        beschrijving=str_(found.get("description")) or str_(found.get("title")),
                    )
                )
            url = str_(dict_(item.get("external_context")).get("url"))
            if url:
                links.append(url)
    tekst = "\n\n".join(texts)
    # A shared link is part of what was said; keep it findable.
    extra = [u for u in links if u not in tekst]
    tekst = "\n\n".join([tekst, *extra]) if tekst else "\n\n".join(extra)
    titel = str_(post.get("title"))
    canonical = json.dumps(post, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # The account is hashed in too: two pages may post the same words at the same second.
    digest = hashlib.sha256(f"{account}\n{canonical}".encode()).hexdigest()[:20]
    post_id = f"{int(geplaatst.timestamp())}-{digest}"
    return Bericht(
        platform="facebook",
        platform_id=post_id,
        account=account,
        auteur=account,
        tekst=normaliseer(tekst),
        geplaatst_op=geplaatst,
        # The export has no link to the post itself.
        url=None,
        ruw=bytes(data[start:stop]),
        bron=bron,
        gesprek=post_id,
        media=tuple(media),
        soort="repost" if titel and _REPOST.search(titel) else "bericht",
        titel=titel,
    )
