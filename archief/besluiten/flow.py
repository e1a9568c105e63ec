# SPDX-License-Identifier: EUPL-1.2
"""The besluitnota workflow as data: which step may follow which, who takes it, who sees it.

`STAPPEN` is the one table (Afspraken bestuurlijke dienstverlening): every
kind of step, the phases (`fase`) it may follow, the phase it leads to per
outcome, the system actions of the policy that allow it, and the layer in
which it is visible on a timeline. Everything else (the endpoints, the
timelines, the lock) reads this table; a municipality with another order
changes it here, in one place.

The layers only grow more open along the way (college → raad → openbaar);
the timelines still decide per step, as a policy may not see it that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from policies.engine import SYSTEM_ACTIONS

# Phases of a besluit (`Besluit.fase`). NIEUW is before the first step: only
# creation leaves it, so no besluit is ever stored in it.
NIEUW = "nieuw"
CONCEPT = "concept"
AD = "ad"
PORTEFEUILLEHOUDER = "portefeuillehouder"
GEMEENTESECRETARIS = "gemeentesecretaris"
AGENDERING_GEWEIGERD = "agendering_geweigerd"
COLLEGEBESLUIT = "collegebesluit"  # slot.py opens the memo only in this phase
COLLEGE_AANGEHOUDEN = "college_aangehouden"
COLLEGE_VERWORPEN = "college_verworpen"
RAADSVOORSTEL = "raadsvoorstel"
RAADSBESLUIT = "raadsbesluit"
RAAD_AANGEHOUDEN = "raad_aangehouden"
RAAD_VERWORPEN = "raad_verworpen"
GEPUBLICEERD = "gepubliceerd"

FASEN = (
    NIEUW,
    CONCEPT,
    AD,
    PORTEFEUILLEHOUDER,
    GEMEENTESECRETARIS,
    AGENDERING_GEWEIGERD,
    COLLEGEBESLUIT,
    COLLEGE_AANGEHOUDEN,
    COLLEGE_VERWORPEN,
    RAADSVOORSTEL,
    RAADSBESLUIT,
    RAAD_AANGEHOUDEN,
    RAAD_VERWORPEN,
    GEPUBLICEERD,
)

# A paraaf by the afdelingsdirecteur counts only for a dossier of their own dienst.
EIGEN_DIENST = frozenset({"paraaf_ad"})


@dataclass(frozen=True, slots=True)
class Stap:
    """One kind of step: where it may come, where it leads, who takes it, who sees it."""

    soort: str
    # The layer of the dossier whose readers see this step on a timeline.
    laag: str
    # Phases this step may follow.
    van: tuple[str, ...]
    # The phase after the step, per outcome (`None`: a step without an outcome).
    naar: Mapping[str | None, str]
    # System actions of the policy that allow the step (any one of them).
    acties: tuple[str, ...] = ()
    # A toelichting (the reason) is required.
    reden: bool = False
    # After this step the memo record changes only through a college decision.
    vergrendelt: bool = False
    # The linked records must already be public.
    openbaar: bool = False
    # Linked records are required.
    met_records: bool = False
    # The actor must be able to read the memo: nobody initials blind.
    leest_nota: bool = False
    # How a timeline names the step.
    titel: str = ""

    @property
    def uitkomsten(self) -> tuple[str, ...]:
        return tuple(k for k in self.naar if k is not None)


def _naar(**per_uitkomst: str) -> Mapping[str | None, str]:
    table: dict[str | None, str] = {}
    table.update(per_uitkomst)
    return MappingProxyType(table)


def _enkel(fase: str) -> Mapping[str | None, str]:
    return MappingProxyType({None: fase})


STAPPEN: tuple[Stap, ...] = (
    Stap("opgesteld", "college", (NIEUW,), _enkel(CONCEPT), titel="Besluitnota opgesteld"),
    Stap(
        "paraaf_ad",
        "college",
        (CONCEPT,),
        _enkel(AD),
        ("paraaf_ad",),
        leest_nota=True,
        titel="Paraaf afdelingsdirecteur",
    ),
    Stap(
        "teruggestuurd",
        "college",
        (CONCEPT, AD),
        _enkel(CONCEPT),
        ("paraaf_ad", "paraaf_portefeuillehouder"),
        reden=True,
        leest_nota=True,
        titel="Teruggestuurd naar de steller",
    ),
    Stap(
        "paraaf_portefeuillehouder",
        "college",
        (AD,),
        _enkel(PORTEFEUILLEHOUDER),
        ("paraaf_portefeuillehouder",),
        vergrendelt=True,
        leest_nota=True,
        titel="Paraaf portefeuillehouder",
    ),
    Stap(
        "paraaf_gemeentesecretaris",
        "college",
        (PORTEFEUILLEHOUDER,),
        _enkel(GEMEENTESECRETARIS),
        ("paraaf_gemeentesecretaris",),
        leest_nota=True,
        titel="Paraaf gemeentesecretaris; geagendeerd",
    ),
    Stap(
        "agendering_geweigerd",
        "college",
        (PORTEFEUILLEHOUDER,),
        _enkel(AGENDERING_GEWEIGERD),
        ("paraaf_gemeentesecretaris",),
        reden=True,
        leest_nota=True,
        titel="Agendering geweigerd door de gemeentesecretaris",
    ),
    Stap(
        "collegebesluit",
        "raad",
        (GEMEENTESECRETARIS, COLLEGE_AANGEHOUDEN),
        _naar(
            vastgesteld=COLLEGEBESLUIT,
            gewijzigd=COLLEGEBESLUIT,
            aangehouden=COLLEGE_AANGEHOUDEN,
            verworpen=COLLEGE_VERWORPEN,
        ),
        ("collegebesluit_vastleggen",),
        titel="Besluit van het college",
    ),
    Stap(
        "raadsvoorstel",
        "raad",
        (COLLEGEBESLUIT,),
        _enkel(RAADSVOORSTEL),
        ("collegebesluit_vastleggen",),
        titel="Raadsvoorstel",
    ),
    Stap(
        "raadsbesluit",
        "raad",
        (RAADSVOORSTEL, RAAD_AANGEHOUDEN),
        _naar(aangenomen=RAADSBESLUIT, aangehouden=RAAD_AANGEHOUDEN, verworpen=RAAD_VERWORPEN),
        ("raadsbesluit_vastleggen",),
        titel="Besluit van de raad",
    ),
    Stap(
        "publicatie",
        "openbaar",
        (COLLEGEBESLUIT, RAADSBESLUIT),
        _enkel(GEPUBLICEERD),
        ("besluit_publiceren",),
        openbaar=True,
        met_records=True,
        titel="Gepubliceerd",
    ),
)

BY_SOORT: Mapping[str, Stap] = MappingProxyType({s.soort: s for s in STAPPEN})
OPGESTELD = BY_SOORT["opgesteld"]


def volgende(fase: str) -> list[str]:
    """The kinds of step that may follow `fase`, in table order (empty: the besluit is done)."""
    return [s.soort for s in STAPPEN if fase in s.van]


def na(fase: str, stap: Stap, uitkomst: str | None) -> str | None:
    """The phase after `stap` with `uitkomst` in `fase`; None when it may not follow."""
    if fase not in stap.van:
        return None
    return stap.naar.get(uitkomst)


def replay(stappen: Iterable[tuple[str, str | None]]) -> list[str]:
    """The phase after each (soort, uitkomst) in order, as the stored steps imply."""
    fase, out = NIEUW, []
    for soort, uitkomst in stappen:
        stap = BY_SOORT.get(soort)
        nieuw = na(fase, stap, uitkomst) if stap is not None else None
        # A stored step the table no longer allows keeps the phase it found:
        # history is not rewritten when the table changes.
        fase = nieuw if nieuw is not None else fase
        out.append(fase)
    return out


def problems(lagen: Iterable[str]) -> list[str]:
    """What is wrong with the table, against the layers of a policy (empty: fine)."""
    known = set(lagen)
    found = []
    for stap in STAPPEN:
        if stap.laag not in known:
            found.append(f"step {stap.soort}: layer {stap.laag!r} is not in the policy")
        for actie in stap.acties:
            if actie not in SYSTEM_ACTIONS:
                found.append(f"step {stap.soort}: unknown system action {actie!r}")
        for fase in (*stap.van, *stap.naar.values()):
            if fase not in FASEN:
                found.append(f"step {stap.soort}: unknown phase {fase!r}")
    return found
