# SPDX-License-Identifier: EUPL-1.2
"""Every hostile file gets a clear outcome, is quarantined if it fails, and the batch goes on."""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from archief.catalog.models import Content, IngestItem
from archief.composition import Container, build_container
from archief.intake import bulk
from archief.intake.schemas import effective_status
from archief.intake.service import ensure_dossier
from archief.settings import Settings
from ingest.sandbox import JSONable, Sandbox
from tests.ingest.hostile import HostileCase, write_corpus


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
    assert not _wrong(eager, cases, {name: item.id for name, item in items.items()})


def test_hostile_corpus_read_in_batches(
    own: tuple[Container, Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same outcomes when the corpus goes in batches, read in shared sandbox children."""
    # A catalog and bucket of its own: the test above stored the same bytes,
    # and a duplicate is not read again.
    _, mine = own
    eager_settings = mine.model_copy(
        update={"queue": mine.queue.model_copy(update={"broker_url": None})}
    )
    with contextlib.closing(build_container(eager_settings)) as eager:
        _check_batches(eager, tmp_path, monkeypatch)


def _check_batches(eager: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eager.settings.ingest, "hand_on_batch", 64)
    # Never due by time: the batches are cut by size and by the end of the run.
    monkeypatch.setattr(eager.settings.ingest, "hand_on_linger_seconds", 3600.0)
    shared: list[int] = []
    run_each = Sandbox.run_each

    def spy(self: Sandbox, target: str, jobs: Sequence[Sequence[JSONable]], **kw: Any) -> Any:
        shared.append(len(jobs))
        return run_each(self, target, jobs, **kw)

    monkeypatch.setattr(Sandbox, "run_each", spy)
    cases = write_corpus(tmp_path)
    dossier = ensure_dossier(
        eager.sessions, eager.clock, kenmerk="T-HOSTILE-BATCH", titel="h", afdeling="wijkzaken"
    )
    items: dict[Path, IngestItem | None] = {}
    bulk.ingest_paths(
        eager,
        [case.path for case in cases],
        dossier_id=dossier.id,
        laag="afdeling",
        on_file=items.__setitem__,
    )
    # Most of the corpus was read several files to a child.
    assert sum(n for n in shared if n > 1) >= len(cases) // 2
    ids = {}
    for case in cases:
        item = items[case.path]
        assert item is not None, f"{case.name}: the item was lost"
        ids[case.name] = item.id
    assert not _wrong(eager, cases, ids, names=False)


def _wrong(
    eager: Container, cases: list[HostileCase], item_ids: dict[str, str], *, names: bool = True
) -> str:
    """What went other than expected, a line a case; empty when every outcome is right."""
    wrong = []
    with eager.sessions() as session:
        for case in cases:
            item = session.get(IngestItem, item_ids[case.name])
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
            if not names:
                continue
            name = item.display_name
            assert "/" not in name and "\\" not in name
            assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name), case.name
            assert unicodedata.normalize("NFC", name) == name
            assert len(name.encode()) <= 255
    return "\n".join(wrong)
