# SPDX-License-Identifier: EUPL-1.2
"""Sample exports written here, in each platform's own layout: no third-party data.

Each builder returns the source bytes and the objects it serialised, so
tests compare what a parser reads with what was written, not with copies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ACCOUNT = "gem_voorbeeldstad"
ROOT_ID = "1580000000000000001"
CITIZEN_ID = "1570000000000000009"  # a citizen's tweet, not in the export


@dataclass(frozen=True)
class Export:
    data: bytes
    items: list[dict[str, Any]]  # what each element of the export was built from


def twitter_export() -> Export:
    """A tweets.js: link and photos, a self-reply, a reply to a citizen, a retweet, a video."""
    tweets: list[dict[str, Any]] = [
        {
            "tweet": {
                "id_str": ROOT_ID,
                "id": ROOT_ID,
                "created_at": "Mon Mar 04 08:15:00 +0000 2024",
                "full_text": (
                    "Werkzaamheden aan de Herestraat starten maandag &amp; duren twee weken. "
                    "Meer info: https://t.co/AbC123xyz https://t.co/PiC1"
                ),
                "in_reply_to_status_id_str": None,
                "entities": {
                    "urls": [
                        {
                            "url": "https://t.co/AbC123xyz",
                            "expanded_url": "https://www.voorbeeldstad.nl/herestraat",
                            "display_url": "voorbeeldstad.nl/herestraat",
                            "indices": ["98", "121"],
                        }
                    ],
                    "media": [
                        {
                            "url": "https://t.co/PiC1",
                            "expanded_url": f"https://twitter.com/{ACCOUNT}/status/{ROOT_ID}/photo/1",
                            "media_url_https": "https://pbs.twimg.com/media/HrstrKaart.jpg",
                            "type": "photo",
                        }
                    ],
                },
                "extended_entities": {
                    "media": [
                        {
                            "url": "https://t.co/PiC1",
                            "expanded_url": f"https://twitter.com/{ACCOUNT}/status/{ROOT_ID}/photo/1",
                            "media_url_https": "https://pbs.twimg.com/media/HrstrKaart.jpg",
                            "type": "photo",
                            "ext_alt_text": "Kaart van de omleiding rond de Herestraat",
                        },
                        {
                            "url": "https://t.co/PiC1",
                            "expanded_url": f"https://twitter.com/{ACCOUNT}/status/{ROOT_ID}/photo/2",
                            "media_url_https": "https://pbs.twimg.com/media/HrstrFoto.png",
                            "type": "photo",
                        },
                    ]
                },
            }
        },
        {
            "tweet": {
                "id_str": "1580000000000000002",
                "created_at": "Mon Mar 04 08:16:30 +0100 2024",
                "full_text": "Bussen rijden in die tijd via de Oosterstraat. (2/2)",
                "in_reply_to_status_id_str": ROOT_ID,
                "in_reply_to_screen_name": ACCOUNT,
                "entities": {"urls": []},
            }
        },
        {
            "tweet": {
                "id_str": "1580000000000000003",
                "created_at": "Tue Mar 05 12:00:00 +0000 2024",
                "full_text": (
                    "@burger_noord Dank voor uw melding over de lantaarnpaal. "
                    "Privé-gegevens graag via een DM, dan pakken we het op."
                ),
                "in_reply_to_status_id_str": CITIZEN_ID,
                "in_reply_to_screen_name": "burger_noord",
                "entities": {"urls": []},
            }
        },
        {
            "tweet": {
                "id_str": "1580000000000000004",
                "created_at": "Wed Mar 06 18:45:10 +0000 2024",
                "full_text": (
                    "RT @wijkraad_noord: Inloopavond over het nieuwe speelplein, "
                    "één avond, iedereen welkom"
                ),
                "retweeted": False,
                "entities": {"urls": [], "user_mentions": [{"screen_name": "wijkraad_noord"}]},
            }
        },
        {
            "tweet": {
                "id_str": "1580000000000000005",
                "created_at": "Thu Mar 07 09:00:00 +0000 2024",
                "full_text": "De burgemeester opent het vernieuwde stadhuisplein https://t.co/ViD",
                "entities": {"urls": []},
                "extended_entities": {
                    "media": [
                        {
                            "url": "https://t.co/ViD",
                            "expanded_url": f"https://twitter.com/{ACCOUNT}/status/1580000000000000005/video/1",
                            "media_url_https": "https://pbs.twimg.com/ext_tw_video_thumb/5/pu/img/Duim.jpg",
                            "type": "video",
                            "video_info": {
                                "variants": [
                                    {
                                        "content_type": "application/x-mpegURL",
                                        "url": "https://video.twimg.com/ext_tw_video/5/pl/lijst.m3u8",
                                    },
                                    {
                                        "bitrate": "832000",
                                        "content_type": "video/mp4",
                                        "url": "https://video.twimg.com/ext_tw_video/5/vid/640x360/Laag.mp4",
                                    },
                                    {
                                        "bitrate": "2176000",
                                        "content_type": "video/mp4",
                                        "url": "https://video.twimg.com/ext_tw_video/5/vid/1280x720/Hoog.mp4",
                                    },
                                ]
                            },
                        }
                    ]
                },
            }
        },
    ]
    # The archive's own layout: two-space indent and " : " between key and value.
    body = json.dumps(tweets, indent=2, separators=(",", " : "), ensure_ascii=False)
    return Export(f"window.YTD.tweets.part0 = {body}".encode(), tweets)


BASE = "https://social.voorbeeldstad.nl"
ACTOR = f"{BASE}/users/gemeente"
CONTEXT: list[Any] = [
    "https://www.w3.org/ns/activitystreams",
    {"ostatus": "http://ostatus.org#", "conversation": "ostatus:conversation"},
]


def conversation(n: int) -> str:
    """Return the conversation tag Mastodon gives the thread started by status `n`."""
    return f"tag:social.voorbeeldstad.nl,2024-03-04:objectId={n}:objectType=Conversation"


def _note(
    n: int,
    content: str,
    published: str,
    *,
    reply_to: str | None = None,
    thread: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    note_id = f"{ACTOR}/statuses/{n}"
    return {
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": ACTOR,
        "published": published,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note_id,
            "type": "Note",
            "summary": extra.pop("summary", None),
            "inReplyTo": reply_to,
            "published": published,
            "url": f"{BASE}/@gemeente/{n}",
            "attributedTo": ACTOR,
            "sensitive": False,
            "conversation": conversation(thread or n),
            "content": content,
            **extra,
        },
    }


def mastodon_items() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two pages of outbox items: posts, a reply in the thread, a boost, a content warning."""
    first_page = [
        _note(
            111,
            "<p>Afvalinzameling op Koningsdag verschoven naar vrijdag. Zie "
            '<a href="https://www.voorbeeldstad.nl/afval/koningsdag-2024" '
            'rel="nofollow noopener" target="_blank"><span class="invisible">https://www.</span>'
            '<span class="ellipsis">voorbeeldstad.nl/afval/konings</span>'
            '<span class="invisible">dag-2024</span></a> '
            '<a href="https://social.voorbeeldstad.nl/tags/afval" class="mention hashtag" '
            'rel="tag">#<span>afval</span></a></p>',
            "2024-04-20T09:30:00Z",
            attachment=[
                {
                    "type": "Document",
                    "mediaType": "image/png",
                    "url": f"{BASE}/system/media_attachments/files/111/original/kalender.png",
                    "name": "Afvalkalender april",
                }
            ],
            tag=[{"type": "Hashtag", "href": f"{BASE}/tags/afval", "name": "#afval"}],
        ),
        _note(
            112,
            "<p>Het gaat om de gft- &amp; papierroute.<br>Restafval blijft op donderdag.</p>",
            "2024-04-20T09:31:00+02:00",
            reply_to=f"{ACTOR}/statuses/111",
            thread=111,
        ),
        {
            "id": f"{ACTOR}/statuses/113/activity",
            "type": "Announce",
            "actor": ACTOR,
            "published": "2024-04-21T10:00:00Z",
            "object": "https://mastodon.example/users/veiligheidsregio/statuses/999",
        },
    ]
    second_page = [
        {"id": f"{ACTOR}/statuses/110/activity#update", "type": "Update", "actor": ACTOR},
        _note(
            110,
            "<p>Raadsvergadering over één begroting: privé-woningbouw en sociale huur.</p>",
            "2024-04-18T19:00:00Z",
            summary="Politiek",
        ),
    ]
    return first_page, second_page


def outbox_export() -> Export:
    """An account archive's outbox.json: every item inline, compact as Mastodon writes it."""
    first, second = mastodon_items()
    items = first + second
    collection = {
        "@context": CONTEXT,
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }
    return Export(json.dumps(collection, ensure_ascii=False).encode(), items)


def outbox_pages(base: str) -> dict[str, bytes]:
    """The live outbox at `base` as path -> body: the collection and two pages."""
    first, second = mastodon_items()
    outbox = f"{base}/users/gemeente/outbox"
    collection = {
        "@context": CONTEXT,
        "id": outbox,
        "type": "OrderedCollection",
        "totalItems": len(first) + len(second),
        "first": f"{outbox}?page=true",
    }
    page1 = {
        "@context": CONTEXT,
        "id": f"{outbox}?page=true",
        "type": "OrderedCollectionPage",
        "next": f"{outbox}?max_id=110&page=true",
        "partOf": outbox,
        "orderedItems": first,
    }
    page2 = {
        "@context": CONTEXT,
        "id": f"{outbox}?max_id=110&page=true",
        "type": "OrderedCollectionPage",
        "prev": f"{outbox}?min_id=110&page=true",
        "partOf": outbox,
        "orderedItems": second,
    }
    return {
        "/users/gemeente/outbox": json.dumps(collection).encode(),
        "/users/gemeente/outbox?page=true": json.dumps(page1, indent=1).encode(),
        "/users/gemeente/outbox?max_id=110&page=true": json.dumps(page2).encode(),
    }


def mojibake(text: str) -> str:
    """Spell `text` the way Facebook's exporter does: one code point per UTF-8 byte."""
    return text.encode("utf-8").decode("latin-1")


PAGE = "Gemeente Voorbeeldstad"


def facebook_export() -> tuple[Export, list[dict[str, Any]]]:
    """A posts export with Facebook's escaping; also returns the posts as they should read."""
    posts: list[dict[str, Any]] = [
        {
            "timestamp": 1712736000,
            "data": [
                {
                    "post": (
                        "Vanaf één mei is het stadskantoor op zaterdag open. "
                        "Privé afspraak maken kan online."
                    )
                }
            ],
            "attachments": [
                {
                    "data": [
                        {
                            "media": {
                                "uri": "posts/media/stadskantoor/opening_zaterdag.jpg",
                                "creation_timestamp": 1712735990,
                                "description": "Entree van het stadskantoor, café op de hoek",
                            }
                        }
                    ]
                }
            ],
            "title": f"{PAGE} heeft een foto gedeeld.",
        },
        {
            "timestamp": 1712822400,
            "data": [
                {"post": "Lees het raadsvoorstel over de wijkvernieuwing"},
                {"update_timestamp": 1712822500},
            ],
            "attachments": [
                {
                    "data": [
                        {
                            "external_context": {
                                "url": "https://www.voorbeeldstad.nl/raad/wijkvernieuwing"
                            }
                        }
                    ]
                }
            ],
            "title": f"{PAGE} shared a link.",
        },
        {
            "timestamp": 1712908800,
            "data": [{"post": "Kom naar de open dag van de brandweer!"}],
            "title": f"{PAGE} shared Veiligheidsregio's post.",
        },
    ]

    def spoil(value: Any) -> Any:
        if isinstance(value, str):
            return mojibake(value)
        if isinstance(value, list):
            return [spoil(v) for v in value]
        if isinstance(value, dict):
            return {k: spoil(v) for k, v in value.items()}
        return value

    exported = [spoil(p) for p in posts]
    # ensure_ascii writes each of those code points as \u00XX, as Facebook does.
    return Export(json.dumps(exported, indent=2).encode("ascii"), exported), posts


RSS = """<?xml version="1.0" encoding="{encoding}"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Nieuws gemeente Voorbeeldstad</title>
    <link>https://www.voorbeeldstad.nl/nieuws</link>
    <description>Berichten van de gemeente</description>
    <item>
      <title>Subsidie voor groene daken &amp; gevels</title>
      <link>https://www.voorbeeldstad.nl/nieuws/groene-daken</link>
      <guid isPermaLink="false">nieuws-2024-031</guid>
      <pubDate>Tue, 12 Mar 2024 10:00:00 +0100</pubDate>
      <dc:creator>Team Duurzaamheid</dc:creator>
      <description><![CDATA[<p>Vanaf één april vraagt u <b>subsidie</b> aan.</p>]]></description>
      <content:encoded><![CDATA[
        <p>Vanaf één april vraagt u <b>subsidie</b> aan voor een groen dak.</p>
        <p>Ook voor privé-woningen.</p>]]></content:encoded>
      <enclosure url="https://www.voorbeeldstad.nl/media/groendak.jpg" length="12345"
                 type="image/jpeg"/>
    </item>
    <item>
      <title>Gemeenteraad besluit over zwembad</title>
      <link>https://www.voorbeeldstad.nl/nieuws/zwembad</link>
      <guid>https://www.voorbeeldstad.nl/nieuws/zwembad</guid>
      <pubDate>Wed, 13 Mar 2024 22:15:00 GMT</pubDate>
      <description>De raad koos voor renovatie.</description>
    </item>
  </channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
  <id>tag:voorbeeldstad.nl,2024:bekendmakingen</id>
  <title>Bekendmakingen Voorbeeldstad</title>
  <link href="https://www.voorbeeldstad.nl/bekendmakingen"/>
  <updated>2024-03-14T08:00:00Z</updated>
  <entry>
    <id>tag:voorbeeldstad.nl,2024:bekendmaking-77</id>
    <title type="text">Omgevingsvergunning Dorpsstraat 4</title>
    <link rel="alternate" href="https://www.voorbeeldstad.nl/bekendmakingen/77"/>
    <link rel="enclosure" type="application/pdf" href="https://www.voorbeeldstad.nl/bekendmakingen/77.pdf"/>
    <published>2024-03-14T09:00:00+01:00</published>
    <updated>2024-03-14T09:30:00+01:00</updated>
    <author><name>Afdeling Vergunningen</name></author>
    <content type="html">&lt;p&gt;Verleend: uitbreiding woning, één bouwlaag.&lt;/p&gt;</content>
  </entry>
  <entry>
    <id>tag:voorbeeldstad.nl,2024:reactie-78</id>
    <title>Reactie op bekendmaking 77</title>
    <updated>2024-03-15T10:00:00Z</updated>
    <thr:in-reply-to ref="tag:voorbeeldstad.nl,2024:bekendmaking-77"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>Bezwaar indienen kan tot <em>zes weken</em> na publicatie.</p>
    </div></content>
  </entry>
</feed>
"""
