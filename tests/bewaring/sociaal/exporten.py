# SPDX-License-Identifier: EUPL-1.2
"""Exports on disk for the filing tests, written here; unique per call.

Posts are deduplicated across the whole catalog by platform id, so every
builder takes a `tag` (random lowercase letters) that goes into each id
and into one word of each text: tests that share the run's database never
see each other's posts, and a search for that word can only find these.
"""

from __future__ import annotations

import io
import json
import random
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image


def tag() -> str:
    """Return a fresh tag: letters only, so the search analyzers keep it one token."""
    return "".join(random.choices(string.ascii_lowercase, k=10))


def png(width: int = 24, height: int = 16) -> bytes:
    """Return a small PNG, different per call (its colour is random)."""
    out = io.BytesIO()
    kleur = tuple(random.randrange(256) for _ in range(3))
    Image.new("RGB", (width, height), kleur).save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class TwitterArchief:
    root: Path
    account: str
    ids: list[str]  # root post, reply, reply to the reply, a post with a video URL only
    woord: str  # a word only in these posts' text
    sleutel: str  # a JSON key only in the raw payload
    foto: Path  # the media file the archive holds


def twitter_archief(root: Path, t: str, *, met_account_js: bool = True) -> TwitterArchief:
    """Write a Twitter archive folder: data/tweets.js, data/account.js, data/tweets_media/."""
    account = f"gem_{t[:8]}"
    base = random.randrange(10**17, 10**18)
    ids = [str(base + i) for i in range(4)]
    woord = f"lantaarn{t}"
    sleutel = f"zwqsleutel{t}"
    data = root / "data"
    (data / "tweets_media").mkdir(parents=True)
    foto = data / "tweets_media" / f"{ids[0]}-Kaart{t}.png"
    foto.write_bytes(png())
    tweets: list[dict[str, Any]] = [
        {
            "tweet": {
                "id_str": ids[0],
                "created_at": "Mon Mar 04 08:15:00 +0000 2024",
                "full_text": f"De {woord} aan de Herestraat wordt vervangen. https://t.co/Foto{t}",
                sleutel: "alleen in de ruwe vorm",
                "in_reply_to_status_id_str": None,
                "entities": {"urls": []},
                "extended_entities": {
                    "media": [
                        {
                            "url": f"https://t.co/Foto{t}",
                            "expanded_url": f"https://twitter.com/{account}/status/{ids[0]}/photo/1",
                            "media_url_https": f"https://pbs.twimg.com/media/Kaart{t}.png",
                            "type": "photo",
                            "ext_alt_text": f"Kaart met de omleiding{t}",
                        }
                    ]
                },
            }
        },
        {
            "tweet": {
                "id_str": ids[1],
                "created_at": "Mon Mar 04 08:16:30 +0000 2024",
                "full_text": "Bussen rijden in die tijd via de Oosterstraat.",
                "in_reply_to_status_id_str": ids[0],
                "entities": {"urls": []},
            }
        },
        {
            "tweet": {
                "id_str": ids[2],
                "created_at": "Mon Mar 04 09:00:00 +0000 2024",
                "full_text": "De haltes blijven bereikbaar.",
                "in_reply_to_status_id_str": ids[1],
                "entities": {"urls": []},
            }
        },
        {
            "tweet": {
                "id_str": ids[3],
                "created_at": "Thu Mar 07 09:00:00 +0000 2024",
                "full_text": f"Video van de opening https://t.co/Vid{t}",
                "entities": {"urls": []},
                "extended_entities": {
                    "media": [
                        {
                            "url": f"https://t.co/Vid{t}",
                            "media_url_https": f"https://pbs.twimg.com/thumb/Duim{t}.jpg",
                            "type": "video",
                            "video_info": {
                                "variants": [
                                    {
                                        "bitrate": "832000",
                                        "content_type": "video/mp4",
                                        "url": f"https://video.twimg.com/vid/Opening{t}.mp4",
                                    }
                                ]
                            },
                        }
                    ]
                },
            }
        },
    ]
    # Newest first, as the archive writes it: the replies come before their parent.
    tweets.reverse()
    ids_newest_first = [str(e["tweet"]["id_str"]) for e in tweets]
    body = json.dumps(tweets, indent=2, separators=(",", " : "), ensure_ascii=False)
    (data / "tweets.js").write_text(f"window.YTD.tweets.part0 = {body}", encoding="utf-8")
    if met_account_js:
        account_js = [{"account": {"username": account, "accountId": "42"}}]
        (data / "account.js").write_text(
            f"window.YTD.account.part0 = {json.dumps(account_js, indent=2)}", encoding="utf-8"
        )
    assert sorted(ids_newest_first) == sorted(ids)
    return TwitterArchief(root, account, ids, woord, sleutel, foto)


RSS_LATIN1 = """<?xml version="1.0" encoding="iso-8859-1"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Nieuws gemeente Voorbeeldstad</title>
    <link>https://www.voorbeeldstad.nl/nieuws</link>
    <item>
      <title>Caf\u00e9vergunning voor het plein</title>
      <link>https://www.voorbeeldstad.nl/nieuws/{tag}/cafe</link>
      <guid isPermaLink="false">nieuws-{tag}-1</guid>
      <pubDate>Tue, 12 Mar 2024 10:00:00 +0100</pubDate>
      <dc:creator>Team Vergunningen</dc:creator>
      <content:encoded><![CDATA[<p>Vanaf \u00e9\u00e9n april mag het caf\u00e9terras{tag}
        tot 23.00 uur open. Ook voor priv\u00e9-feesten.</p>]]></content:encoded>
    </item>
    <item>
      <title>Tweede bericht</title>
      <guid>https://www.voorbeeldstad.nl/nieuws/{tag}/2</guid>
      <pubDate>Wed, 13 Mar 2024 22:15:00 GMT</pubDate>
      <description>De raad koos voor renovatie.</description>
    </item>
  </channel>
</rss>
"""


def rss_latin1(path: Path, t: str) -> bytes:
    """Write an RSS 2.0 feed in ISO-8859-1 (é as one byte, 0xE9); return its bytes."""
    data = RSS_LATIN1.replace("{tag}", t).encode("iso-8859-1")
    path.write_bytes(data)
    return data


def facebook_export(root: Path, t: str) -> tuple[Path, list[dict[str, Any]]]:
    """Write a Facebook export folder: posts/your_posts_1.json and one photo it names."""
    foto_uri = f"posts/media/album{t}/terras.png"
    (root / "posts" / "media" / f"album{t}").mkdir(parents=True)
    (root / foto_uri).write_bytes(png())
    posts: list[dict[str, Any]] = [
        {
            "timestamp": 1712736000,
            "data": [{"post": f"Het stadskantoor{t} is vanaf één mei op zaterdag open."}],
            "attachments": [
                {"data": [{"media": {"uri": foto_uri, "description": f"Entree{t}, café"}}]}
            ],
            "title": "Gemeente Voorbeeldstad heeft een foto gedeeld.",
        },
        {
            "timestamp": 1712822400,
            "data": [{"post": f"Lees het raadsvoorstel{t}"}],
            "attachments": [{"data": [{"media": {"uri": f"posts/media/album{t}/ontbreekt.jpg"}}]}],
        },
    ]

    def spoil(value: Any) -> Any:
        if isinstance(value, str):
            return value.encode("utf-8").decode("latin-1")
        if isinstance(value, list):
            return [spoil(v) for v in value]
        if isinstance(value, dict):
            return {k: spoil(v) for k, v in value.items()}
        return value

    path = root / "posts" / "your_posts_1.json"
    path.write_bytes(json.dumps([spoil(p) for p in posts], indent=2).encode("ascii"))
    return path, posts


def mastodon_note(
    actor: str, t: str, n: int, content: str, published: str, reply_to: int | None = None
) -> dict[str, Any]:
    """One Create activity of status `n`; status 3 carries a picture."""
    note_id = f"{actor}/statuses/{n}"
    attachment = [
        {
            "type": "Document",
            "mediaType": "image/png",
            # A path inside the account archive; a live outbox has full URLs.
            "url": f"/media_attachments/{t}/{n}.png",
            "name": f"Afvalkalender{t}",
        }
    ]
    return {
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": actor,
        "published": published,
        "object": {
            "id": note_id,
            "type": "Note",
            "inReplyTo": f"{actor}/statuses/{reply_to}" if reply_to else None,
            "published": published,
            "url": f"{actor.replace('/users/', '/@')}/{n}",
            "attributedTo": actor,
            "conversation": f"tag:voorbeeld,2024:objectId={reply_to or n}:{t}",
            "content": content,
            "attachment": attachment if n == 3 else [],
        },
    }


def mastodon_items(actor: str, t: str) -> list[dict[str, Any]]:
    """Three posts of one account, newest first: a post with a picture, a reply, its parent."""
    return [
        mastodon_note(
            actor, t, 3, f"<p>Raadsvergadering over de begroting{t}.</p>", "2024-04-21T19:00:00Z"
        ),
        mastodon_note(
            actor, t, 2, "<p>Het gaat om de gft- &amp; papierroute.</p>", "2024-04-20T09:31:00Z", 1
        ),
        mastodon_note(
            actor,
            t,
            1,
            f"<p>Afvalinzameling{t} op Koningsdag verschoven.</p>",
            "2024-04-20T09:30:00Z",
        ),
    ]


def outbox_json(items: list[dict[str, Any]]) -> bytes:
    """Return an account archive's outbox.json with these items inline."""
    return json.dumps(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": "outbox.json",
            "type": "OrderedCollection",
            "totalItems": len(items),
            "orderedItems": items,
        },
        ensure_ascii=False,
    ).encode()


def outbox_pages(base: str, path: str, items: list[dict[str, Any]]) -> dict[str, bytes]:
    """A live outbox at base+path, as path -> body: the collection and one page per two items."""
    outbox = f"{base}{path}"
    pages = [items[i : i + 2] for i in range(0, len(items), 2)]
    routes = {
        path: json.dumps(
            {
                "id": outbox,
                "type": "OrderedCollection",
                "totalItems": len(items),
                "first": f"{outbox}?page=1",
            }
        ).encode()
    }
    for n, chunk in enumerate(pages, start=1):
        page: dict[str, Any] = {
            "id": f"{outbox}?page={n}",
            "type": "OrderedCollectionPage",
            "partOf": outbox,
            "orderedItems": chunk,
        }
        if n < len(pages):
            page["next"] = f"{outbox}?page={n + 1}"
        routes[f"{path}?page={n}"] = json.dumps(page).encode()
    return routes
