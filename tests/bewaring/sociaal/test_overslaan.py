# SPDX-License-Identifier: EUPL-1.2
"""With `overslaan`, a parser reports a bad post and goes on; the structure still has to hold."""

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
from archief.bewaring.sociaal.dedupe import draden, gesprekken
from tests.bewaring.sociaal import voorbeelden as vb

Tolerant = Callable[[bytes, Callable[[OngeldigeExport], None]], Iterator[Bericht]]

PARSERS: dict[str, tuple[Tolerant, Callable[[], bytes]]] = {
    "twitter": (
        lambda d, o: lees_tweets(d, bron="t", account=vb.ACCOUNT, overslaan=o),
        lambda: vb.twitter_export().data,
    ),
    "mastodon": (
        lambda d, o: lees_outbox(d, bron="m", overslaan=o),
        lambda: vb.outbox_export().data,
    ),
    "facebook": (
        lambda d, o: lees_facebook(d, bron="f", account=vb.PAGE, overslaan=o),
        lambda: vb.facebook_export()[0].data,
    ),
    "feed": (
        lambda d, o: lees_feed(d, bron="r", overslaan=o),
        lambda: vb.RSS.format(encoding="utf-8").encode(),
    ),
}


def test_a_bad_tweet_in_the_middle_is_reported_and_the_rest_read() -> None:
    export = vb.twitter_export()
    elements = json.loads(export.data.split(b"=", 1)[1])
    elements[1]["tweet"]["created_at"] = "gisteren"
    elements[3]["tweet"].pop("id_str")
    data = b"window.YTD.tweets.part0 = " + json.dumps(elements).encode()
    fouten: list[OngeldigeExport] = []
    read = [b.platform_id for b in PARSERS["twitter"][0](data, fouten.append)]
    want = [e["tweet"].get("id_str") for i, e in enumerate(elements) if i not in (1, 3)]
    assert read == want
    assert [f.positie for f in fouten] == sorted(f.positie or 0 for f in fouten)
    assert "gisteren" in fouten[0].detail and "id_str" in fouten[1].detail
    # Without it, the first bad post stops the file, as before.
    with pytest.raises(OngeldigeExport):
        list(lees_tweets(data, bron="t", account=vb.ACCOUNT))


def test_a_bad_feed_item_is_reported_and_the_next_item_read() -> None:
    data = vb.RSS.format(encoding="utf-8").replace(
        "<pubDate>Tue, 12 Mar 2024 10:00:00 +0100</pubDate>", "<pubDate>morgen</pubDate>"
    )
    fouten: list[OngeldigeExport] = []
    read = list(PARSERS["feed"][0](data.encode(), fouten.append))
    assert [b.url for b in read] == ["https://www.voorbeeldstad.nl/nieuws/zwembad"]
    assert len(fouten) == 1 and "morgen" in fouten[0].detail


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    name=st.sampled_from(sorted(PARSERS)),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=6)), min_size=1, max_size=3),
)
def test_mangled_exports_read_what_they_can_and_fail_cleanly(
    name: str, cuts: list[tuple[float, bytes]]
) -> None:
    parser, sample = PARSERS[name]
    data = bytearray(sample())
    for fraction, junk in cuts:
        at = int(fraction * len(data))
        data[at : at + len(junk)] = junk
    fouten: list[OngeldigeExport] = []
    read: list[Bericht] = []
    try:
        read.extend(parser(bytes(data), fouten.append))
    except OngeldigeExport as exc:
        fouten.append(exc)
    for fout in fouten:
        assert fout.code == "ongeldige_export" and fout.positie is not None
    for bericht in read:
        assert bericht.ruw in data  # still an exact slice of the input


def test_threads_from_ids_agree_with_threads_from_posts() -> None:
    posts = list(lees_tweets(vb.twitter_export().data, bron="t", account=vb.ACCOUNT))
    by_ids = draden((b.platform_id, b.in_antwoord_op, b.gesprek) for b in posts)
    assert {b.platform_id: b.gesprek for b in gesprekken(posts)} == by_ids
    # A chain given leaf first, with a loop and a parent outside the export.
    chain = draden([("c", "b", None), ("b", "a", None), ("a", None, None), ("x", "y", None)])
    assert chain == {"a": "a", "b": "a", "c": "a", "x": "y"}
    loop = draden([("p", "q", None), ("q", "p", None)])
    assert set(loop) == {"p", "q"}
