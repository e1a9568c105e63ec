# SPDX-License-Identifier: EUPL-1.2
"""Feeds (Atom, RSS), the widget, the sitemap and the headers; publish and withdraw show at once."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient
from sqlalchemy import select

from archief.catalog.models import Afdeling, Dossier, Record
from archief.composition import Container
from archief.publiek import woo
from policies.subject import ANONIEM, Target
from tests.oidc import LocalIssuer
from tests.publiek.conftest import (
    PUBLIC_URL,
    TOOI,
    Html,
    canary,
    client,
    dossier,
    intrekken,
    issuer,
    publiceer,
    record,
    soort,
    world,
)

__all__ = ["client", "issuer", "world"]  # the package's fixtures, used by name

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DIWOO = "{https://standaarden.overheid.nl/diwoo/metadata/}"


def _rfc3339(value: str | None) -> datetime:
    assert value, "missing date"
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None
    return parsed


def atom_ids(body: bytes) -> list[str]:
    """Parse an Atom feed strictly enough to trust it; the record ids of its entries."""
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}") is not None, name
    _rfc3339(root.findtext(f"{ATOM}updated"))
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        ident = entry.findtext(f"{ATOM}id") or ""
        assert ident.startswith("urn:uuid:")
        assert entry.findtext(f"{ATOM}title")
        _rfc3339(entry.findtext(f"{ATOM}updated"))
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None and link.get("href", "").startswith(PUBLIC_URL + "/publiek/")
        enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")
        assert enclosure is not None and int(enclosure.get("length", "x")) > 0
        assert entry.findtext(f"{ATOM}summary")
        ids.append(ident.removeprefix("urn:uuid:"))
    return ids


def rss_ids(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description"):
        assert channel.findtext(name), name
    parsedate_to_datetime(channel.findtext("lastBuildDate") or "")
    ids = []
    for item in channel.findall("item"):
        assert item.findtext("title") and item.findtext("link")
        assert parsedate_to_datetime(item.findtext("pubDate") or "").tzinfo is not None
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "false"
        ids.append((guid.text or "").removeprefix("urn:uuid:"))
    return ids


def sitemap_records(body: bytes) -> dict[str, ET.Element]:
    """The record entries of the sitemap (by record id), each checked for loc and lastmod."""
    root = ET.fromstring(body)
    assert root.tag == f"{SM}urlset"
    out = {}
    for url in root.findall(f"{SM}url"):
        loc = url.findtext(f"{SM}loc") or ""
        _rfc3339(url.findtext(f"{SM}lastmod"))
        found = re.fullmatch(
            re.escape(PUBLIC_URL) + r"/publiek/records/([0-9a-f-]{36})/download", loc
        )
        if found:
            out[found.group(1)] = url
    return out


def _feeds(client: TestClient, wijk: str, kenmerk: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, path in {
        "alles.atom": "/publiek/feeds/alles.atom",
        "alles.rss": "/publiek/feeds/alles.rss",
        "wijk.atom": f"/publiek/wijken/{wijk}/feed.atom",
        "wijk.rss": f"/publiek/wijken/{wijk}/feed.rss",
        "dossier.atom": f"/publiek/dossiers/{kenmerk}/feed.atom",
        "dossier.rss": f"/publiek/dossiers/{kenmerk}/feed.rss",
    }.items():
        resp = client.get(path)
        if resp.status_code == 404:
            out[name] = []
            continue
        assert resp.status_code == 200, (path, resp.text)
        out[name] = atom_ids(resp.content) if name.endswith("atom") else rss_ids(resp.content)
    return out


def _everywhere(client: TestClient, wijk: str, kenmerk: str, rid: str, word: str) -> dict[str, Any]:
    """Where the record shows on the public face right now."""
    search = Html(client.get("/publiek", params={"q": word}).text)
    return {
        "dossier": rid in client.get(f"/publiek/dossiers/{kenmerk}").text,
        "wijk": rid in client.get(f"/publiek/wijken/{wijk}").text,
        "home": rid in client.get("/publiek").text,
        "widget": rid in client.get(f"/publiek/wijken/{wijk}/widget").text,
        "search": any(rid in a.attrs.get("href", "") for a in search.all("a")),
        "download": client.get(f"/publiek/records/{rid}/download").status_code == 200,
        "metadata": client.get(f"/publiek/records/{rid}/metadata.xml").status_code == 200,
        "sitemap": rid in sitemap_records(client.get("/publiek/sitemap.xml").content),
        **{name: rid in ids for name, ids in _feeds(client, wijk, kenmerk).items()},
    }


def test_publish_shows_everywhere_and_withdrawal_removes_it_at_once(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    wijk = f"wijk-{uuid.uuid4().hex[:6]}"
    did, k = dossier(world, wijken=(wijk,))
    word = canary()
    anker = record(world, did, "openbaar", "Al openbaar.", titel="Aankondiging")
    rid = record(world, did, "afdeling", f"Verslag met {word}.", titel="Verslag wijkschouw")
    soort(client, issuer, rid, "verslag")

    before = _everywhere(client, wijk, k, rid, word)
    assert not any(before.values()), before
    etag = client.get(f"/publiek/dossiers/{k}").headers["etag"]

    assert publiceer(client, issuer, did, soort="verslag").status_code == 200
    shown = _everywhere(client, wijk, k, rid, word)
    assert all(shown.values()), shown
    page = client.get(f"/publiek/dossiers/{k}")
    assert page.headers["etag"] != etag
    # A client's cached copy is confirmed only while it is still right.
    assert (
        client.get(
            f"/publiek/dossiers/{k}", headers={"If-None-Match": page.headers["etag"]}
        ).status_code
        == 304
    )

    intrekken(client, issuer, rid)
    after = _everywhere(client, wijk, k, rid, word)
    assert not any(after.values()), after
    again = client.get(f"/publiek/dossiers/{k}", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 200 and rid not in again.text
    assert anker in again.text  # the dossier stays online with its other record


def test_feeds_are_valid_and_carry_their_publications(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    wijk = f"wijk-{uuid.uuid4().hex[:6]}"
    did, k = dossier(world, wijken=(wijk,), titel="Herinrichting plein")
    ids = [record(world, did, "afdeling", f"Stuk {n}.", titel=f"Stuk {n}") for n in range(3)]
    assert publiceer(client, issuer, did, records=ids).status_code == 200
    feeds = _feeds(client, wijk, k)
    for name in ("wijk.atom", "wijk.rss", "dossier.atom", "dossier.rss"):
        assert sorted(feeds[name]) == sorted(ids), name
    for name in ("alles.atom", "alles.rss"):
        assert set(ids) <= set(feeds[name]), name
    atom = client.get(f"/publiek/dossiers/{k}/feed.atom")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    assert (
        client.get(f"/publiek/dossiers/{k}/feed.rss")
        .headers["content-type"]
        .startswith("application/rss+xml")
    )


def _public_ids(world: Container) -> set[str]:
    """casbin's own answer: every active record the anonymous public may read."""
    with world.sessions() as session:
        policy = world.policies.current(session)
        rows = session.execute(
            select(Record.id, Record.laag, Record.status, Dossier.afdeling, Afdeling.dienst_code)
            .join(Dossier, Record.dossier_id == Dossier.id)
            .join(Afdeling, Dossier.afdeling == Afdeling.code)
        )
        return {
            rid
            for rid, laag, status, afdeling, dienst in rows
            if status == "actief"
            and laag == "openbaar"
            and policy.enforce(ANONIEM, Target(laag, afdeling, dienst), "read")
        }


def test_the_sitemap_lists_exactly_the_public_records_with_woo_metadata(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    did, k = dossier(world)
    rid = record(world, did, "afdeling", "Convenant.", titel="Convenant speeltuin")
    record(world, did, "college", "Nog in het college.", titel="Collegevoorstel")
    cat = publiceer(client, issuer, did, records=[rid], informatiecategorie="c_8fc2335c")
    assert cat.status_code == 200, cat.text

    body = client.get("/publiek/sitemap.xml").content
    entries = sitemap_records(body)
    assert set(entries) == _public_ids(world)
    locs = {u.findtext(f"{SM}loc") for u in ET.fromstring(body).findall(f"{SM}url")}
    assert f"{PUBLIC_URL}/publiek/dossiers/{k}" in locs
    assert f"{PUBLIC_URL}/publiek" in locs

    meta = entries[rid].find(f"{DIWOO}Document/{DIWOO}DiWoo")
    assert meta is not None
    publisher = meta.find(f"{DIWOO}publisher")
    assert publisher is not None and publisher.get("resource") == TOOI
    assert meta.findtext(f"{DIWOO}titelcollectie/{DIWOO}officieleTitel") == "Convenant speeltuin"
    categorie = meta.find(
        f"{DIWOO}classificatiecollectie/{DIWOO}informatiecategorieen/{DIWOO}informatiecategorie"
    )
    assert categorie is not None
    assert (
        categorie.get("resource") == "https://identifier.overheid.nl/tooi/def/thes/kern/c_8fc2335c"
    )
    assert categorie.text == "convenanten"

    alone = ET.fromstring(client.get(f"/publiek/records/{rid}/metadata.xml").content)
    assert alone.tag == f"{DIWOO}Document"
    same = alone.find(f"{DIWOO}DiWoo")
    assert same is not None and _shape(same) == _shape(meta)


def _shape(element: ET.Element) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(e.tag, (e.text or "").strip(), sorted(e.attrib.items())) for e in element.iter()]


def test_every_category_is_a_tooi_concept() -> None:
    cats = list(woo.categorieen().values())
    assert len(cats) == 18  # the 17 of art. 3.3 and art. 3.1
    assert len({c.code for c in cats}) == 18
    assert all(
        re.fullmatch(r"https://identifier\.overheid\.nl/tooi/def/thes/kern/c_[0-9a-f]{8}", c.uri)
        for c in cats
    )
    assert woo.normaliseer("c_db4862c3") == woo.normaliseer(
        "https://identifier.overheid.nl/tooi/def/thes/kern/c_db4862c3"
    )


def test_the_widget_may_be_framed_and_nothing_else(
    world: Container, client: TestClient, issuer: LocalIssuer
) -> None:
    wijk = f"wijk-{uuid.uuid4().hex[:6]}"
    did, k = dossier(world, wijken=(wijk,))
    rids = [record(world, did, "afdeling", f"Nieuws {n}.", titel=f"Nieuws {n}") for n in range(4)]
    assert publiceer(client, issuer, did, records=rids).status_code == 200

    resp = client.get(f"/publiek/wijken/{wijk}/widget", params={"aantal": 3})
    assert resp.status_code == 200
    csp = resp.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "x-frame-options" not in resp.headers
    assert "script" not in resp.text.lower()
    style = re.search(r"<style>(.*?)</style>", resp.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp and "unsafe-inline" not in csp
    page = Html(resp.text)
    links = [a for a in page.all("a") if "#record-" in a.attrs["href"]]
    assert len(links) == 3 and all(a.attrs.get("target") == "_top" for a in links)
    assert not page.all("link")  # self-contained: no external stylesheet

    for path in (
        "/publiek",
        f"/publiek/wijken/{wijk}",
        f"/publiek/dossiers/{k}",
        "/publiek/nergens",
    ):
        other = client.get(path)
        assert other.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in other.headers["content-security-policy"], path
        assert "unsafe-inline" not in other.headers["content-security-policy"]
        assert other.headers["x-content-type-options"] == "nosniff"
        assert other.headers["referrer-policy"] == "strict-origin-when-cross-origin"
