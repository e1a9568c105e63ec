# SPDX-License-Identifier: EUPL-1.2
"""Poll a Mastodon account's public outbox over HTTP.

Contract:

- The poll MUST start at the given outbox URL, follow `first` from the
  collection and then `next` from page to page, newest first.
- It MUST stop at the first page whose posts are all already known (the
  `known` callable, on platform ids), at a page without items or without
  `next`, or after `max_paginas` fetches, whichever comes first.
- It MUST NOT leave the start URL's origin (scheme, host, port): a redirect
  or a `next` link elsewhere raises `OmleidingGeweigerd`. Outbox servers are
  strangers; following them anywhere would let one point the archive at
  internal addresses.
- It MUST refuse a page larger than `max_bytes` (`PaginaTeGroot`), a status
  other than 200 after redirects (`OphalenMislukt`), a timeout or transport
  error (`OphalenMislukt`), and a body that is not an ActivityStreams
  collection (`OngeldigeExport`).
- Every fetched page is returned with its headers and body, so the run's
  WARC keeps the HTTP responses the posts were read from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from archief.bewaring.sociaal.dedupe import Ontdubbelaar
from archief.bewaring.sociaal.mastodon import lees_collectie
from archief.bewaring.sociaal.model import Bericht, Pagina
from archief.clock import SystemClock
from archief.errors import ArchiefError
from archief.ports import Clock

ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}

Reden = Literal["einde", "bekend", "max_paginas"]


class OphalenMislukt(ArchiefError):
    """A remote platform did not hand over what was asked."""

    code = "ophalen_mislukt"
    status = 502
    title = "Ophalen mislukt"

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"{url}: {detail}", url=url)
        self.url = url


class OmleidingGeweigerd(OphalenMislukt):
    """A redirect or paging link pointed away from the outbox's own origin."""

    code = "omleiding_geweigerd"
    title = "Omleiding geweigerd"


class PaginaTeGroot(OphalenMislukt):
    code = "pagina_te_groot"
    title = "Pagina te groot"


@dataclass(frozen=True, slots=True)
class Oogst:
    """What one poll brought in: the new posts, the pages they came from, and why it stopped."""

    berichten: list[Bericht]
    paginas: list[Pagina]
    gestopt: Reden


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OphalenMislukt(url, "alleen http(s)-adressen")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OphalenMislukt(url, "ongeldige poort") from exc
    return parts.scheme, parts.hostname.lower(), port


def haal_outbox(
    url: str,
    *,
    known: Callable[[str], bool] = lambda _id: False,
    max_paginas: int = 20,
    max_bytes: int = 5 * 1024 * 1024,
    timeout: float = 10.0,
    client: httpx.Client | None = None,
    clock: Clock | None = None,
) -> Oogst:
    """Fetch an outbox page by page until a stop condition; return the new posts and the pages."""
    if max_paginas < 1:
        raise ValueError("max_paginas must be at least 1")
    own = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(timeout))
    try:
        return _poll(
            http,
            url,
            known=known,
            max_paginas=max_paginas,
            max_bytes=max_bytes,
            clock=clock or SystemClock(),
        )
    finally:
        if own:
            http.close()


def _poll(
    http: httpx.Client,
    url: str,
    *,
    known: Callable[[str], bool],
    max_paginas: int,
    max_bytes: int,
    clock: Clock,
) -> Oogst:
    origin = _origin(url)
    berichten: list[Bericht] = []
    paginas: list[Pagina] = []
    gezien = Ontdubbelaar()
    visited: set[str] = set()
    volgende: str | None = url
    while volgende is not None:
        if len(paginas) >= max_paginas:
            return Oogst(berichten, paginas, "max_paginas")
        visited.add(volgende)
        pagina = _fetch(http, volgende, origin, max_bytes, clock)
        paginas.append(pagina)
        collectie, items = lees_collectie(pagina.body, bron=pagina.url)
        found = list(items)
        nieuw = [b for b in gezien.filter(found) if not known(b.platform_id)]
        berichten.extend(nieuw)
        if found and not nieuw:
            return Oogst(berichten, paginas, "bekend")
        if collectie.aantal_items == 0 and collectie.type.endswith("Page"):
            break  # past the oldest post: Mastodon's last page is empty
        link = collectie.volgende
        if collectie.aantal_items == 0 and not collectie.type.endswith("Page"):
            link = collectie.eerste
        if link is None:
            break
        volgende = urljoin(pagina.url, link)
        if _origin(volgende) != origin:
            raise OmleidingGeweigerd(volgende, f"volgende pagina buiten {origin[1]}")
        if volgende in visited:
            break  # a page that points back would make the poll endless
    return Oogst(berichten, paginas, "einde")


def _fetch(
    http: httpx.Client,
    url: str,
    origin: tuple[str, str, int | None],
    max_bytes: int,
    clock: Clock,
) -> Pagina:
    headers = {
        "Accept": ACCEPT,
        # The body is kept as received; a content coding would only have to be undone.
        "Accept-Encoding": "identity",
        "User-Agent": "archief (gemeentelijk archief; sociale media)",
    }
    for _ in range(MAX_REDIRECTS + 1):
        try:
            with http.stream("GET", url, headers=headers, follow_redirects=False) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise OphalenMislukt(
                            url, f"omleiding {response.status_code} zonder Location"
                        )
                    target = urljoin(url, location)
                    if _origin(target) != origin:
                        raise OmleidingGeweigerd(url, f"omleiding naar een andere host: {target}")
                    url = target
                    continue
                if response.status_code != 200:
                    raise OphalenMislukt(
                        url, f"status {response.status_code} {response.reason_phrase}"
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise PaginaTeGroot(url, f"{declared} bytes, meer dan {max_bytes}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise PaginaTeGroot(url, f"meer dan {max_bytes} bytes")
                return Pagina(
                    url=url,
                    status=response.status_code,
                    reden=response.reason_phrase,
                    http_versie=response.http_version,
                    headers=tuple(
                        (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
                    ),
                    body=bytes(body),
                    opgehaald_op=clock.now(),
                )
        except httpx.TimeoutException as exc:
            raise OphalenMislukt(url, "time-out") from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise OphalenMislukt(url, f"{type(exc).__name__}: {exc}") from exc
    raise OphalenMislukt(url, f"meer dan {MAX_REDIRECTS} omleidingen")
