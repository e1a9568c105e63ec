# SPDX-License-Identifier: EUPL-1.2
"""Within a run each post is kept once, by platform and platform id."""

from __future__ import annotations

import dataclasses

from archief.bewaring.sociaal import Ontdubbelaar, lees_outbox, lees_tweets, ontdubbel
from tests.bewaring.sociaal import voorbeelden as vb


def test_second_export_of_the_same_posts_is_dropped() -> None:
    export = vb.twitter_export()
    first = list(lees_tweets(export.data, bron="a/tweets.js", account=vb.ACCOUNT))
    again = list(lees_tweets(export.data, bron="b/tweets.js", account=vb.ACCOUNT))
    kept = list(ontdubbel(first + again))
    assert kept == first
    assert {b.bron for b in kept} == {"a/tweets.js"}


def test_same_id_on_another_platform_is_not_a_duplicate() -> None:
    tweets = list(lees_tweets(vb.twitter_export().data, bron="t.js", account=vb.ACCOUNT))
    toots = list(lees_outbox(vb.outbox_export().data, bron="outbox.json"))
    clash = dataclasses.replace(toots[0], platform_id=tweets[0].platform_id)
    assert len(list(ontdubbel([tweets[0], clash]))) == 2


def test_a_changed_copy_is_reported() -> None:
    tweets = list(lees_tweets(vb.twitter_export().data, bron="t.js", account=vb.ACCOUNT))
    edited = dataclasses.replace(tweets[0], ruw=tweets[0].ruw + b" ", sha256="")
    ontdubbelaar = Ontdubbelaar()
    kept = list(ontdubbelaar.filter([*tweets, tweets[0], edited]))
    assert kept == tweets
    assert ontdubbelaar.dubbel == 2
    assert ontdubbelaar.afwijkend == [tweets[0].sleutel]
    assert edited in ontdubbelaar
