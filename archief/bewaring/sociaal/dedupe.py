# SPDX-License-Identifier: EUPL-1.2
"""Keep one copy of each post within a capture run, and join replies into threads."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

from archief.bewaring.sociaal.model import Bericht


class Ontdubbelaar:
    """Drop posts already seen in this run, by `(platform, platform_id)`; the first copy wins.

    A later copy with different raw bytes (an edited post in a newer export,
    or a page fetched twice while it changed) is still dropped, but its key
    is listed in `afwijkend`, so the caller can decide to keep it as a new
    version rather than lose the difference unseen.
    """

    def __init__(self) -> None:
        self._gezien: dict[tuple[str, str], str] = {}
        self.dubbel = 0
        self.afwijkend: list[tuple[str, str]] = []

    def __contains__(self, bericht: Bericht) -> bool:
        return bericht.sleutel in self._gezien

    def filter(self, berichten: Iterable[Bericht]) -> Iterator[Bericht]:
        """Yield each post whose key has not been seen before in this run."""
        for bericht in berichten:
            seen = self._gezien.get(bericht.sleutel)
            if seen is None:
                self._gezien[bericht.sleutel] = bericht.sha256
                yield bericht
                continue
            self.dubbel += 1
            if seen != bericht.sha256:
                self.afwijkend.append(bericht.sleutel)


def ontdubbel(berichten: Iterable[Bericht]) -> Iterator[Bericht]:
    """Yield each post once, by `(platform, platform_id)`; the first copy wins."""
    return Ontdubbelaar().filter(berichten)


def gesprekken(berichten: Iterable[Bericht]) -> list[Bericht]:
    """Return the posts with `gesprek` filled in where a parser could not know it.

    A reply's thread is the thread of its parent, followed up the
    `in_antwoord_op` chain through the posts given. Where the chain leaves
    them, the thread is named after the highest ancestor they mention: the
    real root may lie further up, outside the export.
    """
    posts = list(berichten)
    per_platform: dict[str, dict[str, str]] = {}
    for platform in {b.platform for b in posts}:
        per_platform[platform] = draden(
            (b.platform_id, b.in_antwoord_op, b.gesprek) for b in posts if b.platform == platform
        )
    return [
        b
        if b.gesprek is not None
        else dataclasses.replace(b, gesprek=per_platform[b.platform][b.platform_id])
        for b in posts
    ]


def draden(posts: Iterable[tuple[str, str | None, str | None]]) -> dict[str, str]:
    """Return the thread of each post given as (platform id, in answer to, thread if known).

    The same rule as `gesprekken`, on ids alone: an importer can collect
    them in a first pass over a large export without holding its posts.
    All posts are of one platform.
    """
    ouder: dict[str, str | None] = {}
    eigen: dict[str, str | None] = {}
    for platform_id, parent, gesprek in posts:
        ouder[platform_id], eigen[platform_id] = parent, gesprek
    result: dict[str, str] = {}
    for platform_id, own in eigen.items():
        if own is not None:
            result[platform_id] = own
            continue
        current, visited = platform_id, {platform_id}
        root = ouder[platform_id] or platform_id
        while (parent := ouder[current]) is not None:
            if parent not in ouder or parent in visited:
                root = parent
                break
            found = eigen[parent]
            if found is not None:
                root = found
                break
            visited.add(parent)
            current = root = parent
        result[platform_id] = root
    return result
