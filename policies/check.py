# SPDX-License-Identifier: EUPL-1.2
"""Validate a policy before it goes live: `archief policy check FILE`.

Loading catches syntax, unknown roles, layers and actions, and a changed
matcher. Then every rule is put to both deciders: casbin's `enforce`, and the
grants that become search filters. For each role, layer, action and way a
subject can stand to a record (same afdeling, same dienst, elsewhere, outside
the organisation) they must agree; a policy where they do not is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from policies.engine import RECORD_ACTIONS, ROLLEN, Grant, Policy, PolicyError, PolicyTexts
from policies.subject import Subject, Target


@dataclass(frozen=True, slots=True)
class CheckReport:
    ok: bool
    problems: list[str]
    decisions_compared: int
    policy: Policy | None


def covers(grants: list[Grant], target: Target) -> bool:
    """What the compiled filter decides for one record, evaluated in Python."""
    return any(
        target.laag in g.lagen
        and (g.afdeling is None or g.afdeling == target.afdeling)
        and (g.dienst is None or g.dienst == target.dienst)
        for g in grants
    )


def _standings(rol: str) -> Iterator[tuple[str, Subject]]:
    yield "same afdeling", Subject("check", (rol,), "a1", "d1")
    yield "same dienst", Subject("check", (rol,), "a2", "d1")
    yield "other dienst", Subject("check", (rol,), "a3", "d2")
    yield "outside the organisation", Subject("check", (rol,))


def compare(policy: Policy) -> tuple[int, list[str]]:
    """enforce vs the compiled grants, for every role, layer, action and standing."""
    problems = []
    compared = 0
    for rol in ROLLEN:
        for standing, subject in _standings(rol):
            for act in RECORD_ACTIONS:
                grants = policy.grants(subject, act)
                for laag in policy.laag_codes:
                    target = Target(laag, "a1", "d1")
                    compared += 1
                    by_casbin = policy.enforce(subject, target, act)
                    if by_casbin != covers(grants, target):
                        problems.append(
                            f"{rol} ({standing}) {act} {laag}: casbin says {by_casbin}, "
                            "the search filter says the opposite"
                        )
    return compared, problems


def check(texts: PolicyTexts) -> CheckReport:
    try:
        policy = Policy(texts)
    except PolicyError as exc:
        return CheckReport(False, exc.problems, 0, None)
    compared, problems = compare(policy)
    return CheckReport(not problems, problems, compared, policy)
