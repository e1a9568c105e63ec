# SPDX-License-Identifier: EUPL-1.2
"""The outbox connector against a local HTTP server serving pages written in the tests."""

from __future__ import annotations

import json

import pytest

from archief.bewaring.sociaal import OngeldigeExport
from archief.bewaring.sociaal.connector import (
    OmleidingGeweigerd,
    OphalenMislukt,
    PaginaTeGroot,
    haal_outbox,
)
from tests.bewaring.sociaal import voorbeelden as vb
from tests.bewaring.sociaal.conftest import Instance, Route

PAGE1 = "/users/gemeente/outbox?page=true"
PAGE2 = "/users/gemeente/outbox?max_id=110&page=true"


def post_ids(items: list[dict[str, object]]) -> list[str]:
    """The platform ids the sample items should yield, derived from the items themselves."""
    ids: list[str] = []
    for item in items:
        if item["type"] == "Create":
            note = item["object"]
            assert isinstance(note, dict)
            ids.append(str(note["id"]))
        elif item["type"] == "Announce":
            ids.append(str(item["id"]))
    return ids


def test_follows_first_and_next_to_the_end(instance: Instance) -> None:
    first, second = vb.mastodon_items()
    oogst = haal_outbox(instance.outbox)

    assert oogst.gestopt == "einde"
    assert [b.platform_id for b in oogst.berichten] == post_ids(first) + post_ids(second)
    assert instance.requests == ["/users/gemeente/outbox", PAGE1, PAGE2]
    assert [p.url for p in oogst.paginas] == [instance.base + p for p in instance.requests]
    for pagina in oogst.paginas:
        assert pagina.status == 200
        assert pagina.body == instance.routes[pagina.url.removeprefix(instance.base)].body
        assert ("Content-Type", "application/activity+json; charset=utf-8") in pagina.headers
    # Each post's raw bytes are a slice of the page it came from, and it names that page.
    bodies = {p.url: p.body for p in oogst.paginas}
    for bericht in oogst.berichten:
        assert bericht.ruw in bodies[bericht.bron]


def test_stops_at_a_page_of_known_posts(instance: Instance) -> None:
    first, _second = vb.mastodon_items()
    known = set(post_ids(first))
    oogst = haal_outbox(instance.outbox, known=known.__contains__)
    assert oogst.gestopt == "bekend"
    assert oogst.berichten == []
    assert PAGE2 not in instance.requests


def test_partly_known_page_keeps_the_new_posts_and_goes_on(instance: Instance) -> None:
    first, second = vb.mastodon_items()
    known = {post_ids(first)[0]}
    oogst = haal_outbox(instance.outbox, known=known.__contains__)
    assert oogst.gestopt == "einde"
    assert [b.platform_id for b in oogst.berichten] == post_ids(first)[1:] + post_ids(second)


def test_max_pages(instance: Instance) -> None:
    first, _second = vb.mastodon_items()
    oogst = haal_outbox(instance.outbox, max_paginas=2)
    assert oogst.gestopt == "max_paginas"
    assert len(oogst.paginas) == 2
    assert [b.platform_id for b in oogst.berichten] == post_ids(first)
    assert PAGE2 not in instance.requests


def test_non_200_page(instance: Instance) -> None:
    instance.routes[PAGE2] = Route(status=503, body=b'{"error": "overloaded"}')
    with pytest.raises(OphalenMislukt) as caught:
        haal_outbox(instance.outbox)
    assert caught.value.code == "ophalen_mislukt"
    assert caught.value.url == instance.base + PAGE2


def test_redirect_to_another_host_is_refused(instance: Instance) -> None:
    instance.routes[PAGE1] = Route(
        status=302, headers={"Location": "http://169.254.169.254/outbox"}
    )
    with pytest.raises(OmleidingGeweigerd) as caught:
        haal_outbox(instance.outbox)
    assert caught.value.code == "omleiding_geweigerd"
    assert PAGE2 not in instance.requests


def test_redirect_on_the_same_host_is_followed(instance: Instance) -> None:
    instance.routes["/@gemeente/outbox"] = Route(
        status=301, headers={"Location": "/users/gemeente/outbox"}
    )
    oogst = haal_outbox(instance.base + "/@gemeente/outbox")
    assert oogst.gestopt == "einde"
    assert oogst.paginas[0].url == instance.outbox


def test_next_link_to_another_host_is_refused(instance: Instance) -> None:
    page = json.loads(instance.routes[PAGE1].body)
    page["next"] = "https://elders.example/users/gemeente/outbox?page=2"
    instance.routes[PAGE1] = Route(body=json.dumps(page).encode())
    with pytest.raises(OmleidingGeweigerd):
        haal_outbox(instance.outbox)


def test_non_json_page(instance: Instance) -> None:
    instance.routes[PAGE1] = Route(
        body=b"<html><body>Onderhoud</body></html>", headers={"Content-Type": "text/html"}
    )
    with pytest.raises(OngeldigeExport) as caught:
        haal_outbox(instance.outbox)
    assert caught.value.code == "ongeldige_export"
    assert caught.value.bron == instance.base + PAGE1


def test_page_over_the_size_limit(instance: Instance) -> None:
    limit = len(instance.routes[PAGE1].body) - 1
    assert len(instance.routes["/users/gemeente/outbox"].body) <= limit
    with pytest.raises(PaginaTeGroot) as caught:
        haal_outbox(instance.outbox, max_bytes=limit)
    assert caught.value.code == "pagina_te_groot"


def test_timeout(instance: Instance) -> None:
    instance.routes[PAGE1].delay = 1.0
    with pytest.raises(OphalenMislukt) as caught:
        haal_outbox(instance.outbox, timeout=0.2)
    assert caught.value.code == "ophalen_mislukt"
    assert "time-out" in str(caught.value)


def test_a_page_pointing_back_ends_the_poll(instance: Instance) -> None:
    page = json.loads(instance.routes[PAGE2].body)
    page["next"] = instance.base + PAGE1
    instance.routes[PAGE2] = Route(body=json.dumps(page).encode())
    oogst = haal_outbox(instance.outbox, max_paginas=10)
    assert oogst.gestopt == "einde"
    assert instance.requests.count(PAGE1) == 1


def test_only_http_urls() -> None:
    with pytest.raises(OphalenMislukt):
        haal_outbox("file:///etc/passwd")
