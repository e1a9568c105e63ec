# SPDX-License-Identifier: EUPL-1.2
"""The media types capture declares for raw payloads, and what detection still checks."""

from __future__ import annotations

import gzip
import io

import pytest

from archief.bewaring.sociaal import lees_feed, lees_outbox, lees_tweets
from archief.bewaring.sociaal.warc import schrijf_warc
from archief.clock import SystemClock
from archief.intake.detect import (
    SOCIAAL_JSON,
    SOCIAAL_XML,
    WARC,
    UnsupportedType,
    detect,
    essence,
    parameter,
)
from tests.bewaring.sociaal import voorbeelden as vb


def test_every_platform_payload_passes_detection_under_its_own_type() -> None:
    latin1 = vb.RSS.format(encoding="iso-8859-1").encode("iso-8859-1")
    utf16 = vb.RSS.format(encoding="utf-16").encode("utf-16")
    berichten = [
        *lees_tweets(vb.twitter_export().data, bron="t", account=vb.ACCOUNT),
        *lees_outbox(vb.outbox_export().data, bron="m"),
        *lees_feed(latin1, bron="f"),
        *lees_feed(utf16, bron="u"),
        *lees_feed(vb.ATOM.encode(), bron="a"),
    ]
    for bericht in berichten:
        declared = bericht.record_media_type
        assert detect(bericht.ruw[:8192], whole=True, declared=declared) == declared
    feed_types = {b.record_media_type for b in berichten if b.platform == "feed"}
    assert {parameter(m, "charset") for m in feed_types} == {"iso-8859-1", "utf-16le", "utf-8"}
    assert {essence(m) for m in feed_types} == {SOCIAAL_XML}
    # Undeclared, a latin-1 item is no UTF-8 text: the reason the type is declared.
    item = next(b for b in berichten if b.bron == "f")
    with pytest.raises(UnsupportedType):
        detect(item.ruw, whole=True)


def test_a_declared_type_must_fit_the_content() -> None:
    pdf = b"%PDF-1.7\n..."
    with pytest.raises(UnsupportedType):
        detect(pdf, whole=True, declared=f"{SOCIAAL_JSON}; platform=twitter")
    with pytest.raises(UnsupportedType):
        detect(b'{"a": 1}', whole=True, declared=f"{SOCIAAL_XML}; platform=feed; charset=utf-8")
    with pytest.raises(UnsupportedType, match="unknown charset"):
        detect(b"<item/>", whole=True, declared=f"{SOCIAAL_XML}; charset=x-geen-codering")
    # Only archief's own types can be declared: no passing a file off as a PDF.
    with pytest.raises(UnsupportedType):
        detect(b"MZ\x90\x00", whole=True, declared="application/pdf")
    with pytest.raises(UnsupportedType):
        detect(b"not a warc", whole=True, declared=WARC)


def test_a_warc_file_passes_as_declared() -> None:
    out = io.BytesIO()
    berichten = list(lees_outbox(vb.outbox_export().data, bron="m"))
    schrijf_warc(out, berichten, bestandsnaam="x.warc.gz", clock=SystemClock())
    assert out.getvalue()[:2] == b"\x1f\x8b"
    assert detect(out.getvalue()[:8192], declared=WARC) == WARC
    assert detect(gzip.decompress(out.getvalue())[:8192], declared=WARC) == WARC
