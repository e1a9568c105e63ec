# SPDX-License-Identifier: EUPL-1.2
"""The selectielijst as data, and the derivation of the archiefactiedatum.

The file (`selectielijst.yaml` beside this module, or a municipality's own)
lists categories: a code, an archiefnominatie, a bewaartermijn and the
afleidingswijze of the brondatum. `archiefactiedatum` turns a category and
the dates known about a dossier into the date the archive action falls due:
destruction for `vernietigen`, transfer (overbrenging) for `blijvend_bewaren`.
It is a pure function, so callers recompute it whenever an input changes.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from archief.errors import ArchiefError


class SelectielijstError(ArchiefError):
    """The selectielijst file is invalid; `problems` names every problem found."""

    code = "invalid_selectielijst"
    status = 422
    title = "Ongeldige selectielijst"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems), problems=problems)
        self.problems = problems


class OnbekendeCategorie(ArchiefError):
    """A category code that the selectielijst in use does not have."""

    code = "unknown_selectielijst_categorie"
    status = 422
    title = "Onbekende selectielijstcategorie"


class Nominatie(StrEnum):
    BLIJVEND_BEWAREN = "blijvend_bewaren"
    VERNIETIGEN = "vernietigen"


class Afleidingswijze(StrEnum):
    """How the brondatum is found; a subset of the ZGW APIs' afleidingswijze.

    ZGW `afgehandeld`, `ingangsdatum_besluit`, `vervaldatum_besluit` and
    `termijn` carry over as they are; `einddatum` stands for ZGW's
    `ander_datumkenmerk` / `zaakobject` with an end date (the selectielijst's
    procestermijn "bestaansduur procesobject" or "vast te leggen datum").
    """

    AFGEHANDELD = "afgehandeld"
    EINDDATUM = "einddatum"
    INGANGSDATUM_BESLUIT = "ingangsdatum_besluit"
    VERVALDATUM_BESLUIT = "vervaldatum_besluit"
    TERMIJN = "termijn"


# Years, months and days only: the selectielijst has no weeks or hours, and a
# week or hour part in a retention term is far more likely a typo than intent.
_DUUR = re.compile(r"P(?:(?P<jaren>\d+)Y)?(?:(?P<maanden>\d+)M)?(?:(?P<dagen>\d+)D)?")


@dataclass(frozen=True, slots=True)
class Termijn:
    """A calendar duration in years, months and days (ISO 8601 `PnYnMnD`)."""

    jaren: int = 0
    maanden: int = 0
    dagen: int = 0

    @classmethod
    def parse(cls, text: str) -> Termijn:
        """Read `P10Y`, `P1Y6M`, `P0D`; raise ValueError on anything else."""
        match = _DUUR.fullmatch(text)
        if match is None or text == "P":
            raise ValueError(f"{text!r} is not an ISO 8601 duration of years, months and days")
        parts = {name: int(value) for name, value in match.groupdict().items() if value}
        return cls(**parts)

    @property
    def iso(self) -> str:
        parts = "".join(
            f"{n}{unit}"
            for n, unit in ((self.jaren, "Y"), (self.maanden, "M"), (self.dagen, "D"))
            if n
        )
        return f"P{parts or '0D'}"

    def na(self, datum: date) -> date:
        """Return `datum` plus this term, calendar-correct (29 Feb + 1 year is 28 Feb)."""
        months = datum.month - 1 + self.maanden + 12 * self.jaren
        year, month = datum.year + months // 12, months % 12 + 1
        # Clamp to the month's last day: a term never ends in the next month.
        day = min(datum.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.dagen)

    def __str__(self) -> str:
        parts = [
            f"{n} {one if n == 1 else many}"
            for n, one, many in (
                (self.jaren, "jaar", "jaar"),
                (self.maanden, "maand", "maanden"),
                (self.dagen, "dag", "dagen"),
            )
            if n
        ]
        if len(parts) <= 1:
            return parts[0] if parts else "0 dagen"
        return f"{', '.join(parts[:-1])} en {parts[-1]}"


@dataclass(frozen=True, slots=True)
class Categorie:
    """One result (resultaat) of the selectielijst, as assigned to a dossier or record."""

    code: str
    procestype: int
    resultaat: str
    omschrijving: str
    nominatie: Nominatie
    # None exactly when the nominatie is blijvend_bewaren: the file's
    # overbrengingstermijn applies instead.
    bewaartermijn: Termijn | None
    afleidingswijze: Afleidingswijze
    procestermijn: Termijn | None = None
    toelichting: str = ""


@dataclass(frozen=True, slots=True)
class Brondata:
    """The dates known about a dossier from which a brondatum may be taken."""

    # The date the dossier was closed; nothing is derived before it.
    afgehandeld_op: date | None = None
    # The end of (the validity of) the procesobject: a plan period, a subsidy, a project.
    einddatum: date | None = None
    ingangsdatum_besluit: date | None = None
    vervaldatum_besluit: date | None = None


@dataclass(frozen=True, slots=True)
class Afleiding:
    """The outcome of a derivation: the dates, or why they cannot be derived yet."""

    categorie: str
    nominatie: Nominatie
    afleidingswijze: Afleidingswijze
    brondatum: date | None
    archiefactiedatum: date | None
    # The term added to the brondatum: the bewaartermijn, or the
    # overbrengingstermijn for blijvend_bewaren.
    termijn: Termijn
    # Set exactly when archiefactiedatum is None.
    reden: str | None = None

    @property
    def afgeleid(self) -> bool:
        return self.archiefactiedatum is not None


_NIET_AFGEHANDELD = "dossier nog niet afgehandeld"
_REDENEN = {
    Afleidingswijze.EINDDATUM: "einddatum van het procesobject nog niet bekend",
    Afleidingswijze.INGANGSDATUM_BESLUIT: "ingangsdatum van het besluit nog niet bekend",
    Afleidingswijze.VERVALDATUM_BESLUIT: "vervaldatum van het besluit nog niet bekend",
}


def _brondatum(categorie: Categorie, brondata: Brondata) -> date | None:
    match categorie.afleidingswijze:
        case Afleidingswijze.AFGEHANDELD:
            return brondata.afgehandeld_op
        case Afleidingswijze.EINDDATUM:
            return brondata.einddatum
        case Afleidingswijze.INGANGSDATUM_BESLUIT:
            return brondata.ingangsdatum_besluit
        case Afleidingswijze.VERVALDATUM_BESLUIT:
            return brondata.vervaldatum_besluit
        case Afleidingswijze.TERMIJN:
            assert categorie.procestermijn is not None  # parse() guarantees it
            assert brondata.afgehandeld_op is not None  # the caller checked
            return categorie.procestermijn.na(brondata.afgehandeld_op)


def archiefactiedatum(
    categorie: Categorie, brondata: Brondata, *, overbrengingstermijn: Termijn
) -> Afleiding:
    """Derive brondatum and archiefactiedatum for a dossier in `categorie`."""
    termijn = (
        overbrengingstermijn
        if categorie.nominatie is Nominatie.BLIJVEND_BEWAREN
        else categorie.bewaartermijn
    )
    assert termijn is not None  # parse() refuses vernietigen without a bewaartermijn

    def open_(reden: str) -> Afleiding:
        return Afleiding(
            categorie=categorie.code,
            nominatie=categorie.nominatie,
            afleidingswijze=categorie.afleidingswijze,
            brondatum=None,
            archiefactiedatum=None,
            termijn=termijn,
            reden=reden,
        )

    # As in the ZGW APIs, nothing is derived while the dossier is open: an
    # open dossier is never up for destruction or transfer, whatever its dates.
    if brondata.afgehandeld_op is None:
        return open_(_NIET_AFGEHANDELD)
    brondatum = _brondatum(categorie, brondata)
    if brondatum is None:
        return open_(_REDENEN[categorie.afleidingswijze])
    return Afleiding(
        categorie=categorie.code,
        nominatie=categorie.nominatie,
        afleidingswijze=categorie.afleidingswijze,
        brondatum=brondatum,
        archiefactiedatum=termijn.na(brondatum),
        termijn=termijn,
    )


@dataclass(frozen=True, slots=True)
class Selectielijst:
    naam: str
    versie: str
    deelverzameling: bool
    overbrengingstermijn: Termijn
    procestypen: Mapping[int, str]
    categorieen: tuple[Categorie, ...]
    _index: dict[str, Categorie] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.code: c for c in self.categorieen})

    def get(self, code: str) -> Categorie:
        """Return the category with this code, or raise OnbekendeCategorie."""
        try:
            return self._index[code]
        except KeyError:
            raise OnbekendeCategorie(
                f"categorie {code!r} staat niet in de selectielijst", categorie=code
            ) from None

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def __iter__(self) -> Iterator[Categorie]:
        return iter(self.categorieen)

    def __len__(self) -> int:
        return len(self.categorieen)

    def archiefactiedatum(self, categorie: Categorie | str, brondata: Brondata) -> Afleiding:
        """Derive the archiefactiedatum with this list's overbrengingstermijn."""
        if isinstance(categorie, str):
            categorie = self.get(categorie)
        return archiefactiedatum(
            categorie, brondata, overbrengingstermijn=self.overbrengingstermijn
        )


_TOP = {"naam", "versie", "deelverzameling", "overbrengingstermijn", "procestypen", "categorieen"}
_TOP_REQUIRED = _TOP - {"deelverzameling"}
_CAT = {
    "code",
    "procestype",
    "resultaat",
    "omschrijving",
    "nominatie",
    "bewaartermijn",
    "afleidingswijze",
    "procestermijn",
    "toelichting",
}
_CAT_REQUIRED = {"code", "procestype", "resultaat", "omschrijving", "nominatie", "afleidingswijze"}
_CODE = re.compile(r"[1-9]\d*(?:\.[1-9]\d*)+")
# Tuples, not sets: a YAML value may be an unhashable list or mapping.
_NOMINATIES = tuple(Nominatie)
_AFLEIDINGSWIJZEN = tuple(Afleidingswijze)


def _termijn(value: object, where: str, problems: list[str]) -> Termijn | None:
    if not isinstance(value, str):
        problems.append(f"{where}: expected an ISO 8601 duration such as P10Y, got {value!r}")
        return None
    try:
        return Termijn.parse(value)
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        return None


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _keys(raw: dict[Any, Any], allowed: set[str], required: set[str], where: str) -> list[str]:
    unknown = [f"{where}: unknown key {key!r}" for key in sorted(set(raw) - allowed, key=str)]
    return unknown + [f"{where}: missing {key!r}" for key in sorted(required - set(raw))]


def _code_problems(raw: dict[Any, Any], where: str, procestypen: Mapping[int, str]) -> list[str]:
    code, procestype = raw.get("code"), raw.get("procestype")
    problems = []
    if isinstance(code, float | int):
        # YAML reads 2.1 as a number, and 2.10 as the same number: codes must be quoted.
        problems.append(f'{where}: code {code!r} is a number; quote it: code: "{code}"')
    elif "code" in raw and not (isinstance(code, str) and _CODE.fullmatch(code)):
        problems.append(f'{where}: code {code!r} is not a resultaat number such as "2.1.1"')
    if "procestype" not in raw:
        return problems
    if not isinstance(procestype, int) or isinstance(procestype, bool):
        problems.append(f"{where}: procestype {procestype!r} is not a number")
    elif procestype not in procestypen:
        problems.append(f"{where}: procestype {procestype} is not listed under procestypen")
    elif isinstance(code, str) and code.split(".")[0] != str(procestype):
        problems.append(f"{where}: code does not start with its procestype {procestype}")
    return problems


def _bewaartermijn(raw: dict[Any, Any], where: str, problems: list[str]) -> Termijn | None:
    nominatie = raw.get("nominatie")
    if "nominatie" in raw and nominatie not in _NOMINATIES:
        problems.append(f"{where}: nominatie {nominatie!r} is not one of {', '.join(Nominatie)}")
    if nominatie == Nominatie.BLIJVEND_BEWAREN:
        # null is allowed: that is how the VNG Selectielijst API writes it.
        if raw.get("bewaartermijn") is not None:
            problems.append(
                f"{where}: nominatie blijvend_bewaren has no bewaartermijn "
                "(the overbrengingstermijn at the top of the file applies)"
            )
        return None
    if nominatie == Nominatie.VERNIETIGEN and "bewaartermijn" not in raw:
        problems.append(f"{where}: nominatie vernietigen needs a bewaartermijn")
    if "bewaartermijn" not in raw:
        return None
    return _termijn(raw["bewaartermijn"], f"{where}: bewaartermijn", problems)


def _procestermijn(raw: dict[Any, Any], where: str, problems: list[str]) -> Termijn | None:
    afleidingswijze = raw.get("afleidingswijze")
    if "afleidingswijze" in raw and afleidingswijze not in _AFLEIDINGSWIJZEN:
        problems.append(
            f"{where}: afleidingswijze {afleidingswijze!r} is not one of "
            f"{', '.join(Afleidingswijze)}"
        )
    if afleidingswijze != Afleidingswijze.TERMIJN:
        if "procestermijn" in raw:
            problems.append(f"{where}: procestermijn is only used with afleidingswijze termijn")
        return None
    if "procestermijn" not in raw:
        problems.append(f"{where}: afleidingswijze termijn needs a procestermijn")
        return None
    return _termijn(raw["procestermijn"], f"{where}: procestermijn", problems)


def _categorie(
    raw: object, n: int, procestypen: Mapping[int, str], problems: list[str]
) -> Categorie | None:
    if not isinstance(raw, dict):
        problems.append(f"categorie #{n}: expected a mapping, got {raw!r}")
        return None
    code = raw.get("code")
    where = f"categorie {code}" if isinstance(code, str) else f"categorie #{n}"
    found = _keys(raw, _CAT, _CAT_REQUIRED, where) + _code_problems(raw, where, procestypen)
    found += [
        f"{where}: {key} must be non-empty text"
        for key in ("resultaat", "omschrijving")
        if key in raw and not _text(raw[key])
    ]
    if "toelichting" in raw and not isinstance(raw["toelichting"], str):
        found.append(f"{where}: toelichting must be text")
    bewaartermijn = _bewaartermijn(raw, where, found)
    procestermijn = _procestermijn(raw, where, found)
    problems += found
    if found:
        return None
    return Categorie(
        code=str(code),
        procestype=int(raw["procestype"]),
        resultaat=str(raw["resultaat"]).strip(),
        omschrijving=str(raw["omschrijving"]).strip(),
        nominatie=Nominatie(raw["nominatie"]),
        bewaartermijn=bewaartermijn,
        afleidingswijze=Afleidingswijze(raw["afleidingswijze"]),
        procestermijn=procestermijn,
        toelichting=str(raw.get("toelichting", "")).strip(),
    )


def _procestypen(raw: object, problems: list[str]) -> dict[int, str]:
    if not isinstance(raw, dict) or not raw:
        problems.append("procestypen: expected a mapping of number to name, such as `2: Beleid`")
        return {}
    out = {}
    for nummer, naam in raw.items():
        if not isinstance(nummer, int) or isinstance(nummer, bool) or nummer < 1:
            problems.append(f"procestypen: {nummer!r} is not a procestype number")
        elif not _text(naam):
            problems.append(f"procestypen: procestype {nummer} needs a name")
        else:
            out[nummer] = str(naam).strip()
    return out


def _categorieen(
    raw: object, procestypen: Mapping[int, str], problems: list[str]
) -> list[Categorie]:
    if not isinstance(raw, list) or not raw:
        problems.append("categorieen: expected a non-empty list")
        return []
    out, seen = [], set()
    for n, item in enumerate(raw, start=1):
        code = item.get("code") if isinstance(item, dict) else None
        if isinstance(code, str):
            if code in seen:
                problems.append(f"categorie {code}: the code appears more than once")
            seen.add(code)
        categorie = _categorie(item, n, procestypen, problems)
        if categorie is not None:
            out.append(categorie)
    return out


def parse(text: str) -> Selectielijst:
    """Read a selectielijst file, or raise SelectielijstError naming every problem."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SelectielijstError([f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise SelectielijstError(["expected a mapping with naam, versie, ..., categorieen"])
    problems = _keys(data, _TOP, _TOP_REQUIRED, "top of the file")
    problems += [
        f'{key} must be non-empty text (quote a version: versie: "2020")'
        for key in ("naam", "versie")
        if key in data and not _text(data[key])
    ]
    deelverzameling = data.get("deelverzameling", False)
    if not isinstance(deelverzameling, bool):
        problems.append(f"deelverzameling must be true or false, got {deelverzameling!r}")
    overbrengingstermijn = None
    if "overbrengingstermijn" in data:
        overbrengingstermijn = _termijn(
            data["overbrengingstermijn"], "overbrengingstermijn", problems
        )
    procestypen = _procestypen(data.get("procestypen"), problems) if "procestypen" in data else {}
    categorieen = []
    if "categorieen" in data:
        categorieen = _categorieen(data["categorieen"], procestypen, problems)
    if problems:
        raise SelectielijstError(problems)
    assert overbrengingstermijn is not None
    return Selectielijst(
        naam=str(data["naam"]).strip(),
        versie=str(data["versie"]).strip(),
        deelverzameling=deelverzameling,
        overbrengingstermijn=overbrengingstermijn,
        procestypen=MappingProxyType(procestypen),
        categorieen=tuple(categorieen),
    )


def default_text() -> str:
    return resources.files("archief.bewaring").joinpath("selectielijst.yaml").read_text("utf-8")


@cache
def default() -> Selectielijst:
    """The selectielijst shipped with archief (a subset; see docs/bewaring.md)."""
    return parse(default_text())
