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
    by_id = {(b.platform, b.platform_id): b for b in posts}
    result: list[Bericht] = []
    for bericht in posts:
        if bericht.gesprek is not None:
            result.append(bericht)
            continue
        current = bericht
        visited = {current.sleutel}
        root: str | None = current.in_antwoord_op or current.platform_id
        while current.in_antwoord_op is not None:
            parent = by_id.get((current.platform, current.in_antwoord_op))
            if parent is None or parent.sleutel in visited:
                root = current.in_antwoord_op
                break
            if parent.gesprek is not None:
                root = parent.gesprek
                break
            visited.add(parent.sleutel)
            current = parent
            root = current.platform_id
        result.append(dataclasses.replace(bericht, gesprek=root))
    return result
