# SPDX-License-Identifier: EUPL-1.2
"""Every hostile file gets a clear outcome, is quarantined if it fails, and the batch goes on."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from archief.catalog.models import Content, IngestItem
from archief.composition import Container
from archief.intake.schemas import effective_status
from archief.intake.service import ensure_dossier
from tests.ingest.hostile import write_corpus


def test_hostile_corpus_outcomes(eager: Container, tmp_path: Path) -> None:
    cases = write_corpus(tmp_path)
    assert len(cases) >= 30
    dossier = ensure_dossier(
        eager.sessions, eager.clock, kenmerk="T-HOSTILE", titel="h", afdeling="wijkzaken"
    )
    items = {}
    for case in cases:
        with case.path.open("rb") as f:
            items[case.name] = eager.intake.receive(
                f, name=case.display_name or case.path.name, dossier_id=dossier.id, laag="afdeling"
            )
    wrong = []
    with eager.sessions() as session:
        for case in cases:
            item = session.get(IngestItem, items[case.name].id)
            assert item is not None, f"{case.name}: the item was lost"
            content = session.get(Content, item.sha256) if item.sha256 else None
            status, code, reason = effective_status(item, content)
            outcome = "indexed" if status in ("indexed", "duplicate") else code
            if outcome not in case.expect:
                wrong.append(
                    f"{case.name}: {status}/{code} ({reason}), expected {sorted(case.expect)}"
                )
            if status == "failed":
                assert reason, f"{case.name}: failed without a reason"
                if content is not None and code != "internal_error":
                    assert content.quarantined, f"{case.name}: failed but not quarantined"
            name = item.display_name
            assert "/" not in name and "\\" not in name
            assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name), case.name
            assert unicodedata.normalize("NFC", name) == name
            assert len(name.encode()) <= 255
    assert not wrong, "\n".join(wrong)
