# SPDX-License-Identifier: EUPL-1.2
"""A loaded policy: casbin decides; the same rules compile into search filters.

Three data files make a policy: the casbin model (model.conf), the rules
(beleid.csv) and the layers (lagen.yaml). `Policy` holds one version of the
three. `enforce` asks casbin. `grants` reads the same rules the matcher reads
and says, once per request, which slices of the archive a subject may see;
`policies.compile` turns that into an Elasticsearch filter and the catalog
into SQL. `policies.check` proves, per policy, that both give the same answer.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

import casbin
import yaml
from casbin.model import Model

from policies.subject import Subject, Target

# The record actions and system actions archief asks about.
RECORD_ACTIONS = ("read", "download", "write", "move", "publish")
SYSTEM_ACTIONS = (
    "beleid_lezen",
    "beleid_beheren",
    "audit_lezen",
    "intake_volgen",
    "reconstrueren",
    "machtiging_verlenen",
    "bewaren_beheren",
    # Destruction (Archiefbesluit art. 8): proposing and executing a list is
    # the archivist's; reviewing is for the roles bewaring.vernietiging names.
    "vernietiging_voorstellen",
    "vernietiging_beoordelen",
    # Transfer to the archive repository (overbrenging).
    "overbrengen",
    # The besluitnota workflow: each paraaf and decision step is a role's.
    "paraaf_ad",
    "paraaf_portefeuillehouder",
    "paraaf_gemeentesecretaris",
    "collegebesluit_vastleggen",
    "raadsbesluit_vastleggen",
    "besluit_publiceren",
)
ROLLEN = (
    "medewerker",
    "leidinggevende",
    "collegelid",
    "gemeentesecretaris",
    "raadslid",
    "griffie",
    "publiek",
    "archivaris",
    "ombudsman",
    "beheerder",
    "systeem",
)
BEREIK = ("alle", "dienst", "afdeling")
VERTROUWELIJKHEID = (
    "openbaar",
    "beperkt_openbaar",
    "intern",
    "zaakvertrouwelijk",
    "vertrouwelijk",
    "confidentieel",
    "geheim",
    "zeer_geheim",
)
# The public layer: what is marked publicabel. Publishing moves a record here.
OPENBAAR = "openbaar"

# The one matcher `grants` knows how to compile (whitespace-insensitive).
SUPPORTED_MATCHER = (
    'p.rol in r.sub.rollen && r.obj.laag == p.laag && r.act == p.act && (p.bereik == "alle" '
    '|| (p.bereik == "dienst" && r.obj.dienst == r.sub.dienst) || (p.bereik == "afdeling" '
    "&& r.obj.afdeling == r.sub.afdeling))"
)
SUPPORTED_SYSTEM_MATCHER = "p2.rol in r2.sub.rollen && r2.act == p2.act"
# Decisions one policy version remembers. A key is a combination of roles,
# afdeling, dienst, layer and act, so an organisation fills only a few
# thousand; the bound keeps a flood of odd ones from growing the process.
DECISIONS_KEPT = 16384


class PolicyError(ValueError):
    """A policy file that cannot be loaded; `problems` lists every finding."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class Laag:
    code: str
    naam: str
    omschrijving: str
    vertrouwelijkheid: str


@dataclass(frozen=True, slots=True)
class Rule:
    rol: str
    bereik: str
    laag: str
    act: str

    def __str__(self) -> str:
        return f"p, {self.rol}, {self.bereik}, {self.laag}, {self.act}"


@dataclass(frozen=True, slots=True)
class Grant:
    """One slice a subject may act on: these layers, within this afdeling or dienst (or all)."""

    lagen: frozenset[str]
    afdeling: str | None = None
    dienst: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    rule: Rule | None = None
    near_misses: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class PolicyTexts:
    """The three files of one policy version, as text (how the catalog stores them)."""

    model: str
    regels: str
    lagen: str

    @property
    def sha256(self) -> str:
        h = hashlib.sha256()
        for part in (self.model, self.regels, self.lagen):
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()

    @classmethod
    def default(cls) -> PolicyTexts:
        files = resources.files("policies")
        return cls(
            model=files.joinpath("model.conf").read_text(encoding="utf-8"),
            regels=files.joinpath("beleid.csv").read_text(encoding="utf-8"),
            lagen=files.joinpath("lagen.yaml").read_text(encoding="utf-8"),
        )


def _normalise(matcher: str) -> str:
    # casbin stores `r.sub` as `r_sub`; compare in that form, without spaces.
    return re.sub(r"\s+", "", re.sub(r"\b([rp]2?)\.", r"\1_", matcher))


def parse_lagen(text: str) -> list[Laag]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError([f"lagen: not valid YAML: {exc}"]) from exc
    items = data.get("lagen") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise PolicyError(["lagen: expected a non-empty list under `lagen:`"])
    problems: list[str] = []
    lagen: list[Laag] = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            problems.append(f"lagen #{i}: needs at least a `code`")
            continue
        vertrouwelijkheid = str(item.get("vertrouwelijkheid", ""))
        if vertrouwelijkheid not in VERTROUWELIJKHEID:
            problems.append(
                f"laag {item['code']}: vertrouwelijkheid {vertrouwelijkheid!r} is not one of "
                + ", ".join(VERTROUWELIJKHEID)
            )
        lagen.append(
            Laag(
                code=item["code"],
                naam=str(item.get("naam", item["code"])),
                omschrijving=str(item.get("omschrijving", "")),
                vertrouwelijkheid=vertrouwelijkheid,
            )
        )
    codes = [laag.code for laag in lagen]
    if len(set(codes)) != len(codes):
        problems.append("lagen: layer codes must be unique")
    if OPENBAAR not in codes:
        problems.append(f"lagen: the public layer {OPENBAAR!r} must exist")
    if problems:
        raise PolicyError(problems)
    return lagen


def parse_regels(text: str, lagen: Iterable[str]) -> tuple[list[Rule], list[tuple[str, str]]]:
    """The record rules and system rules of beleid.csv, or every problem found."""
    known_lagen = set(lagen)
    rules: list[Rule] = []
    system: list[tuple[str, str]] = []
    problems: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in next(csv.reader(io.StringIO(line)))]
        kind, args = fields[0], fields[1:]
        where = f"line {lineno}"
        if kind == "p" and len(args) == 4:
            rol, bereik, laag, act = args
            for value, allowed, what in (
                (rol, ROLLEN, "role"),
                (bereik, BEREIK, "bereik"),
                (laag, sorted(known_lagen), "layer"),
                (act, RECORD_ACTIONS, "action"),
            ):
                if value not in allowed:
                    problems.append(
                        f"{where}: unknown {what} {value!r} (known: {', '.join(allowed)})"
                    )
            rules.append(Rule(rol, bereik, laag, act))
        elif kind == "p2" and len(args) == 2:
            rol, act = args
            if rol not in ROLLEN:
                problems.append(f"{where}: unknown role {rol!r}")
            if act not in SYSTEM_ACTIONS:
                problems.append(
                    f"{where}: unknown system action {act!r} (known: {', '.join(SYSTEM_ACTIONS)})"
                )
            system.append((rol, act))
        else:
            problems.append(
                f"{where}: expected `p, rol, bereik, laag, actie` or `p2, rol, actie`, got {line!r}"
            )
    if problems:
        raise PolicyError(problems)
    return rules, system


def _model(text: str) -> Model:
    model = Model()
    try:
        model.load_model_from_text(text)
        matchers = {key: ast.value for key, ast in model["m"].items()}
    except Exception as exc:  # casbin raises bare errors on bad models
        raise PolicyError([f"model: cannot be loaded: {exc}"]) from exc
    problems = []
    if _normalise(matchers.get("m", "")) != _normalise(SUPPORTED_MATCHER):
        problems.append(
            "model: the matcher `m` differs from the one archief compiles into search filters; "
            "edit the rules in beleid.csv, not the model"
        )
    if _normalise(matchers.get("m2", "")) != _normalise(SUPPORTED_SYSTEM_MATCHER):
        problems.append("model: the matcher `m2` differs from the supported one")
    if problems:
        raise PolicyError(problems)
    return model


class Policy:
    """One loaded policy version. Thread-safe: casbin's enforcer is only read."""

    def __init__(self, texts: PolicyTexts, *, versie: int | None = None) -> None:
        self.texts = texts
        self.versie = versie
        self.lagen = parse_lagen(texts.lagen)
        self.rules, self.system_rules = parse_regels(texts.regels, self.laag_codes)
        self._enforcer = casbin.Enforcer(_model(texts.model))
        # Rules are added through the API, not a file adapter: the catalog
        # is the store, and a file path never reaches casbin.
        if self.rules:
            self._enforcer.add_named_policies(
                "p", [[r.rol, r.bereik, r.laag, r.act] for r in self.rules]
            )
        if self.system_rules:
            self._enforcer.add_named_policies("p2", [list(r) for r in self.system_rules])
        self._system_context = self._enforcer.new_enforce_context("2")
        # casbin evaluates the matcher against every rule in Python: about
        # 5 ms a decision with the shipped rules, and each API call and each
        # upload asks one or two. The matchers are fixed (see _model), so a
        # decision depends only on what they read, and this version keeps it.
        # A new policy version is a new Policy, with nothing remembered.
        self._decide = functools.lru_cache(maxsize=DECISIONS_KEPT)(self._casbin_decides)
        self._decide_system = functools.lru_cache(maxsize=DECISIONS_KEPT)(self._casbin_allows)
        self._lock = threading.Lock()
        # How often `grants` ran: bench/search.py shows it is once per request.
        self.resolutions = 0

    @classmethod
    def default(cls) -> Policy:
        return cls(PolicyTexts.default())

    @property
    def laag_codes(self) -> list[str]:
        return [laag.code for laag in self.lagen]

    @property
    def sha256(self) -> str:
        return self.texts.sha256

    def laag(self, code: str) -> Laag | None:
        return next((laag for laag in self.lagen if laag.code == code), None)

    # -- decisions -------------------------------------------------------

    def enforce(self, subject: Subject, target: Target, act: str) -> bool:
        # The key is what SUPPORTED_MATCHER reads of the subject: never its id or name.
        return self._decide(tuple(subject.rollen), subject.afdeling, subject.dienst, target, act)

    def allows(self, subject: Subject, act: str) -> bool:
        """A system action, not about one record (managing policy, reading the audit trail)."""
        return self._decide_system(tuple(subject.rollen), act)

    def _casbin_decides(
        self,
        rollen: tuple[str, ...],
        afdeling: str | None,
        dienst: str | None,
        target: Target,
        act: str,
    ) -> bool:
        subject = Subject(id="", rollen=rollen, afdeling=afdeling, dienst=dienst)
        return bool(self._enforcer.enforce(subject, target, act))

    def _casbin_allows(self, rollen: tuple[str, ...], act: str) -> bool:
        subject = Subject(id="", rollen=rollen)
        return bool(self._enforcer.enforce(self._system_context, subject, act))

    def grants(self, subject: Subject, act: str = "read") -> list[Grant]:
        """Everything `subject` may `act` on, as slices: the one policy resolution of a request.

        This reads the rules the casbin matcher reads, with the matcher's
        logic; `policies.check` verifies the two agree for every rule.
        """
        with self._lock:
            self.resolutions += 1
        by_bereik: dict[str, set[str]] = {b: set() for b in BEREIK}
        for rule in self.rules:
            if rule.act == act and rule.rol in subject.rollen:
                by_bereik[rule.bereik].add(rule.laag)
        grants = []
        if by_bereik["alle"]:
            grants.append(Grant(frozenset(by_bereik["alle"])))
        # A subject outside the organisation (no afdeling, no dienst) has no
        # own afdeling or dienst, so those rules give it nothing.
        if by_bereik["dienst"] and subject.dienst:
            grants.append(Grant(frozenset(by_bereik["dienst"]), dienst=subject.dienst))
        if by_bereik["afdeling"] and subject.afdeling:
            grants.append(Grant(frozenset(by_bereik["afdeling"]), afdeling=subject.afdeling))
        return grants

    def explain(self, subject: Subject, target: Target, act: str) -> Decision:
        """Why `subject` may or may not `act` on a record at `target`, in words."""
        allowed, matched = self._enforcer.enforce_ex(subject, target, act)
        if allowed:
            rule = Rule(*matched)
            return Decision(True, f"allowed by rule `{rule}`", rule)
        misses = []
        for rule in self.rules:
            if rule.rol not in subject.rollen or rule.act != act:
                continue
            if rule.laag != target.laag:
                continue
            if rule.bereik == "dienst":
                misses.append(
                    f"`{rule}` needs the record's dienst ({target.dienst}) to be yours "
                    f"({subject.dienst or 'none'})"
                )
            elif rule.bereik == "afdeling":
                misses.append(
                    f"`{rule}` needs the record's afdeling ({target.afdeling}) to be yours "
                    f"({subject.afdeling or 'none'})"
                )
        if misses:
            reason = "denied: no rule matches; closest: " + "; ".join(misses)
        else:
            rollen = ", ".join(subject.rollen) or "none"
            reason = f"denied: no rule lets roles ({rollen}) {act} in layer {target.laag!r}"
        return Decision(False, reason, None, tuple(misses))

    # -- introspection for check and docs ---------------------------------

    def matrix(self, act: str = "read") -> Mapping[str, Mapping[str, list[str]]]:
        """role -> layer -> reaches (alle/dienst/afdeling) for one action."""
        out: dict[str, dict[str, list[str]]] = {}
        for rule in self.rules:
            if rule.act == act:
                out.setdefault(rule.rol, {}).setdefault(rule.laag, []).append(rule.bereik)
        return out
