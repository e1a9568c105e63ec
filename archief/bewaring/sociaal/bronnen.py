# SPDX-License-Identifier: EUPL-1.2
"""Find the posts and media files in an export on disk, per platform.

An export is given as its main file or as the unpacked archive folder:

- twitter: `data/tweets.js` (or `tweets-partN.js`), or the archive root;
  media files in `data/tweets_media/<tweet id>-<name>`; the account from
  `data/account.js` unless given.
- mastodon: `outbox.json`, or the archive root; media files at the
  attachment URL's path inside the archive.
- facebook: `posts/your_posts_1.json`, or the export root (every
  `posts/*post*.json`); media files at the attachment `uri`, relative to
  the export root; the page name must be given.
- feed: the RSS or Atom file; enclosures are URLs only.

Files are memory-mapped, so a large export costs its pages, not its size in
Python objects. The export is read twice: once for the count (the progress
bar) and the threads (a reply can come before its parent), once to file.
Media paths come from the export itself, so every path is resolved and
must stay inside the export folder: a `../` or a link out is treated as
"not in the export".
"""

from __future__ import annotations

import json
import mmap
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from archief.bewaring.sociaal import _json
from archief.bewaring.sociaal.dedupe import draden
from archief.bewaring.sociaal.facebook import lees_facebook
from archief.bewaring.sociaal.feed import lees_feed
from archief.bewaring.sociaal.mastodon import lees_outbox
from archief.bewaring.sociaal.model import Bericht, Media, OngeldigeExport, Overslaan, Platform
from archief.bewaring.sociaal.twitter import lees_tweets
from archief.errors import ArchiefError

PLATFORMS: tuple[Platform, ...] = ("twitter", "mastodon", "facebook", "feed")
_ACCOUNT_JS_MAX = 1024 * 1024
_ASSIGNMENT = re.compile(rb"^\s*window\.YTD\.[A-Za-z0-9_]+\.part[0-9]+\s*=\s*")


class ExportNietGevonden(ArchiefError):
    code = "export_niet_gevonden"
    status = 422
    title = "Export niet gevonden"


def _noop(_fout: OngeldigeExport) -> None:
    return None


@dataclass
class Export:
    """One platform export on disk: its post files, its root, the account it belongs to."""

    platform: Platform
    bestanden: tuple[Path, ...]
    wortel: Path
    account: str | None = None
    _draden: dict[str, str] = field(default_factory=dict)

    def voorbereid(self) -> int:
        """Read the export once: count the posts and work out the threads."""
        triples: list[tuple[str, str | None, str | None]] = []
        for pad in self.bestanden:
            naam = self._naam(pad)
            try:
                with _gemapt(pad, naam) as data:
                    for b in self._lees(data, naam, _noop):
                        triples.append((b.platform_id, b.in_antwoord_op, b.gesprek))
            except OngeldigeExport:
                continue  # reported when the posts are read for filing
        self._draden = draden(triples)
        return len(triples)

    def berichten(self, overslaan: Overslaan | None = None) -> Iterator[Bericht]:
        """Yield every post, its thread filled in.

        With `overslaan`, a fault in one file is reported there and ends that
        file only; the next file is read. Without it the fault is raised.
        """
        for pad in self.bestanden:
            naam = self._naam(pad)
            try:
                with _gemapt(pad, naam) as data:
                    for gelezen in self._lees(data, naam, overslaan):
                        gesprek = self._draden.get(gelezen.platform_id)
                        if gelezen.gesprek is None and gesprek is not None:
                            yield replace(gelezen, gesprek=gesprek)
                        else:
                            yield gelezen
            except OngeldigeExport as exc:
                if overslaan is None:
                    raise
                overslaan(exc)

    def media(self, _bericht: Bericht, medium: Media) -> Path | None:
        """Return the file of an attachment inside the export, or None if it holds none."""
        if self.platform == "twitter" and medium.naam:
            for folder in ("tweets_media", "tweet_media"):
                for pad in self.bestanden:
                    found = _binnen(self.wortel, pad.parent / folder / medium.naam)
                    if found is not None:
                        return found
        elif self.platform == "mastodon":
            parts = urlsplit(medium.url)
            # In an archive the URL is a path inside it; a live URL names a server.
            if not parts.scheme and not parts.netloc and parts.path:
                return _binnen(self.wortel, self.wortel / unquote(parts.path).lstrip("/"))
        elif self.platform == "facebook" and medium.naam and "://" not in medium.naam:
            for pad in self.bestanden:
                # The uri is relative to the export root, some folders above the posts file.
                for root in [pad.parent, *pad.parent.parents][:4]:
                    if not root.is_relative_to(self.wortel):
                        break
                    found = _binnen(self.wortel, root / medium.naam)
                    if found is not None:
                        return found
        return None

    def _naam(self, pad: Path) -> str:
        try:
            return pad.relative_to(self.wortel).as_posix()
        except ValueError:
            return pad.name

    def _lees(self, data: _json.Bron, bron: str, overslaan: Overslaan | None) -> Iterator[Bericht]:
        if self.platform == "twitter":
            return lees_tweets(data, bron=bron, account=self.account or "", overslaan=overslaan)
        if self.platform == "mastodon":
            return lees_outbox(data, bron=bron, overslaan=overslaan)
        if self.platform == "facebook":
            return lees_facebook(data, bron=bron, account=self.account or "", overslaan=overslaan)
        return lees_feed(data, bron=bron, overslaan=overslaan)


def open_export(platform: str, pad: Path, *, account: str | None = None) -> Export:
    """Find the export's post files; refuse what is not there or lacks its account."""
    if platform not in PLATFORMS:
        raise ExportNietGevonden(f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}")
    if not pad.exists():
        raise ExportNietGevonden(f"{pad} does not exist")
    pad = pad.resolve()
    if platform == "twitter":
        return _twitter(pad, account)
    if platform == "mastodon":
        bestand = pad / "outbox.json" if pad.is_dir() else pad
        _bestaat(bestand)
        return Export("mastodon", (bestand,), bestand.parent)
    if platform == "facebook":
        if not account:
            raise ExportNietGevonden("a Facebook export does not name its page: give --account")
        if pad.is_dir():
            found = sorted(p for p in pad.rglob("*.json") if _facebook_posts(p))
            if not found:
                raise ExportNietGevonden(f"no posts/*post*.json under {pad}")
            return Export("facebook", tuple(found), pad, account)
        return Export("facebook", (pad,), _facebook_root(pad), account)
    if pad.is_dir():
        raise ExportNietGevonden(f"{pad} is a folder; give the feed file itself")
    return Export("feed", (pad,), pad.parent)


def _twitter(pad: Path, account: str | None) -> Export:
    if pad.is_dir():
        data = pad / "data" if (pad / "data").is_dir() else pad
        found = [
            p
            for pattern in ("tweets.js", "tweet.js", "tweets-part*.js", "tweet-part*.js")
            for p in sorted(data.glob(pattern))
        ]
        if not found:
            raise ExportNietGevonden(f"no data/tweets.js under {pad}")
        wortel = pad
    else:
        found, data = [pad], pad.parent
        wortel = data.parent if data.name == "data" else data
    account = account or _account_js(data / "account.js")
    if not account:
        raise ExportNietGevonden(
            "tweets.js does not name its account and no data/account.js says it: give --account"
        )
    return Export("twitter", tuple(found), wortel, account)


def _account_js(pad: Path) -> str | None:
    """Return the screen name in an archive's account.js, if it is there and readable."""
    try:
        if not pad.is_file() or pad.stat().st_size > _ACCOUNT_JS_MAX:
            return None
        raw = pad.read_bytes()
    except OSError:
        return None
    m = _ASSIGNMENT.match(raw)
    try:
        value = json.loads(raw[m.end() if m else 0 :].rstrip().rstrip(b";"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if isinstance(value, list) and value and isinstance(value[0], dict):
        account = value[0].get("account")
        if isinstance(account, dict) and isinstance(account.get("username"), str):
            return str(account["username"])
    return None


def _facebook_posts(pad: Path) -> bool:
    return pad.parent.name == "posts" and "post" in pad.name


def _facebook_root(pad: Path) -> Path:
    # posts/your_posts_1.json sits in posts/ under the export root (maybe one folder deeper).
    for parent in pad.parents:
        if parent.name == "posts":
            return parent.parent
    return pad.parent


def _bestaat(pad: Path) -> None:
    if not pad.is_file():
        raise ExportNietGevonden(f"{pad} is not a file")


def _binnen(wortel: Path, pad: Path) -> Path | None:
    """Return `pad` resolved if it is a regular file inside `wortel`, else None."""
    if "\x00" in str(pad):
        return None
    try:
        resolved = pad.resolve()
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(wortel.resolve()) or not resolved.is_file():
        return None
    return resolved


@contextmanager
def _gemapt(pad: Path, naam: str) -> Iterator[_json.Bron]:
    try:
        f = pad.open("rb")
    except OSError as exc:
        raise OngeldigeExport(naam, f"niet te openen: {exc.strerror or exc}") from exc
    with f:
        if os.fstat(f.fileno()).st_size == 0:
            yield b""
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data
