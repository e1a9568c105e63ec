# SPDX-License-Identifier: EUPL-1.2
"""Each parser reads its sample export: fields, thread context, media, raw bytes."""

from __future__ import annotations

import hashlib
import json
import mmap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archief.bewaring.sociaal import (
    Bericht,
    gesprekken,
    lees_facebook,
    lees_feed,
    lees_outbox,
    lees_tweets,
)
from archief.bewaring.sociaal.facebook import herstel_mojibake
from tests.bewaring.sociaal import voorbeelden as vb


def assert_raw_exact(berichten: list[Bericht], source: bytes) -> None:
    """Every `ruw` is one slice of the source, in order, and its checksum is its own."""
    position = 0
    for bericht in berichten:
        found = source.find(bericht.ruw, position)
        assert found >= 0, f"{bericht.platform_id}: ruw is not a slice of the source"
        assert source.count(bericht.ruw) == 1
        assert (
            bericht.sha256 == hashlib.sha256(source[found : found + len(bericht.ruw)]).hexdigest()
        )
        position = found + len(bericht.ruw)


# --- Twitter --------------------------------------------------------------------------


def test_tweets_fields_and_raw_bytes() -> None:
    export = vb.twitter_export()
    berichten = list(lees_tweets(export.data, bron="data/tweets.js", account=vb.ACCOUNT))

    assert [b.platform_id for b in berichten] == [t["tweet"]["id_str"] for t in export.items]
    assert_raw_exact(berichten, export.data)
    # The raw element is the {"tweet": ...} wrapper, not a re-serialisation of it.
    for bericht, item in zip(berichten, export.items, strict=True):
        assert json.loads(bericht.ruw) == item
        assert bericht.ruw != json.dumps(item).encode()
        assert bericht.platform == "twitter"
        assert bericht.account == bericht.auteur == vb.ACCOUNT
        assert bericht.url == f"https://twitter.com/{vb.ACCOUNT}/status/{bericht.platform_id}"
        assert bericht.bron == "data/tweets.js"
        assert bericht.geplaatst_op.tzinfo is not None
        assert bericht.geplaatst_op.utcoffset() == UTC.utcoffset(None)

    root, self_reply, citizen_reply, retweet, video = berichten
    # Entities decoded and short links expanded to what the archive knows.
    assert "maandag & duren" in root.tekst
    assert "https://www.voorbeeldstad.nl/herestraat" in root.tekst
    assert "t.co/" not in root.tekst
    assert root.geplaatst_op == datetime(2024, 3, 4, 8, 15, tzinfo=UTC)
    assert [m.naam for m in root.media] == [
        f"{vb.ROOT_ID}-HrstrKaart.jpg",
        f"{vb.ROOT_ID}-HrstrFoto.png",
    ]
    assert root.media[0].media_type == "image/jpeg"
    assert root.media[0].beschrijving == "Kaart van de omleiding rond de Herestraat"
    assert root.soort == "bericht" and root.gesprek == root.platform_id

    # +0100 is kept as an instant: 08:16:30 +0100 is 07:16:30 UTC.
    assert self_reply.geplaatst_op == datetime(2024, 3, 4, 7, 16, 30, tzinfo=UTC)
    assert self_reply.in_antwoord_op == vb.ROOT_ID and self_reply.soort == "antwoord"
    assert citizen_reply.in_antwoord_op == vb.CITIZEN_ID
    assert "Privé-gegevens" in citizen_reply.tekst
    assert retweet.soort == "repost"
    # The best playable variant, never the HLS index.
    assert [m.url.rsplit("/", 1)[-1] for m in video.media] == ["Hoog.mp4"]
    assert video.media[0].media_type == "video/mp4"


def test_tweets_threads_resolved_across_the_export() -> None:
    export = vb.twitter_export()
    berichten = gesprekken(lees_tweets(export.data, bron="tweets.js", account=vb.ACCOUNT))
    by_id = {b.platform_id: b for b in berichten}
    # The self-reply joins the thread its parent started; the reply to a
    # citizen is named after the citizen's tweet, the highest one known.
    assert by_id["1580000000000000002"].gesprek == vb.ROOT_ID
    assert by_id["1580000000000000003"].gesprek == vb.CITIZEN_ID
    assert by_id[vb.ROOT_ID].gesprek == vb.ROOT_ID


def test_tweets_from_a_memory_map(tmp_path: Path) -> None:
    """A large export can be mapped instead of read; the result is the same."""
    export = vb.twitter_export()
    path = tmp_path / "tweets.js"
    path.write_bytes(export.data)
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        mapped = list(lees_tweets(m, bron="tweets.js", account=vb.ACCOUNT))
    read = list(lees_tweets(export.data, bron="tweets.js", account=vb.ACCOUNT))
    assert mapped == read


def test_tweets_plain_array_and_trailing_semicolon() -> None:
    export = vb.twitter_export()
    body = export.data.split(b"=", 1)[1] + b";\n"
    assert len(list(lees_tweets(body, bron="tweets.js", account=vb.ACCOUNT))) == len(export.items)


# --- Mastodon -------------------------------------------------------------------------


def test_outbox_export_fields_thread_and_raw() -> None:
    export = vb.outbox_export()
    berichten = list(lees_outbox(export.data, bron="outbox.json"))

    kept = [i for i in export.items if i["type"] in ("Create", "Announce")]
    assert len(berichten) == len(kept)
    assert_raw_exact(berichten, export.data)
    for bericht, item in zip(berichten, kept, strict=True):
        assert json.loads(bericht.ruw) == item

    post, reply, boost, cw = berichten
    assert post.platform_id == f"{vb.ACTOR}/statuses/111"
    assert post.url == f"{vb.BASE}/@gemeente/111"
    assert post.account == post.auteur == vb.ACTOR
    # HTML stripped; Mastodon's shortened link shown in full; hashtag kept as written.
    assert post.tekst == (
        "Afvalinzameling op Koningsdag verschoven naar vrijdag. "
        "Zie https://www.voorbeeldstad.nl/afval/koningsdag-2024 #afval"
    )
    assert post.media[0].media_type == "image/png"
    assert post.media[0].naam == "kalender.png"
    assert post.media[0].beschrijving == "Afvalkalender april"

    assert reply.in_antwoord_op == post.platform_id
    assert reply.gesprek == post.gesprek == vb.conversation(111)
    assert reply.tekst == "Het gaat om de gft- & papierroute.\nRestafval blijft op donderdag."
    assert reply.geplaatst_op == datetime(2024, 4, 20, 7, 31, tzinfo=UTC)
    assert reply.soort == "antwoord"

    assert boost.soort == "repost"
    assert boost.gedeeld_van == "https://mastodon.example/users/veiligheidsregio/statuses/999"
    assert cw.titel == "Politiek"
    assert "één begroting" in cw.tekst and "privé-woningbouw" in cw.tekst


# --- Facebook -------------------------------------------------------------------------


def test_facebook_mojibake_repaired_and_raw_kept() -> None:
    export, posts = vb.facebook_export()
    berichten = list(lees_facebook(export.data, bron="posts/your_posts_1.json", account=vb.PAGE))

    assert len(berichten) == len(posts)
    assert_raw_exact(berichten, export.data)
    first, link, shared = berichten
    # The raw bytes keep Facebook's escapes; the text reads as written.
    assert rb"\u00c3\u00a9\u00c3\u00a9n" in first.ruw
    assert first.tekst == posts[0]["data"][0]["post"]
    assert "één" in first.tekst and "Privé" in first.tekst
    assert first.media[0].naam == "posts/media/stadskantoor/opening_zaterdag.jpg"
    assert first.media[0].beschrijving == "Entree van het stadskantoor, café op de hoek"
    assert first.geplaatst_op == datetime.fromtimestamp(posts[0]["timestamp"], UTC)
    assert first.url is None and first.doel_uri.startswith("urn:archief:sociaal:facebook:")
    # A shared link is part of the post's text; a shared post is a repost.
    assert "https://www.voorbeeldstad.nl/raad/wijkvernieuwing" in link.tekst
    assert link.soort == "bericht" and shared.soort == "repost"
    assert len({b.platform_id for b in berichten}) == 3


def test_facebook_ids_are_stable_across_exports() -> None:
    export, _posts = vb.facebook_export()
    compact = json.dumps(json.loads(export.data)).encode()
    assert compact != export.data
    ids = [b.platform_id for b in lees_facebook(export.data, bron="a.json", account=vb.PAGE)]
    again = [b.platform_id for b in lees_facebook(compact, bron="b.json", account=vb.PAGE)]
    other = [
        b.platform_id for b in lees_facebook(compact, bron="b.json", account="Andere Gemeente")
    ]
    assert ids == again
    assert not set(ids) & set(other)


def test_facebook_object_wrapper() -> None:
    export, _posts = vb.facebook_export()
    wrapped = b'{"status_updates_v2": ' + export.data + b"}"
    berichten = list(lees_facebook(wrapped, bron="posts.json", account=vb.PAGE))
    assert [b.tekst for b in berichten] == [
        b.tekst for b in lees_facebook(export.data, bron="posts.json", account=vb.PAGE)
    ]
    assert_raw_exact(berichten, wrapped)


@pytest.mark.parametrize("text", ["één", "privé", "Ærø", "€ 12", "plain ascii"])
def test_mojibake_round_trip(text: str) -> None:
    assert herstel_mojibake(vb.mojibake(text)) == text


@pytest.mark.parametrize("text", ["café", "naïef", "£"])
def test_real_latin1_text_is_left_alone(text: str) -> None:
    # A lone "é" is not a UTF-8 byte sequence: it must not be "repaired" away.
    assert herstel_mojibake(text) == text


# --- RSS and Atom ---------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "iso-8859-1"])
def test_rss_fields_and_raw(encoding: str) -> None:
    source = vb.RSS.format(encoding=encoding).encode(encoding)
    berichten = list(lees_feed(source, bron="nieuws.rss"))
    assert len(berichten) == 2
    assert_raw_exact(berichten, source)
    for bericht in berichten:
        assert bericht.ruw.startswith(b"<item>") and bericht.ruw.endswith(b"</item>")

    subsidie, zwembad = berichten
    account = "https://www.voorbeeldstad.nl/nieuws"
    assert subsidie.account == account
    # A feed-relative guid is made unique across feeds.
    assert subsidie.platform_id == f"{account}#nieuws-2024-031"
    assert subsidie.url == "https://www.voorbeeldstad.nl/nieuws/groene-daken"
    assert subsidie.auteur == "Team Duurzaamheid"
    assert subsidie.titel == "Subsidie voor groene daken & gevels"
    # content:encoded wins over description; HTML stripped, paragraphs kept.
    assert subsidie.tekst == (
        "Vanaf één april vraagt u subsidie aan voor een groen dak.\n\nOok voor privé-woningen."
    )
    assert subsidie.geplaatst_op == datetime(2024, 3, 12, 9, 0, tzinfo=UTC)
    assert subsidie.media[0].url == "https://www.voorbeeldstad.nl/media/groendak.jpg"
    assert subsidie.media[0].media_type == "image/jpeg"
    assert zwembad.platform_id == "https://www.voorbeeldstad.nl/nieuws/zwembad"
    assert zwembad.auteur == "Nieuws gemeente Voorbeeldstad"


def test_atom_fields_reply_and_raw() -> None:
    source = vb.ATOM.encode()
    berichten = list(lees_feed(source, bron="bekendmakingen.atom"))
    assert_raw_exact(berichten, source)
    vergunning, reactie = berichten
    assert vergunning.account == "tag:voorbeeldstad.nl,2024:bekendmakingen"
    assert vergunning.platform_id == "tag:voorbeeldstad.nl,2024:bekendmaking-77"
    assert vergunning.url == "https://www.voorbeeldstad.nl/bekendmakingen/77"
    # published is when it was posted; updated only when published is missing.
    assert vergunning.geplaatst_op == datetime(2024, 3, 14, 8, 0, tzinfo=UTC)
    assert vergunning.tekst == "Verleend: uitbreiding woning, één bouwlaag."
    assert vergunning.auteur == "Afdeling Vergunningen"
    assert vergunning.media[0].media_type == "application/pdf"
    assert reactie.in_antwoord_op == vergunning.platform_id
    assert reactie.soort == "antwoord"
    assert reactie.tekst == "Bezwaar indienen kan tot zes weken na publicatie."
    assert reactie.geplaatst_op == datetime(2024, 3, 15, 10, 0, tzinfo=UTC)


def test_rss_item_raw_span_is_the_item_alone() -> None:
    """Another item written as an empty-element tag right after does not leak into the span."""
    first = (
        b"<item><guid>https://x.nl/1</guid><pubDate>Tue, 12 Mar 2024 10:00:00 GMT</pubDate></item>"
    )
    second = (
        b"<item><guid>https://x.nl/2</guid><pubDate>Tue, 12 Mar 2024 11:00:00 GMT</pubDate></item>"
    )
    source = b'<rss version="2.0"><channel><link>https://x.nl/</link>' + first + second
    source += b"</channel></rss>"
    assert [b.ruw for b in lees_feed(source, bron="x.rss")] == [first, second]
