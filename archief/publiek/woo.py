# SPDX-License-Identifier: EUPL-1.2
"""Woo metadata: the information categories as TOOI concepts, and the publisher.

The categories are data (`informatiecategorieen.yaml`, with its source); a
record stores the full TOOI URI, so its metadata stays meaningful outside
archief. The publisher is the municipality as a TOOI organisation, from
the settings (`ARCHIEF_PUBLIEK__ORGANISATIE_TOOI`), where known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from archief.errors import ArchiefError
from archief.settings import PubliekSettings

_CODE = re.compile(r"c_[0-9a-f]{8}")
# Woo art. 3.1, the general duty to publish: information made public outside
# the seventeen categories of art. 3.3.
ART_3_1 = "c_816e508d"


class OnbekendeInformatiecategorie(ArchiefError):
    code = "unknown_informatiecategorie"
    status = 422
    title = "Onbekende informatiecategorie"


@dataclass(frozen=True, slots=True)
class Informatiecategorie:
    code: str
    artikel: str
    label: str
    uri: str

    @property
    def naam(self) -> str:
        """The label as a heading-like phrase ("Adviezen")."""
        return self.label[:1].upper() + self.label[1:]


@dataclass(frozen=True, slots=True)
class Organisatie:
    """Who publishes: a name, and its TOOI identifier where known."""

    naam: str
    tooi: str | None


def _parse(data: Any) -> MappingProxyType[str, Informatiecategorie]:
    basis = str(data["basis"])
    out: dict[str, Informatiecategorie] = {}
    for row in data["categorieen"]:
        code = str(row["code"])
        if not _CODE.fullmatch(code):
            raise ValueError(f"not a TOOI concept code: {code!r}")
        out[basis + code] = Informatiecategorie(
            code, str(row["artikel"]), str(row["label"]), basis + code
        )
    return MappingProxyType(out)


@cache
def categorieen() -> MappingProxyType[str, Informatiecategorie]:
    """Every category, by TOOI URI, in the order of the Woo."""
    text = resources.files("archief.publiek").joinpath("informatiecategorieen.yaml").read_text()
    return _parse(yaml.safe_load(text))


def categorie(uri: str | None) -> Informatiecategorie | None:
    """The category a record names (None when it names none, or one no longer listed)."""
    return categorieen().get(uri or "")


def voor_metadata(uri: str | None) -> Informatiecategorie:
    """The category DiWoo metadata names: the record's own, or art. 3.1 when it has none.

    DiWoo requires a category. A record published without one in the art.
    3.3 lists was published under the general duty of art. 3.1, which is
    exactly what that concept stands for; claiming any 3.3 category would
    be a guess.
    """
    found = categorie(uri)
    if found is not None:
        return found
    return next(c for c in categorieen().values() if c.code == ART_3_1)


def normaliseer(waarde: str) -> str:
    """A category given as code (c_…) or URI, as its URI; refuse anything else."""
    waarde = waarde.strip()
    for cat in categorieen().values():
        if waarde in (cat.uri, cat.code):
            return cat.uri
    raise OnbekendeInformatiecategorie(
        f"{waarde!r} is not a Woo information category",
        known=[c.code for c in categorieen().values()],
    )


def uitgever(settings: PubliekSettings) -> Organisatie:
    return Organisatie(settings.organisatie, settings.organisatie_tooi)
