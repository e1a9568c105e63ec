# SPDX-License-Identifier: EUPL-1.2
"""What one captured social-media post is, whatever platform it came from.

A `Bericht` carries two forms of the same post: `ruw`, the bytes exactly as
the platform handed them over (the evidence; `sha256` is their checksum),
and the normalised fields (`tekst`, `geplaatst_op`, ...) that search and the
catalog use. The normalised form is derived and may be derived again; `ruw`
is never rewritten.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote

from archief.errors import ArchiefError
from archief.intake.detect import SOCIAAL_JSON, SOCIAAL_XML

Platform = Literal["twitter", "mastodon", "facebook", "feed"]
# "repost": a retweet, boost or share; its text is someone else's words.
Soort = Literal["bericht", "antwoord", "repost"]

# What `ruw` holds, per platform, as a media type for the WARC record.
RUW_MEDIA_TYPE: dict[str, str] = {
    "twitter": "application/json",
    "mastodon": "application/activity+json",
    "facebook": "application/json",
    "feed": "application/xml",
}


class OngeldigeExport(ArchiefError):
    """An export or response that cannot be read as the format it claims to be.

    `bron` names the file or URL and `positie` the byte offset where reading
    stopped, so a person can open the file at that spot.
    """

    code = "ongeldige_export"
    status = 422
    title = "Ongeldige export"

    def __init__(self, bron: str, reden: str, *, positie: int | None = None) -> None:
        where = f" (byte {positie})" if positie is not None else ""
        super().__init__(f"{bron}: {reden}{where}", bron=bron, positie=positie)
        self.bron = bron
        self.positie = positie


# Given to a parser, it is told of a post that cannot be read (no id, a bad
# date, an element that is not valid JSON) and the parser goes on with the
# next one; without it the parser raises. A fault in the structure (a
# truncated array, broken XML) ends the file either way: nothing after it
# can be found.
Overslaan = Callable[[OngeldigeExport], None]


@dataclass(frozen=True, slots=True)
class Media:
    """One attachment of a post: where it lives, what it is, its file name in the export."""

    url: str
    media_type: str | None = None
    # The file name inside the export (Twitter: data/tweets_media/<naam>;
    # Facebook: the relative `uri`), so the caller can pick up the bytes.
    naam: str | None = None
    # Alt text, where the platform keeps it: it is what the image says to search.
    beschrijving: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Bericht:
    """One post, as captured.

    `platform_id` is unique per platform (Twitter id, ActivityPub object id,
    feed guid made absolute, or a derived Facebook id; see
    docs/sociale-media.md), so `(platform, platform_id)` is the dedupe key.
    """

    platform: Platform
    platform_id: str
    account: str
    auteur: str
    tekst: str
    geplaatst_op: datetime
    url: str | None
    ruw: bytes
    bron: str
    in_antwoord_op: str | None = None
    gesprek: str | None = None
    media: tuple[Media, ...] = ()
    soort: Soort = "bericht"
    # The platform id or URL of what a repost shares, when the export names it.
    gedeeld_van: str | None = None
    # A feed item's title, a Facebook post's title line, a Mastodon content warning.
    titel: str | None = None
    # The character encoding of `ruw` where the format lets it vary: a feed
    # item is in its document's encoding, declared on the root, outside the
    # span. JSON is always UTF-8.
    tekenset: str | None = None
    sha256: str = field(default="")

    def __post_init__(self) -> None:
        if self.geplaatst_op.tzinfo is None:
            raise ValueError("geplaatst_op must be timezone-aware")
        if self.geplaatst_op.utcoffset() != UTC.utcoffset(None):
            object.__setattr__(self, "geplaatst_op", self.geplaatst_op.astimezone(UTC))
        digest = hashlib.sha256(self.ruw).hexdigest()
        # A given checksum that disagrees means the bytes changed on the way.
        if self.sha256 and self.sha256 != digest:
            raise ValueError("sha256 does not match ruw")
        object.__setattr__(self, "sha256", digest)

    @property
    def sleutel(self) -> tuple[str, str]:
        """Return the dedupe key."""
        return (self.platform, self.platform_id)

    @property
    def doel_uri(self) -> str:
        """Return the URL of the post, or a stable URN when the platform gives none."""
        if self.url:
            return self.url
        return f"urn:archief:sociaal:{self.platform}:{quote(self.platform_id, safe='')}"

    @property
    def ruw_media_type(self) -> str:
        """Return the media type of `ruw`."""
        return RUW_MEDIA_TYPE[self.platform]

    @property
    def record_media_type(self) -> str:
        """Return the media type `ruw` is filed under: archief's own, naming the platform."""
        if self.platform == "feed":
            return f"{SOCIAAL_XML}; platform=feed; charset={self.tekenset or 'utf-8'}"
        return f"{SOCIAAL_JSON}; platform={self.platform}"

    @property
    def bestandsnaam(self) -> str:
        """Return a safe file name for `ruw` when it is filed as a record."""
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.platform_id)[-80:].strip("._") or "bericht"
        ext = "xml" if self.platform == "feed" else "json"
        return f"{self.platform}-{stem}.{ext}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Pagina:
    """One HTTP response the connector fetched: what the WARC `response` record keeps.

    `body` is the entity body as received after any content coding was
    undone (the connector asks for none); `headers` are the response
    headers in the order and spelling the server sent them.
    """

    url: str
    status: int
    reden: str
    http_versie: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    opgehaald_op: datetime

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the body."""
        return hashlib.sha256(self.body).hexdigest()
