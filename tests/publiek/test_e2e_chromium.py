# SPDX-License-Identifier: EUPL-1.2
"""The public face end to end: the API over real HTTP, and the pages in headless Chromium.

A civil servant publishes through the API (as the zaaksysteem or the
staff front end would); the public then uses the site in a real browser
with JavaScript off: searches from the home page, follows the hit to the
dossier page, opens the wijk page, the feeds and the widget embedded on
another site, and reacts through the form. A withdrawal must then be gone
from every one of those places at once. Screenshots of each step are kept
in var/test-artifacts/e2e/. Non-public records of the same dossier, wijk
and words sit beside the published ones all along and must never show.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select

from archief.catalog.models import Record
from archief.composition import Container
from archief.settings import Settings
from policies.subject import Subject
from tests.access.conftest import headers, refresh
from tests.oidc import LocalIssuer
from tests.publiek.browser import Bezoek, Chromium, Live, mail_settings, serve, wijkwebsite
from tests.publiek.conftest import MILA, canary, client, dossier, issuer, record, world
from tests.publiek.test_oracle_publiek import PATHS, Fetch, report, run_oracle
from tests.publiek.test_reacties import Sink, smtp

__all__ = ["client", "issuer", "smtp", "world"]  # the package's fixtures, used by name

WIJK = "oosterpark"
ORACLE_REPORT = Path("var/test-artifacts/publiek-oracle-chromium.json")
# Two worlds, two callers each: fewer than over HTTP, since each path is a page load.
MIN_BROWSER_TUPLES = 300


@pytest.fixture(scope="module")
def live(world: Container, smtp: tuple[Sink, int], stack_settings: Settings) -> Iterator[Live]:
    """The publiek world's catalog and index, served over HTTP, with mail to the sink."""
    _, port = smtp
    # The world's public URL stays: feeds and the sitemap carry it in absolute
    # links (which the oracle checks), while the pages link relatively.
    settings = world.settings.model_copy(
        update={
            "mail": mail_settings(port),
            "reacties": world.settings.reacties.model_copy(
                update={"redis_url": stack_settings.queue.broker_url}
            ),
        }
    )
    yield from serve(settings)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    browser = Chromium()
    yield browser
    browser.close()


@pytest.fixture
def api(live: Live, issuer: LocalIssuer) -> Iterator[httpx.Client]:
    """The civil servant's client: the real API over HTTP, with her token."""
    with httpx.Client(base_url=live.url, headers=headers(issuer, MILA), timeout=30) as c:
        yield c


def _project(world: Container, api: httpx.Client) -> tuple[str, str, dict[str, str]]:
    """A dossier with a public page prepared but nothing published yet.

    Returns (id, kenmerk, words): `publiek1`/`publiek2` are in the two records
    to publish, `intern`/`college` in records that stay non-public, and
    `titel` is the dossier's title.
    """
    words = {
        k: canary() for k in ("publiek1", "publiek2", "intern", "college", "titel", "samenvatting")
    }
    did, k = dossier(world, wijken=(WIJK,), titel=f"Herinrichting Oosterparkplein {words['titel']}")
    resp = api.put(
        f"/dossiers/{did}/publiek",
        json={
            "samenvatting": f"Het plein krijgt bomen en bankjes {words['samenvatting']}.",
            "planning": [
                {"datum": "2026-03-01", "omschrijving": "Inloopavond", "status": "gereed"},
                {"datum": "2027-01-15", "omschrijving": "Start uitvoering"},
            ],
            "faq": [{"vraag": "Blijft het plein bereikbaar?", "antwoord": "Ja, te voet."}],
            "verantwoordelijke": "Mila de Vries",
            "verantwoordelijke_email": f"pl-{uuid.uuid4().hex[:8]}@groningen.example",
        },
    )
    assert resp.status_code == 200, resp.text
    for key, laag in (("publiek1", "afdeling"), ("publiek2", "afdeling")):
        record(
            world,
            did,
            laag,
            f"Ontwerp voor het plein met kastanjebomen {words[key]}.\n",
            titel=f"Ontwerp plein {words[key]}",
        )
    # Same dossier, same wijk, the same ordinary words: only the layer differs.
    record(world, did, "afdeling", f"Interne notitie kastanjebomen {words['intern']}.\n")
    record(world, did, "college", f"Collegeadvies kastanjebomen {words['college']}.\n")
    return did, k, words


def _ids(world: Container, did: str, word: str) -> str:
    with world.sessions() as session:
        rows = session.scalars(select(Record).where(Record.dossier_id == did)).all()
        return next(r.id for r in rows if r.titel and word in r.titel)


def _geheim(bezoek: Bezoek, *words: str) -> None:
    for word in words:
        assert word not in bezoek.alles, f"{word} shown on {bezoek.url}"


def _zoek(chromium: Chromium, live: Live, word: str, naam: str) -> Bezoek:
    """Search from the home page as a person would: type, press Enter."""
    chromium.open(f"{live.url}/publiek")
    box = chromium.driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(word, Keys.ENTER)
    # The form is a plain GET: the browser is now on the results page.
    bezoek = chromium.open(chromium.driver.current_url)
    chromium.screenshot(naam)
    return bezoek


@pytest.fixture(scope="module")
def elders() -> Iterator[str]:
    """A wijk website on another origin, to embed our pages."""
    yield from wijkwebsite()


def _widget_host(chromium: Chromium, live: Live, elders: str, pad: str) -> str:
    """Embed a page of ours in an iframe on the wijk website and return what the frame shows."""
    chromium.driver.get(f"{elders}/?{urlencode({'src': live.url + pad})}")
    frame = chromium.driver.find_element(By.ID, "w")
    chromium.driver.switch_to.frame(frame)
    try:
        text: str = chromium.driver.find_element(By.TAG_NAME, "body").text
        dom: str = chromium.driver.page_source
    finally:
        chromium.driver.switch_to.default_content()
    return f"{text}\n{dom}"


def test_published_everywhere_in_the_browser_and_a_withdrawal_gone_everywhere(
    world: Container, live: Live, chromium: Chromium, api: httpx.Client, elders: str
) -> None:
    did, k, w = _project(world, api)
    secret = (w["intern"], w["college"])
    r1, r2 = _ids(world, did, w["publiek1"]), _ids(world, did, w["publiek2"])

    # Before publishing: no page, no hit.
    before = chromium.open(f"{live.url}/publiek/dossiers/{k}")
    chromium.screenshot("01-voor-publicatie-404")
    assert before.status == 404 and w["titel"] not in before.alles
    # The results page repeats the query; a hit would show the title and a link.
    miss = _zoek(chromium, live, w["publiek1"], "02-zoeken-voor")
    assert f"Ontwerp plein {w['publiek1']}" not in miss.text and "#record-" not in miss.dom

    # One action publishes both records.
    resp = api.post(
        f"/dossiers/{did}/publicatie",
        json={"records": [r1, r2], "informatiecategorie": "c_db4862c3"},
    )
    assert resp.status_code == 200, resp.text
    refresh(world)

    # The home page search finds it; the hit leads to the dossier page.
    hits = _zoek(chromium, live, w["publiek1"], "03-zoeken-gevonden")
    assert hits.status == 200 and f"Ontwerp plein {w['publiek1']}" in hits.text
    _geheim(hits, *secret)
    chromium.driver.find_element(By.PARTIAL_LINK_TEXT, f"Ontwerp plein {w['publiek1']}").click()
    assert chromium.driver.current_url.startswith(f"{live.url}/publiek/dossiers/")
    page = chromium.open(f"{live.url}/publiek/dossiers/{k}")
    chromium.screenshot("04-dossierpagina")
    assert page.status == 200
    for shown in (w["titel"], w["samenvatting"], "Inloopavond", "Blijft het plein bereikbaar?"):
        assert shown in page.text, shown
    assert f"Ontwerp plein {w['publiek1']}" in page.text
    assert f"Ontwerp plein {w['publiek2']}" in page.text
    _geheim(page, *secret)

    # The download link works in the browser and gives the original's text.
    download = chromium.open(f"{live.url}/publiek/records/{r1}/download")
    assert download.status == 200 and w["publiek1"] in download.raw

    # The wijk page, its feed, the feed of everything and the dossier's feed.
    wijk = chromium.open(f"{live.url}/publiek/wijken/{WIJK}")
    chromium.screenshot("05-wijkpagina")
    assert wijk.status == 200 and w["titel"] in wijk.text
    _geheim(wijk, *secret)
    for pad in (
        f"/publiek/wijken/{WIJK}/feed.atom",
        f"/publiek/wijken/{WIJK}/feed.rss",
        "/publiek/feeds/alles.atom",
        f"/publiek/dossiers/{k}/feed.atom",
        "/publiek/sitemap.xml",
    ):
        feed = chromium.open(f"{live.url}{pad}")
        assert feed.status == 200 and r1 in feed.raw, pad
        _geheim(feed, *secret)
    chromium.open(f"{live.url}/publiek/wijken/{WIJK}/feed.atom")
    chromium.screenshot("06-wijkfeed")

    # The widget, framed by a wijk website on another origin.
    framed = _widget_host(chromium, live, elders, f"/publiek/wijken/{WIJK}/widget?aantal=20")
    chromium.screenshot("07-widget-op-wijkwebsite")
    assert f"Ontwerp plein {w['publiek1']}" in framed
    for word in secret:
        assert word not in framed

    # Withdrawal: the first record leaves; the second keeps the dossier online.
    resp = api.delete(f"/records/{r1}/publicatie")
    assert resp.status_code == 200, resp.text
    refresh(world)
    gone = _zoek(chromium, live, w["publiek1"], "08-zoeken-na-intrekking")
    assert f"Ontwerp plein {w['publiek1']}" not in gone.text and r1 not in gone.dom
    page = chromium.open(f"{live.url}/publiek/dossiers/{k}")
    chromium.screenshot("09-dossierpagina-na-intrekking")
    assert page.status == 200 and f"Ontwerp plein {w['publiek2']}" in page.text
    assert w["publiek1"] not in page.alles and r1 not in page.alles
    wijk = chromium.open(f"{live.url}/publiek/wijken/{WIJK}")
    assert w["publiek1"] not in wijk.alles
    for pad in (
        f"/publiek/wijken/{WIJK}/feed.atom",
        f"/publiek/wijken/{WIJK}/feed.rss",
        "/publiek/feeds/alles.atom",
        f"/publiek/dossiers/{k}/feed.atom",
        "/publiek/sitemap.xml",
    ):
        feed = chromium.open(f"{live.url}{pad}")
        assert feed.status == 200 and r1 not in feed.raw and r2 in feed.raw, pad
    framed = _widget_host(chromium, live, elders, f"/publiek/wijken/{WIJK}/widget?aantal=20")
    assert w["publiek1"] not in framed and f"Ontwerp plein {w['publiek2']}" in framed
    for pad in (f"/publiek/records/{r1}/download", f"/publiek/records/{r1}/metadata.xml"):
        closed = chromium.open(f"{live.url}{pad}")
        assert closed.status == 404 and w["publiek1"] not in closed.alles, pad
    chromium.screenshot("10-download-na-intrekking-404")

    # The last public record withdrawn: the whole page goes, at once.
    assert api.delete(f"/records/{r2}/publicatie").status_code == 200
    refresh(world)
    page = chromium.open(f"{live.url}/publiek/dossiers/{k}")
    chromium.screenshot("11-dossier-offline")
    assert page.status == 404 and w["titel"] not in page.alles
    assert w["titel"] not in chromium.open(f"{live.url}/publiek/wijken/{WIJK}").alles


def test_a_reaction_through_the_form_reaches_the_official_and_never_the_page(
    world: Container,
    live: Live,
    chromium: Chromium,
    api: httpx.Client,
    smtp: tuple[Sink, int],
) -> None:
    sink, _ = smtp
    did, k, w = _project(world, api)
    official = api.get(f"/dossiers/{did}/publiek").json()["verantwoordelijke_email"]
    r1 = _ids(world, did, w["publiek1"])
    assert api.post(f"/dossiers/{did}/publicatie", json={"records": [r1]}).status_code == 200
    refresh(world)

    chromium.open(f"{live.url}/publiek/dossiers/{k}")
    bericht = f"Graag een zebrapad bij de school {canary()}."
    chromium.driver.find_element(By.ID, "reactie-naam").send_keys("Jan Bewoner")
    chromium.driver.find_element(By.ID, "reactie-email").send_keys("jan@bewoner.example")
    chromium.driver.find_element(By.ID, "reactie-bericht").send_keys(bericht)
    # The honeypot is hidden: a person cannot see it, let alone fill it.
    assert not chromium.driver.find_element(By.ID, "reactie-website").is_displayed()
    chromium.screenshot("12-reactieformulier")
    chromium.driver.find_element(By.CSS_SELECTOR, "form[method=post] button[type=submit]").click()
    chromium.screenshot("13-reactie-bevestiging")
    kenmerk = chromium.driver.find_element(By.ID, "kenmerk").text.strip()
    assert kenmerk and "Bedankt voor uw reactie" in chromium.driver.page_source

    to_official = sink.aan(official)
    assert to_official and any(kenmerk in _body(m) and bericht in _body(m) for m in to_official)
    to_sender = sink.aan("jan@bewoner.example")
    assert to_sender and any(kenmerk in _body(m) for m in to_sender)
    # The reaction is a record in a non-public layer: no public place shows it.
    for pad in (f"/publiek/dossiers/{k}", f"/publiek/wijken/{WIJK}", "/publiek/feeds/alles.atom"):
        assert bericht not in chromium.open(f"{live.url}{pad}").alles, pad


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def test_the_browser_enforces_the_pages_security_policy(
    world: Container, live: Live, chromium: Chromium, api: httpx.Client, elders: str
) -> None:
    did, k, w = _project(world, api)
    r1 = _ids(world, did, w["publiek1"])
    assert api.post(f"/dossiers/{did}/publicatie", json={"records": [r1]}).status_code == 200
    refresh(world)
    start = len(chromium.violations())
    for pad in ("/publiek", f"/publiek/dossiers/{k}", f"/publiek/wijken/{WIJK}"):
        chromium.open(f"{live.url}{pad}")
        # The stylesheet is allowed by the policy and applied: not the browser's default.
        family = chromium.driver.find_element(By.TAG_NAME, "body").value_of_css_property(
            "font-family"
        )
        assert family and "Times" not in family, (pad, family)
    assert chromium.violations()[start:] == []

    # The widget may be framed anywhere, and its one inline style is allowed by hash.
    framed = _widget_host(chromium, live, elders, f"/publiek/wijken/{WIJK}/widget")
    assert f"Ontwerp plein {w['publiek1']}" in framed
    assert chromium.violations()[start:] == []
    # A dossier page may not be framed: the browser refuses it.
    framed = _widget_host(chromium, live, elders, f"/publiek/dossiers/{k}")
    chromium.screenshot("14-dossierpagina-niet-inlijstbaar")
    assert w["titel"] not in framed
    refused = chromium.violations()[start:]
    assert any("frame" in m.lower() for m in refused), refused


def test_the_leak_oracle_through_the_browser(
    world: Container,
    client: TestClient,
    issuer: LocalIssuer,
    live: Live,
    chromium: Chromium,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The public leak oracle (test_oracle_publiek) with Chromium fetching every path.

    Each caller's token rides along as a header the browser sends itself;
    every page is scanned in its bytes, its DOM and its visible text.
    """

    def fetch_as(subject: Subject) -> Fetch:
        chromium.headers(headers(issuer, subject))

        def fetch(path: str, params: dict[str, str | int]) -> tuple[int, str, str]:
            bezoek = chromium.open(f"{live.url}{path}", **params)
            markup = bezoek.raw.lstrip()[:200].lower()
            is_html = markup.startswith("<!doctype html") or markup.startswith("<html")
            return bezoek.status, bezoek.alles if is_html else bezoek.raw, bezoek.alles

        return fetch

    try:
        tally = run_oracle(world, client, issuer, fetch_as, examples=2, subjects=(1, 1))
    finally:
        chromium.headers({})
    total = report(tally, ORACLE_REPORT, "public leak oracle in Chromium", capsys)
    assert not tally.leaks, tally.leaks[:10]
    assert not tally.mismatches, tally.mismatches[:10]
    assert total >= MIN_BROWSER_TUPLES
    assert set(tally.tuples) == set(PATHS)
