# SPDX-License-Identifier: EUPL-1.2
"""Who asks, and about what: the two inputs of every policy decision.

They live here, not in `archief`, so the policy package stays a leaf that
the core, the search compiler and the tests can all import.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Subject:
    """The caller, as the policy sees it: roles plus their place in the organisation.

    `id` is stable per caller: "anoniem", "oidc:<sub>" or "service:<name>".
    """

    id: str
    rollen: tuple[str, ...]
    afdeling: str | None = None
    dienst: str | None = None
    naam: str | None = None

    @property
    def anoniem(self) -> bool:
        return self.id == ANONIEM.id


# Anyone without a token: the public, and nothing more.
ANONIEM = Subject(id="anoniem", rollen=("publiek",))


@dataclass(frozen=True, slots=True)
class Target:
    """Where a record sits: its layer and its dossier's owning afdeling and dienst."""

    laag: str
    afdeling: str
    dienst: str
