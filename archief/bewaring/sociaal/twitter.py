# SPDX-License-Identifier: EUPL-1.2
"""Read `data/tweets.js` from an X/Twitter account archive.

The file is JavaScript: `window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]`.
Raw: the exact bytes of one array element, the `{"tweet": ...}` wrapper
included, as they stand in the file.

The archive does not name its own account in tweets.js (account.js does),
so the caller passes it; it makes the post URLs.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from archief.bewaring.sociaal import _json, _tijd
from archief.bewaring.sociaal._tekst import normaliseer, ontsnap
from archief.bewaring.sociaal._waarden import dict_ as _dict
from archief.bewaring.sociaal._waarden import dicts as _list
from archief.bewaring.sociaal._waarden import int_
from archief.bewaring.sociaal._waarden import str_ as _str
from archief.bewaring.sociaal.model import Bericht, Media, OngeldigeExport, Overslaan

_PREFIX = re.compile(rb"window\.YTD\.[A-Za-z0-9_]+\.part[0-9]+[ \t\r\n]*=[ \t\r\n]*")
_ID = re.compile(r"[0-9]{1,30}")
_SCREEN_NAME = re.compile(r"[A-Za-z0-9_]{1,50}")


def lees_tweets(
    data: _json.Bron, *, bron: str, account: str, overslaan: Overslaan | None = None
) -> Iterator[Bericht]:
    """Yield one `Bericht` per tweet in a tweets.js file (or a plain JSON array of tweets)."""
    if not _SCREEN_NAME.fullmatch(account):
        raise ValueError(f"not a screen name: {account!r}")
    pos = _json.start_of(data)
    m = _PREFIX.match(data, pos)
    if m:
        pos = m.end()
    if _json.byte_at(data, pos) != ord("["):
        raise OngeldigeExport(bron, "geen tweets.js: verwacht 'window.YTD....= ['", positie=pos)
    walk = _json.ArrayWalk(data, pos, bron)
    for start, end in walk:
        try:
            element = _json.load_span(data, start, end, bron)
            bericht = _bericht(
                element, bytes(data[start:end]), bron=bron, account=account, positie=start
            )
        except OngeldigeExport as exc:
            if overslaan is None:
                raise
            overslaan(exc)
            continue
        yield bericht
    # JavaScript allows a closing semicolon.
    _json.expect_end(data, walk.end, bron, allowed=b";")


def _bericht(element: Any, ruw: bytes, *, bron: str, account: str, positie: int) -> Bericht:
    def fout(reden: str) -> OngeldigeExport:
        return OngeldigeExport(bron, reden, positie=positie)

    if not isinstance(element, dict):
        raise fout("element is geen object")
    tweet = element.get("tweet", element)
    if not isinstance(tweet, dict):
        raise fout("'tweet' is geen object")
    tweet_id = tweet.get("id_str", tweet.get("id"))
    if isinstance(tweet_id, int) and not isinstance(tweet_id, bool):
        tweet_id = str(tweet_id)
    if not isinstance(tweet_id, str) or not _ID.fullmatch(tweet_id):
        raise fout("tweet zonder geldig id_str")
    geplaatst = _tijd.twitter(tweet.get("created_at"))
    if geplaatst is None:
        raise fout(f"tweet {tweet_id}: ongeldige created_at {tweet.get('created_at')!r}")
    text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(text, str):
        raise fout(f"tweet {tweet_id}: geen full_text")

    entities = _dict(tweet.get("entities"))
    extended = _dict(tweet.get("extended_entities"))
    media_entities = _list(extended.get("media")) or _list(entities.get("media"))
    # The short t.co links stand for links the archive knows in full.
    for entity in _list(entities.get("urls")) + media_entities:
        short, full = _str(entity.get("url")), _str(entity.get("expanded_url"))
        if short and full:
            text = text.replace(short, full)

    parent = tweet.get("in_reply_to_status_id_str")
    parent = parent if isinstance(parent, str) and _ID.fullmatch(parent) else None
    retweeted = _dict(tweet.get("retweeted_status"))
    is_repost = bool(retweeted) or text.startswith("RT @")
    conversation = _str(tweet.get("conversation_id_str"))
    return Bericht(
        platform="twitter",
        platform_id=tweet_id,
        account=account,
        auteur=account,
        tekst=normaliseer(ontsnap(text)),
        geplaatst_op=geplaatst,
        url=f"https://twitter.com/{account}/status/{tweet_id}",
        ruw=ruw,
        bron=bron,
        in_antwoord_op=parent,
        # A tweet that answers nothing starts its own conversation; for a
        # reply the root is found across the export by `gesprekken`.
        gesprek=conversation or (None if parent else tweet_id),
        media=_media(tweet_id, media_entities),
        soort="repost" if is_repost else ("antwoord" if parent else "bericht"),
        gedeeld_van=_str(retweeted.get("id_str")),
    )


def _media(tweet_id: str, entities: list[dict[str, Any]]) -> tuple[Media, ...]:
    found: dict[str, Media] = {}
    for entity in entities:
        url = _str(entity.get("media_url_https")) or _str(entity.get("media_url"))
        if not url:
            continue
        # The archive stores the file as tweets_media/<tweet id>-<base name>.
        naam = f"{tweet_id}-{posixpath.basename(urlsplit(url).path)}"
        variants = _list(_dict(entity.get("video_info")).get("variants"))
        # The HLS playlist is an index of other files, not the video itself.
        playable = [
            v
            for v in variants
            if _str(v.get("url")) and v.get("content_type") != "application/x-mpegURL"
        ]
        if playable:
            best = max(playable, key=lambda v: int_(v.get("bitrate")))
            url = str(best["url"])
            naam = f"{tweet_id}-{posixpath.basename(urlsplit(url).path)}"
            media_type = _str(best.get("content_type"))
        else:
            media_type = mimetypes.guess_type(urlsplit(url).path)[0]
        found.setdefault(
            url,
            Media(
                url=url,
                media_type=media_type,
                naam=naam,
                beschrijving=_str(entity.get("ext_alt_text")),
            ),
        )
    return tuple(found.values())
