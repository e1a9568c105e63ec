# SPDX-License-Identifier: EUPL-1.2
"""Hostile titles, texts and summaries stay text on every public page, feed and document."""

from __future__ import annotations

import uuid
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient

from archief.composition import Container
from tests.access.conftest import headers
from tests.oidc import LocalIssuer
from tests.publiek.conftest import (
    MILA,
    Html,
    client,
    dossier,
    issuer,
    publiceer,
    record,
    soort,
    world,
)

__all__ = ["client", "issuer", "world"]  # the package's fixtures, used by name

# Markup, a CDATA end, quotes of both kinds, an entity, and a control
# character XML cannot hold at all.
PAYLOAD = """<script>alert("x")</script><img src=x onerror=alert(1)> ]]> &amp; 'q' \x0b"""
RAW = ("<script", "<img")  # as markup; as escaped text they must stay


def test_hostile_values_are_escaped_everywhere(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    tag = uuid.uuid4().hex[:8]
    wijk = f"wijk-{tag}"
    did, k = dossier(world, wijken=(wijk,), titel=f"Dossier {tag} {PAYLOAD}")
    titel = f"Titel {tag} {PAYLOAD}"
    # The page text too: search highlights quote it.
    rid = record(world, did, "afdeling", f"Tekst zoekwoord{tag} {PAYLOAD} einde.", titel=titel)
    soort(client, issuer, rid, f"verslag{PAYLOAD[:20]}")
    assert publiceer(client, issuer, did, records=[rid]).status_code == 200
    put = client.put(
        f"/dossiers/{did}/publiek",
        json={
            "samenvatting": PAYLOAD,
            "planning": [{"datum": "2026-06-01", "omschrijving": PAYLOAD, "status": "gepland"}],
            "faq": [{"vraag": PAYLOAD, "antwoord": PAYLOAD}],
        },
        headers=headers(issuer, MILA),
    )
    assert put.status_code == 200, put.text

    html_paths = [
        "/publiek",
        f"/publiek?q=zoekwoord{tag}",
        f"/publiek/wijken/{wijk}",
        f"/publiek/dossiers/{k}",
        f"/publiek/wijken/{wijk}/widget",
    ]
    for path in html_paths:
        resp = client.get(path)
        assert resp.status_code == 200, path
        for raw in RAW:
            assert raw not in resp.text, (path, raw)
        page = Html(resp.text)
        assert not page.all("script") and not page.all("img"), path
        assert any(f"Titel {tag}" in e.text and "<script>" in e.text for e in page.elements), path
    search = Html(client.get("/publiek", params={"q": f"zoekwoord{tag}"}).text)
    assert any(e.tag == "mark" and f"zoekwoord{tag}" in e.text for e in search.elements)

    xml_paths = [
        "/publiek/feeds/alles.atom",
        "/publiek/feeds/alles.rss",
        f"/publiek/wijken/{wijk}/feed.atom",
        f"/publiek/wijken/{wijk}/feed.rss",
        f"/publiek/dossiers/{k}/feed.atom",
        f"/publiek/dossiers/{k}/feed.rss",
        "/publiek/sitemap.xml",
        f"/publiek/records/{rid}/metadata.xml",
    ]
    clean = titel.replace("\x0b", "")
    for path in xml_paths:
        resp = client.get(path)
        assert resp.status_code == 200, path
        root = ET.fromstring(resp.content)  # parses: nothing broke the document
        texts = [e.text for e in root.iter() if e.text]
        assert clean in texts, path  # the title comes back as the same text
        assert not any(e.tag.endswith("script") for e in root.iter()), path
