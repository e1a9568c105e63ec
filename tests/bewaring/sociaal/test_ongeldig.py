# SPDX-License-Identifier: EUPL-1.2
"""Broken and hostile exports give one clear error, naming the file and the position."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archief.bewaring.sociaal import (
    Bericht,
    OngeldigeExport,
    lees_facebook,
    lees_feed,
    lees_outbox,
    lees_tweets,
)
from tests.bewaring.sociaal import voorbeelden as vb

Parser = Callable[[bytes], Iterator[Bericht]]


def twitter(data: bytes) -> Iterator[Bericht]:
    return lees_tweets(data, bron="tweets.js", account=vb.ACCOUNT)


def mastodon(data: bytes) -> Iterator[Bericht]:
    return lees_outbox(data, bron="outbox.json")


def facebook(data: bytes) -> Iterator[Bericht]:
    return lees_facebook(data, bron="posts_1.json", account=vb.PAGE)


def feed(data: bytes) -> Iterator[Bericht]:
    return lees_feed(data, bron="nieuws.rss")


BRON: dict[object, str] = {
    twitter: "tweets.js",
    mastodon: "outbox.json",
    facebook: "posts_1.json",
    feed: "nieuws.rss",
}


def refused(parser: Parser, data: bytes) -> OngeldigeExport:
    with pytest.raises(OngeldigeExport) as caught:
        list(parser(data))
    error = caught.value
    assert error.code == "ongeldige_export"
    assert error.bron == BRON[parser]
    assert BRON[parser] in str(error)
    assert error.positie is not None and 0 <= error.positie <= len(data)
    return error


def tweet(**fields: object) -> bytes:
    base: dict[str, object] = {
        "id_str": "1",
        "created_at": "Mon Mar 04 08:15:00 +0000 2024",
        "full_text": "x",
    }
    base.update(fields)
    return b"window.YTD.tweets.part0 = [ " + json.dumps({"tweet": base}).encode() + b" ]"


def sample(parser: Parser) -> bytes:
    if parser is twitter:
        return vb.twitter_export().data
    if parser is mastodon:
        return vb.outbox_export().data
    if parser is facebook:
        return vb.facebook_export()[0].data
    return vb.RSS.format(encoding="utf-8").encode()


@pytest.mark.parametrize("parser", [twitter, mastodon, facebook, feed])
@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_truncated_export(parser: Parser, fraction: float) -> None:
    data = sample(parser)
    refused(parser, data[: int(len(data) * fraction)])


@pytest.mark.parametrize(
    ("parser", "data"),
    [
        (twitter, b'window.YTD.tweets.part0 = {"tweet": {}}'),
        (twitter, b'"just a string"'),
        (twitter, tweet() + b" alert(1)"),
        (mastodon, b"[]"),
        (mastodon, b'{"type": "Person", "id": "https://x/"}'),
        (mastodon, b'{"type": "OrderedCollection", "orderedItems": {"a": 1}}'),
        (mastodon, b"<html><body>Not found</body></html>"),
        (facebook, b'"posts"'),
        (facebook, b'{"a": [], "b": []}'),
        (facebook, b"[1, 2, 3]"),
        (feed, b"<html><body><p>no feed</p></body></html>"),
        (feed, b"not xml at all"),
    ],
)
def test_wrong_top_level(parser: Parser, data: bytes) -> None:
    refused(parser, data)


def test_missing_tweet_id_names_the_element() -> None:
    good = json.dumps(
        {"tweet": {"id_str": "7", "created_at": "Mon Mar 04 08:15:00 +0000 2024", "full_text": "a"}}
    )
    bad = json.dumps({"tweet": {"created_at": "Mon Mar 04 08:15:00 +0000 2024", "full_text": "b"}})
    data = f"window.YTD.tweets.part0 = [ {good}, {bad} ]".encode()
    berichten = twitter(data)
    assert next(berichten).platform_id == "7"  # what came before the fault is read
    with pytest.raises(OngeldigeExport) as caught:
        next(berichten)
    assert caught.value.positie == data.index(bad.encode())


@pytest.mark.parametrize(
    "data",
    [
        tweet(created_at="2024-03-04 08:15"),
        tweet(created_at="Mon Foo 04 08:15:00 +0000 2024"),
        tweet(created_at="Mon Feb 30 08:15:00 +0000 2024"),
        tweet(created_at=None),
        tweet(id_str="12ab"),
        tweet(full_text=None),
    ],
)
def test_bad_tweet_fields(data: bytes) -> None:
    refused(twitter, data)


def outbox(*items: object) -> bytes:
    return json.dumps({"type": "OrderedCollection", "orderedItems": list(items)}).encode()


@pytest.mark.parametrize(
    "data",
    [
        outbox({"type": "Create", "object": {"type": "Note", "published": "2024-01-01T00:00:00Z"}}),
        outbox({"type": "Create", "object": {"id": "https://x/1", "published": "gisteren"}}),
        outbox(
            {"type": "Create", "object": {"id": "https://x/1", "published": "2024-01-01T00:00:00"}}
        ),
        outbox({"type": "Create", "object": "https://x/1"}),
        outbox({"type": "Announce", "object": "https://x/1", "published": "2024-01-01T00:00:00Z"}),
    ],
)
def test_bad_outbox_items(data: bytes) -> None:
    refused(mastodon, data)


@pytest.mark.parametrize("timestamp", [None, "1712736000", 10**30, True])
def test_bad_facebook_timestamp(timestamp: object) -> None:
    refused(facebook, json.dumps([{"timestamp": timestamp, "data": [{"post": "x"}]}]).encode())


@pytest.mark.parametrize(
    "data",
    [
        b"<rss><channel><item><title>zonder id</title>"
        b"<pubDate>Tue, 12 Mar 2024 10:00:00 GMT</pubDate></item></channel></rss>",
        b"<rss><channel><item><guid>https://x/1</guid><pubDate>morgen</pubDate></item></channel></rss>",
        b"<rss><channel><item><guid>https://x/1</guid></item></channel></rss>",
        b"<rss><channel><item/></channel></rss>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><updated>2024-03-15T10:00:00Z</updated></entry></feed>',
        b"",
    ],
)
def test_bad_feed_items(data: bytes) -> None:
    refused(feed, data)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rss><channel><item><guid>&c;</guid></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY geheim SYSTEM "file:///etc/passwd">]>
<rss><channel><item><guid>&geheim;</guid></item></channel></rss>"""


@pytest.mark.parametrize("data", [BOMB, XXE])
def test_feed_refuses_document_type_declarations(data: bytes) -> None:
    error = refused(feed, data)
    assert error.positie is not None and error.positie == data.index(b"<!DOCTYPE")


@pytest.mark.parametrize("parser", [twitter, facebook])
def test_deep_nesting_is_refused_not_a_recursion_error(parser: Parser) -> None:
    refused(parser, b"[" + b"[" * 100_000 + b"]" * 100_000 + b"]")


def test_invalid_utf8_in_a_post() -> None:
    data = tweet(full_text="PLACEHOLDER").replace(b"PLACEHOLDER", b"caf\xe9")
    error = refused(twitter, data)
    assert error.positie == data.index(b"\xe9")


def test_unterminated_string() -> None:
    refused(twitter, b'window.YTD.tweets.part0 = [ {"tweet": {"id_str": "1 ]')


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parser=st.sampled_from([twitter, mastodon, facebook, feed]),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=4)), min_size=1, max_size=4),
)
def test_mangled_exports_parse_or_fail_cleanly(
    parser: Parser, cuts: list[tuple[float, bytes]]
) -> None:
    """Whatever is done to an export, the parser reads it or raises OngeldigeExport."""
    data = bytearray(sample(parser))
    for where, junk in cuts:
        at = int(where * (len(data) - 1))
        data[at : at + len(junk)] = junk
    try:
        for bericht in parser(bytes(data)):
            assert bericht.ruw in data
    except OngeldigeExport as error:
        assert error.positie is None or 0 <= error.positie <= len(data)
