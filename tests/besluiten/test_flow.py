# SPDX-License-Identifier: EUPL-1.2
"""The workflow table itself: consistent, and in step with the shipped policy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from archief.audit.chain import SYSTEEM
from archief.besluiten import flow
from archief.catalog import db
from archief.settings import DatabaseSettings
from archief.toegang import beleid
from policies.check import check
from policies.engine import ROLLEN, Policy, PolicyTexts
from policies.subject import Subject


def test_the_table_fits_the_default_policy() -> None:
    policy = Policy.default()
    assert flow.problems(policy.laag_codes) == []
    assert flow.problems([c for c in policy.laag_codes if c != "raad"]) == [
        f"step {s.soort}: layer 'raad' is not in the policy"
        for s in flow.STAPPEN
        if s.laag == "raad"
    ]


def test_each_step_belongs_to_the_roles_the_afspraken_name() -> None:
    policy = Policy.default()
    wie = {
        "paraaf_ad": {"leidinggevende"},
        "teruggestuurd": {"leidinggevende", "collegelid"},
        "paraaf_portefeuillehouder": {"collegelid"},
        "paraaf_gemeentesecretaris": {"gemeentesecretaris"},
        "agendering_geweigerd": {"gemeentesecretaris"},
        "collegebesluit": {"collegelid", "gemeentesecretaris"},
        "raadsvoorstel": {"collegelid", "gemeentesecretaris"},
        "raadsbesluit": {"griffie"},
        "publicatie": {"griffie", "gemeentesecretaris"},
        "opgesteld": set(),
    }
    for stap in flow.STAPPEN:
        allowed = {
            rol
            for rol in ROLLEN
            if any(policy.allows(Subject(rol, (rol,)), actie) for actie in stap.acties)
        }
        assert allowed == wie[stap.soort], stap.soort


def test_every_phase_is_reachable_and_replay_follows_the_table() -> None:
    reached, todo = {flow.NIEUW}, [flow.NIEUW]
    while todo:
        fase = todo.pop()
        for stap in flow.STAPPEN:
            if fase in stap.van:
                for naar in stap.naar.values():
                    if naar not in reached:
                        reached.add(naar)
                        todo.append(naar)
    assert reached == set(flow.FASEN)
    assert flow.replay(
        [
            ("opgesteld", None),
            ("paraaf_ad", None),
            ("teruggestuurd", None),
            ("paraaf_ad", None),
            ("paraaf_portefeuillehouder", None),
            ("paraaf_gemeentesecretaris", None),
            ("collegebesluit", "aangehouden"),
            ("collegebesluit", "gewijzigd"),
            ("publicatie", None),
        ]
    ) == [
        "concept",
        "ad",
        "concept",
        "ad",
        "portefeuillehouder",
        "gemeentesecretaris",
        "college_aangehouden",
        "collegebesluit",
        "gepubliceerd",
    ]
    assert flow.volgende(flow.GEPUBLICEERD) == []
    assert flow.volgende(flow.COLLEGEBESLUIT) == ["raadsvoorstel", "publicatie"]


def test_a_policy_without_a_step_layer_is_refused(tmp_path: Path) -> None:
    """Dropping `raad` would hide every council step from everyone: refused at load."""
    default = PolicyTexts.default()
    regels = "\n".join(line for line in default.regels.splitlines() if ", raad," not in line)
    lagen = yaml.safe_load(default.lagen)
    lagen["lagen"] = [laag for laag in lagen["lagen"] if laag["code"] != "raad"]
    texts = PolicyTexts(model=default.model, regels=regels, lagen=yaml.safe_dump(lagen))
    assert check(texts).ok  # on its own, a fine policy
    engine = db.build_engine(DatabaseSettings(url=f"sqlite:///{tmp_path / 'catalog.db'}"))
    db.migrate(engine)
    with Session(engine) as session, pytest.raises(beleid.InvalidPolicy) as refused:
        beleid.store(session, texts, by=SYSTEEM, now=datetime.now(UTC))
    assert "step raadsbesluit: layer 'raad' is not in the policy" in refused.value.extra["problems"]
    engine.dispose()
