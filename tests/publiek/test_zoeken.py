# SPDX-License-Identifier: EUPL-1.2
"""Paging the public search: plain links, disjoint pages, bounded, the query and filters kept."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from archief.composition import Container
from archief.publiek.pages import MAX_PAGINA, TREFFERS
from search.index import ElasticsearchIndex
from tests.access.conftest import headers, refresh
from tests.oidc import LocalIssuer
from tests.publiek.conftest import (
    MILA,
    Html,
    client,
    dossier,
    issuer,
    publiceer,
    record,
    world,
)

__all__ = ["client", "issuer", "world"]  # the package's fixtures, used by name

HIT = re.compile(
    r'<h3 class="utrecht-heading-3"><a class="utrecht-link" href="[^"]*#record-([0-9a-f-]{36})"'
)
# Two full pages and a part of a third.
IN_A = TREFFERS + 7
IN_B = TREFFERS - 2
TOTAAL = IN_A + IN_B


class Wereld:
    """One search word in public records of two wijken, and in records the public may not see."""

    def __init__(self, world: Container, client: TestClient, issuer: LocalIssuer) -> None:
        tag = uuid.uuid4().hex[:8]
        self.woord = f"paginawoord{tag}"
        self.wijk_a, self.wijk_b = f"noord-{tag}", f"zuid-{tag}"
        did_a, _ = dossier(world, wijken=(self.wijk_a,))
        did_b, _ = dossier(world, wijken=(self.wijk_b,))
        # Filed straight into the public layer (fast), and three through the
        # publishing action, which is how most records get there.
        self.a = {
            record(world, did_a, "openbaar", f"Stuk {n} over {self.woord}.", titel=f"A{n} {tag}")
            for n in range(IN_A - 3)
        }
        gepubliceerd = [
            record(world, did_a, "afdeling", f"Notitie {n} {self.woord}.") for n in range(3)
        ]
        resp = publiceer(client, issuer, did_a, records=gepubliceerd)
        assert resp.status_code == 200, resp.text
        self.a |= set(gepubliceerd)
        self.b = {
            record(world, did_b, "openbaar", f"Verslag {n}: {self.woord}.", titel=f"B{n} {tag}")
            for n in range(IN_B)
        }
        # Same word, never public: a working layer, the college, and one withdrawn.
        self.verborgen = {
            record(world, did_a, "afdeling", f"Concept {self.woord}."),
            record(world, did_b, "college", f"Collegestuk {self.woord}."),
        }
        ingetrokken = record(world, did_b, "openbaar", f"Ingetrokken {self.woord}.")
        weg = client.delete(
            f"/records/{ingetrokken}/publicatie",
            headers=headers(issuer, MILA),
        )
        assert weg.status_code == 200, weg.text
        self.verborgen.add(ingetrokken)
        refresh(world)


@pytest.fixture(scope="module")
def wereld(world: Container, client: TestClient, issuer: LocalIssuer) -> Wereld:
    return Wereld(world, client, issuer)


def _hits(body: str) -> list[str]:
    return HIT.findall(body)


def _rel(page: Html, rel: str) -> list[str]:
    return [e.attrs["href"] for e in page.elements if e.attrs.get("rel") == rel]


def _walk(client: TestClient, start: str) -> list[tuple[str, list[str], Html]]:
    """Follow rel="next" from `start` to the end: (url, hits, page) per page."""
    out = []
    url: str | None = start
    while url is not None:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.text[:300])
        page = Html(resp.text)
        out.append((url, _hits(resp.text), page))
        nxt = _rel(page, "next")
        url = nxt[0] if nxt else None
        assert len(out) <= MAX_PAGINA
    return out


def test_pages_are_disjoint_and_together_hold_every_public_hit(
    client: TestClient, wereld: Wereld
) -> None:
    pages = [client.get("/publiek", params={"q": wereld.woord, "pagina": n}) for n in (1, 2, 3)]
    hits = [_hits(p.text) for p in pages]
    assert [len(h) for h in hits] == [TREFFERS, TREFFERS, TOTAAL - 2 * TREFFERS]
    seen = [set(h) for h in hits]
    assert not (seen[0] & seen[1]) and not (seen[0] & seen[2]) and not (seen[1] & seen[2])
    assert seen[0] | seen[1] | seen[2] == wereld.a | wereld.b
    for n, resp in enumerate(pages, start=1):
        page = Html(resp.text)
        kop = page.by_id("resultaten-kop")
        assert kop is not None and kop.text.strip() == f"{TOTAAL} resultaten", n
        for hidden in wereld.verborgen:
            assert hidden not in resp.text, (n, hidden)
        assert f"Zoeken naar “{wereld.woord}”" in page.all("title")[0].text


def test_the_navigation_is_plain_accessible_links(client: TestClient, wereld: Wereld) -> None:
    walked = _walk(client, f"/publiek?q={wereld.woord}")
    assert len(walked) == 3
    assert [len(h) for _, h, _ in walked] == [TREFFERS, TREFFERS, TOTAAL - 2 * TREFFERS]
    assert {h for _, hits, _ in walked for h in hits} == wereld.a | wereld.b
    for n, (url, _, page) in enumerate(walked, start=1):
        navs = [e for e in page.all("nav") if e.attrs.get("aria-label")]
        assert len(navs) == 1, url
        assert "zoekresultaten" in navs[0].attrs["aria-label"]
        current = [e for e in page.elements if e.attrs.get("aria-current") == "page"]
        assert len(current) == 1 and current[0].text.strip() == str(n), url
        assert current[0].attrs["aria-label"] == f"Pagina {n}"
        # rel on the visible links and on <link> in the head; none past the ends.
        prev, nxt = _rel(page, "prev"), _rel(page, "next")
        assert len(prev) == (0 if n == 1 else 2), url
        assert len(nxt) == (0 if n == 3 else 2), url
        for href in prev + nxt:
            params = parse_qs(urlsplit(href).query)
            assert params["q"] == [wereld.woord]
        for link in (
            e for e in page.all("a") if "utrecht-pagination__page-link" in e.attrs.get("class", "")
        ):
            target = parse_qs(urlsplit(link.attrs["href"]).query)
            assert target.get("pagina", ["1"]) == [link.text.strip()]
        assert page.all("script") == []
    status = walked[1][2].elements
    assert any(
        e.attrs.get("role") == "status"
        and f"Pagina 2 van 3: resultaat {TREFFERS + 1} tot en met {2 * TREFFERS}." in e.text
        for e in status
    )


def test_the_wijk_filter_is_kept_across_pages(client: TestClient, wereld: Wereld) -> None:
    walked = _walk(client, f"/publiek?q={wereld.woord}&wijk={wereld.wijk_a}")
    assert len(walked) == 2
    assert {h for _, hits, _ in walked for h in hits} == wereld.a
    for url, _, page in walked:
        assert parse_qs(urlsplit(url).query)["wijk"] == [wereld.wijk_a]
        kop = page.by_id("resultaten-kop")
        assert kop is not None and kop.text.strip() == f"{IN_A} resultaten"
        selected = [e for e in page.all("option") if "selected" in e.attrs]
        assert [e.attrs["value"] for e in selected] == [wereld.wijk_a]
    only_b = _walk(client, f"/publiek?q={wereld.woord}&wijk={wereld.wijk_b}")
    assert len(only_b) == 1 and set(only_b[0][1]) == wereld.b
    assert _rel(only_b[0][2], "next") == [] and only_b[0][2].all("nav") == []


def test_a_page_past_the_last_is_empty_and_points_back(client: TestClient, wereld: Wereld) -> None:
    resp = client.get("/publiek", params={"q": wereld.woord, "pagina": 4})
    assert resp.status_code == 200
    assert _hits(resp.text) == []
    page = Html(resp.text)
    back = [e for e in page.all("a") if e.text.strip() == "Naar de eerste pagina met resultaten"]
    assert back and parse_qs(urlsplit(back[0].attrs["href"]).query) == {"q": [wereld.woord]}
    assert [e for e in page.elements if e.attrs.get("aria-current")] == []
    # The last page there may be is still asked of the index without error.
    assert (
        client.get("/publiek", params={"q": wereld.woord, "pagina": MAX_PAGINA}).status_code == 200
    )


@pytest.mark.parametrize(
    "pagina", ["0", "-1", "abc", str(10**9), str(MAX_PAGINA + 1), "1.5", "", "1e3", "٣"]
)
def test_a_bad_page_number_is_a_friendly_400(
    client: TestClient, wereld: Wereld, pagina: str
) -> None:
    resp = client.get("/publiek", params={"q": wereld.woord, "pagina": pagina})
    assert resp.status_code == 400, (pagina, resp.status_code)
    assert resp.headers["content-type"].startswith("text/html")
    page = Html(resp.text)
    assert page.all("h1")[0].text.strip() == "Ongeldige vraag"
    assert any(e.attrs.get("href") == "/publiek" for e in page.all("a"))
    assert _hits(resp.text) == []


def test_numbered_pages_stay_inside_the_index_window(world: Container) -> None:
    # from + size of the last page must be allowed by the index archief really uses.
    assert isinstance(world.index, ElasticsearchIndex)
    settings = world.index.client.indices.get_settings(
        index=world.index.alias, include_defaults=True
    )
    for index in settings.values():
        window = (
            index["settings"].get("index", {}).get("max_result_window")
            or index["defaults"]["index"]["max_result_window"]
        )
        assert int(window) >= MAX_PAGINA * TREFFERS
