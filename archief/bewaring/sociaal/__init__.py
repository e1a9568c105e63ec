# SPDX-License-Identifier: EUPL-1.2
"""Capture of social-media posts: parsers per platform, an outbox connector, WARC output.

The parsers, the connector and the WARC writer are pure capture. Filing
posts as records (`archiveren`), their searchable normalised form
(`normaal`), exports on disk (`bronnen`) and following accounts (`volgen`)
build on them; see docs/sociale-media.md.
"""

from __future__ import annotations

from archief.bewaring.sociaal.dedupe import Ontdubbelaar, gesprekken, ontdubbel
from archief.bewaring.sociaal.facebook import lees_facebook
from archief.bewaring.sociaal.feed import lees_feed
from archief.bewaring.sociaal.mastodon import lees_outbox
from archief.bewaring.sociaal.model import Bericht, Media, OngeldigeExport, Pagina
from archief.bewaring.sociaal.twitter import lees_tweets

__all__ = [
    "Bericht",
    "Media",
    "OngeldigeExport",
    "Ontdubbelaar",
    "Pagina",
    "gesprekken",
    "lees_facebook",
    "lees_feed",
    "lees_outbox",
    "lees_tweets",
    "ontdubbel",
]
