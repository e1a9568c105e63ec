# SPDX-License-Identifier: EUPL-1.2
"""A capture run's WARC file reads back whole, with digests that match."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from archief.bewaring.sociaal import Bericht, Pagina, lees_facebook, lees_tweets
from archief.bewaring.sociaal.connector import haal_outbox
from archief.bewaring.sociaal.warc import WarcVerslag, digest, lees_warc, schrijf_warc
from archief.errors import IntegrityError
from tests.bewaring.sociaal import voorbeelden as vb
from tests.bewaring.sociaal.conftest import Instance


class FixedClock:
    def now(self) -> datetime:
        return datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def sample_posts() -> list[Bericht]:
    tweets = list(lees_tweets(vb.twitter_export().data, bron="tweets.js", account=vb.ACCOUNT))
    posts = list(lees_facebook(vb.facebook_export()[0].data, bron="posts.json", account=vb.PAGE))
    return tweets + posts


def write(
    berichten: list[Bericht],
    *,
    paginas: Sequence[Pagina] = (),
    info: Mapping[str, str] | None = None,
) -> tuple[bytes, WarcVerslag]:
    out = io.BytesIO()
    verslag = schrijf_warc(
        out, berichten, bestandsnaam="run.warc.gz", clock=FixedClock(), paginas=paginas, info=info
    )
    return out.getvalue(), verslag


def test_round_trip_of_export_posts() -> None:
    berichten = sample_posts()
    data, verslag = write(berichten, info={"description": "proef"})
    assert data[:2] == b"\x1f\x8b"  # gzipped

    records = list(lees_warc(io.BytesIO(data)))
    assert records[0].type == "warcinfo"
    assert b"description: proef" in records[0].payload
    resources = records[1:]
    assert [r.type for r in resources] == ["resource"] * len(berichten)
    for record, bericht in zip(resources, berichten, strict=True):
        assert record.payload == bericht.ruw
        assert record.target_uri == bericht.doel_uri
        assert record.headers["Archief-Sha256"] == bericht.sha256
        assert record.headers["Archief-Platform-Id"] == bericht.platform_id
        assert record.headers["WARC-Payload-Digest"] == digest(bericht.ruw)
        assert record.headers["WARC-Block-Digest"] == digest(bericht.ruw)
        assert record.headers["Content-Type"] == bericht.ruw_media_type
        assert verslag.berichten[bericht.sleutel] == record.record_id


def test_digest_is_sha256_base32() -> None:
    payload = b'{"tweet": {}}'
    label = digest(payload)
    assert label.startswith("sha256:")
    assert base64.b32decode(label.removeprefix("sha256:")) == hashlib.sha256(payload).digest()


def test_warcio_itself_verifies_every_record() -> None:
    data, _ = write(sample_posts())
    count = 0
    for record in ArchiveIterator(io.BytesIO(data), check_digests=True):
        record.content_stream().read()
        assert record.digest_checker.passed is not False
        assert not record.digest_checker.problems
        count += 1
    assert count == 1 + len(sample_posts())


def test_a_changed_byte_is_caught() -> None:
    berichten = sample_posts()
    plain = gzip.decompress(write(berichten)[0])
    victim = berichten[2].ruw
    changed = victim.replace(b"lantaarnpaal", b"lantaarnpaaL")
    assert changed != victim and len(changed) == len(victim)
    with pytest.raises(IntegrityError):
        list(lees_warc(io.BytesIO(plain.replace(victim, changed))))


def test_hostile_values_cannot_forge_headers() -> None:
    (bericht,) = sample_posts()[:1]
    hostile = dataclasses.replace(
        bericht, platform_id="1\r\nWARC-Type: revisit\r\n\r\n", bron="x\nWARC-Target-URI: evil"
    )
    data, _ = write([hostile])
    records = list(lees_warc(io.BytesIO(data)))
    assert [r.type for r in records] == ["warcinfo", "resource"]
    assert "\r" not in records[1].headers["Archief-Platform-Id"]
    assert records[1].target_uri == bericht.doel_uri


def test_connector_run_keeps_responses(instance: Instance) -> None:
    oogst = haal_outbox(instance.outbox, clock=FixedClock())
    data, verslag = write(oogst.berichten, paginas=oogst.paginas)

    records = list(lees_warc(io.BytesIO(data)))
    responses = [r for r in records if r.type == "response"]
    resources = [r for r in records if r.type == "resource"]
    assert [r.target_uri for r in responses] == [p.url for p in oogst.paginas]
    for record, pagina in zip(responses, oogst.paginas, strict=True):
        assert record.payload == pagina.body
        assert record.http_status == 200
        assert ("Content-Type", "application/activity+json; charset=utf-8") in record.http_headers
        assert record.headers["WARC-Payload-Digest"] == digest(pagina.body)
        assert record.headers["WARC-Date"].startswith("2024-05-01T12:00:00")
    page_ids = {r.target_uri: r.record_id for r in responses}
    assert len(resources) == len(oogst.berichten)
    for record, bericht in zip(resources, oogst.berichten, strict=True):
        assert record.payload == bericht.ruw
        # The post and the page it was read from are one capture event.
        assert record.headers["WARC-Concurrent-To"] == page_ids[bericht.bron]
        assert verslag.paginas[bericht.bron] == page_ids[bericht.bron]
