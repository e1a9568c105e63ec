# SPDX-License-Identifier: EUPL-1.2
"""The policy package on its own: loading, checking, explaining, compiling."""

from __future__ import annotations

import dataclasses

import pytest

from policies.check import check, covers
from policies.compile import MATCH_NONE, search_filter
from policies.engine import Grant, Policy, PolicyError, PolicyTexts
from policies.subject import ANONIEM, Subject, Target

DEFAULT = PolicyTexts.default()


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy(DEFAULT)


def test_the_default_policy_passes_its_own_check() -> None:
    report = check(DEFAULT)
    assert report.ok, report.problems
    # 11 roles x 4 standings x 5 actions x 6 layers
    assert report.decisions_compared == 1320


def test_the_seed_paragraph_in_the_default_policy(policy: Policy) -> None:
    werk = Target("afdeling", "wijkzaken", "stadsbeheer")
    collega = Subject("c", ("medewerker",), "wijkzaken", "stadsbeheer")
    elders = Subject("e", ("medewerker",), "onderwijs", "ocsw")
    chef = Subject("l", ("leidinggevende",), "openbare-ruimte", "stadsbeheer")
    raad = Subject("r", ("raadslid",))
    assert policy.enforce(collega, werk, "read")
    assert not policy.enforce(elders, werk, "read")
    assert policy.enforce(chef, werk, "read")  # same dienst, other afdeling
    assert not policy.enforce(raad, werk, "read")
    assert policy.enforce(elders, dataclasses.replace(werk, laag="organisatie"), "read")
    assert policy.enforce(raad, dataclasses.replace(werk, laag="raad"), "read")
    assert not policy.enforce(ANONIEM, dataclasses.replace(werk, laag="raad"), "read")
    assert policy.enforce(ANONIEM, dataclasses.replace(werk, laag="openbaar"), "read")
    assert policy.allows(Subject("b", ("beheerder",)), "beleid_beheren")
    assert not policy.allows(collega, "beleid_beheren")


def test_grants_compile_to_one_filter(policy: Policy) -> None:
    collega = Subject("c", ("medewerker",), "wijkzaken", "stadsbeheer")
    before = policy.resolutions
    grants = policy.grants(collega)
    assert policy.resolutions == before + 1
    query = search_filter(grants)
    should = query["bool"]["should"]
    assert {"terms": {"layer": ["openbaar", "organisatie", "raad"]}} in should
    assert {
        "bool": {
            "filter": [
                {"terms": {"layer": ["afdeling", "college"]}},
                {"term": {"afdeling": "wijkzaken"}},
            ]
        }
    } in should
    assert search_filter(policy.grants(ANONIEM)) == {"terms": {"layer": ["openbaar"]}}
    assert search_filter([]) == MATCH_NONE
    assert search_filter(policy.grants(Subject("x", ()))) == MATCH_NONE


def test_a_subject_outside_the_organisation_gets_no_scoped_grants(policy: Policy) -> None:
    zwever = Subject("z", ("medewerker", "leidinggevende"))
    grants = policy.grants(zwever)
    assert all(g.afdeling is None and g.dienst is None for g in grants)
    assert not covers(grants, Target("afdeling", "wijkzaken", "stadsbeheer"))


def test_explain_names_the_rule_or_the_near_miss(policy: Policy) -> None:
    collega = Subject("c", ("medewerker",), "wijkzaken", "stadsbeheer")
    yes = policy.explain(collega, Target("afdeling", "wijkzaken", "stadsbeheer"), "read")
    assert yes.allowed
    assert str(yes.rule) == "p, medewerker, afdeling, afdeling, read"
    no = policy.explain(collega, Target("afdeling", "onderwijs", "ocsw"), "read")
    assert not no.allowed
    assert "afdeling (onderwijs) to be yours (wijkzaken)" in no.reason
    never = policy.explain(collega, Target("leiding", "wijkzaken", "stadsbeheer"), "read")
    assert "no rule lets roles (medewerker) read in layer 'leiding'" in never.reason


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: dataclasses.replace(t, regels="p, koning, alle, openbaar, read\n"), "role"),
        (lambda t: dataclasses.replace(t, regels="p, publiek, overal, openbaar, read\n"), "bereik"),
        (lambda t: dataclasses.replace(t, regels="p, publiek, alle, kelder, read\n"), "layer"),
        (lambda t: dataclasses.replace(t, regels="p, publiek, alle, openbaar, lezen\n"), "action"),
        (lambda t: dataclasses.replace(t, regels="p2, beheerder, alles\n"), "system action"),
        (lambda t: dataclasses.replace(t, regels="q, iets\n"), "expected"),
        (lambda t: dataclasses.replace(t, lagen="lagen: []\n"), "non-empty"),
        (lambda t: dataclasses.replace(t, lagen="lagen:\n  - code: intern\n"), "vertrouwelijkheid"),
        (
            lambda t: dataclasses.replace(t, model=t.model.replace(" && r.act == p.act", "")),
            "matcher",
        ),
        (lambda t: dataclasses.replace(t, model="[niks]\n"), "model"),
    ],
)
def test_check_refuses_broken_policies(change: object, expected: str) -> None:
    report = check(change(DEFAULT))  # type: ignore[operator]
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


def test_loading_a_broken_policy_raises_with_all_problems() -> None:
    bad = dataclasses.replace(DEFAULT, regels="p, koning, overal, kelder, lezen\n")
    with pytest.raises(PolicyError) as exc:
        Policy(bad)
    assert len(exc.value.problems) == 4


def test_a_policy_edit_changes_decisions_not_code() -> None:
    more = dataclasses.replace(
        DEFAULT, regels=DEFAULT.regels + "p, raadslid, alle, college, read\n"
    )
    edited = Policy(more)
    assert check(more).ok
    raad = Subject("r", ("raadslid",))
    assert edited.enforce(raad, Target("college", "wijkzaken", "stadsbeheer"), "read")
    assert covers(edited.grants(raad), Target("college", "wijkzaken", "stadsbeheer"))
    assert more.sha256 != DEFAULT.sha256


def test_grant_coverage_is_what_the_filter_means() -> None:
    grants = [Grant(frozenset({"a"})), Grant(frozenset({"b"}), afdeling="x")]
    assert covers(grants, Target("a", "y", "d"))
    assert covers(grants, Target("b", "x", "d"))
    assert not covers(grants, Target("b", "y", "d"))


def _casbin(policy: Policy, subject: Subject, target: Target, act: str) -> bool:
    """casbin's own answer, past the decisions the policy remembers."""
    return bool(policy._enforcer.enforce(subject, target, act))


def test_remembered_decisions_are_casbins_for_every_standing() -> None:
    # One policy answers the whole matrix, target by target, so a remembered
    # decision is asked again for subjects that differ only in roles,
    # afdeling or dienst: a key that left one of them out answers wrongly.
    policy = Policy(DEFAULT)
    standings = [
        ("a1", "d1"),  # same afdeling
        ("a2", "d1"),  # same dienst
        ("a3", "d2"),  # other dienst
        (None, None),  # outside the organisation
    ]
    rollen: list[tuple[str, ...]] = [(r,) for r in sorted({rule.rol for rule in policy.rules})]
    rollen.append(("medewerker", "leidinggevende"))
    answers: dict[tuple[object, ...], bool] = {}
    for laag in policy.laag_codes:
        target = Target(laag, "a1", "d1")
        for act in ("read", "write", "publish"):
            for rol in rollen:
                for afdeling, dienst in standings:
                    subject = Subject(f"s-{afdeling}", rol, afdeling, dienst)
                    answer = policy.enforce(subject, target, act)
                    assert answer is _casbin(policy, subject, target, act), (rol, laag, act)
                    answers[rol, afdeling, dienst, laag, act] = answer
    # The matrix has decisions that turn on the afdeling alone and on the
    # dienst alone; without them this test could not catch a short key.
    assert any(answers[k] != answers[(*k[:1], "a2", "d1", *k[3:])] for k in answers if k[1] == "a1")
    assert any(answers[k] != answers[(*k[:1], "a3", "d2", *k[3:])] for k in answers if k[1] == "a2")


def _counted(policy: Policy, monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """Every request `policy` puts to its casbin enforcer, from now on."""
    asked: list[tuple[object, ...]] = []
    casbin_enforce = policy._enforcer.enforce

    def counting(*request: object) -> bool:
        asked.append(request)
        return bool(casbin_enforce(*request))

    monkeypatch.setattr(policy._enforcer, "enforce", counting)
    return asked


def test_a_decision_is_asked_of_casbin_once_per_policy_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = Policy(DEFAULT)
    asked = _counted(policy, monkeypatch)
    target = Target("afdeling", "wijkzaken", "ruimte")
    anna = Subject("oidc:anna", ("medewerker",), "wijkzaken", "ruimte", naam="Anna")
    bram = Subject("oidc:bram", ("medewerker",), "wijkzaken", "ruimte", naam="Bram")
    first = policy.enforce(anna, target, "read")
    # Another person in the same place with the same roles: the same decision.
    assert policy.enforce(bram, target, "read") is first
    assert len(asked) == 1
    assert policy.allows(anna, "audit_lezen") is policy.allows(bram, "audit_lezen")
    assert len(asked) == 2
    # A new version remembers nothing of the old one: it asks its own casbin.
    newer = Policy(DEFAULT)
    asked_newer = _counted(newer, monkeypatch)
    assert newer.enforce(anna, target, "read") is first
    assert len(asked_newer) == 1
