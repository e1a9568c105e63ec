# SPDX-License-Identifier: EUPL-1.2
"""A backlog is catalogued a group at a time, and a group says what each file alone would.

`archief ingest` stores each file's original, then catalogs a group of them
in one transaction (`Intake.catalog`): the contents, records, versions,
audit entries and items of all. These tests pin that a group gives every
file the verdict it gets alone (stored, duplicate, failed), that the audit
chain still holds one linked entry per record in file order, and that a
group whose transaction fails leaves nothing half done: each file is then
catalogued alone. On the real catalog, store, sandbox and index, tasks inline.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from archief.audit.chain import entry_hash
from archief.bewaring import blokkade
from archief.catalog.models import AuditEntry, IngestItem, Record, RecordVersie
from archief.composition import Container
from archief.intake import batches, bulk, service
from archief.intake.service import Intake, Ontvangen, ensure_dossier
from archief.ports import TASK_EXTRACT, TASK_EXTRACT_BATCH
from tests.ingest.hostile import text_pdf
from tests.ingest.zoeken import hit_records

SIZE = 4


@pytest.fixture
def groups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every group catalogued together, in order."""
    seen: list[int] = []
    together = Intake._catalog_together

    def spy(self: Intake, received: Sequence[Ontvangen]) -> object:
        seen.append(len(received))
        return together(self, received)

    monkeypatch.setattr(Intake, "_catalog_together", spy)
    return seen


@pytest.fixture
def extracts(eager: Container, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every content handed on to be read, once per hand-on."""
    seen: list[str] = []
    enqueue = eager.queue.enqueue

    def spy(task: str, *args: str) -> None:
        if task in (TASK_EXTRACT, TASK_EXTRACT_BATCH):
            seen.extend(args)
        enqueue(task, *args)

    monkeypatch.setattr(eager.queue, "enqueue", spy)
    return seen


@pytest.fixture
def in_fours(eager: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups of four, cut by size only (no spreading at the end, no linger)."""
    monkeypatch.setattr(eager.settings.ingest, "hand_on_batch", SIZE)
    monkeypatch.setattr(eager.settings.ingest, "hand_on_linger_seconds", 3600.0)
    monkeypatch.setattr(batches, "SPREAD", 1)


def _dossier(c: Container) -> str:
    kenmerk = f"T-GROEP-{uuid.uuid4().hex[:8]}"
    return ensure_dossier(
        c.sessions, c.clock, kenmerk=kenmerk, titel=kenmerk, afdeling="wijkzaken"
    ).id


def _backlog(directory: Path) -> tuple[list[Path], dict[str, str]]:
    """Nine files, sorted: two pairs of identical bytes, an empty file, a file of no known type.

    Each pair's second file lands in the same group of four as its first
    (`tweeling-a`) or in the next group (`tweeling-b`). The words are by name.
    """
    words = {name: f"wilg{uuid.uuid4().hex[:8]}" for name in ("a", "b", "c", "d")}
    brief_a = text_pdf([f"Brief over de {words['a']}"])
    brief_b = text_pdf([f"Brief over de {words['b']}"])
    bodies = {
        "01-brief-a.pdf": brief_a,
        "02-leeg.pdf": b"",
        "03-brief-b.pdf": brief_b,
        "04-tweeling-a.pdf": brief_a,
        "05-onbekend.pdf": b"\x00\x01 geen bekend formaat " + uuid.uuid4().bytes,
        "06-brief-c.pdf": text_pdf([f"Brief over de {words['c']}"]),
        "07-tweeling-b.pdf": brief_b,
        "08-brief-d.pdf": text_pdf([f"Brief over de {words['d']}"]),
        "09-brief-e.pdf": text_pdf([f"Verslag {uuid.uuid4().hex}"]),
    }
    paths = []
    for name, body in bodies.items():
        path = directory / name
        path.write_bytes(body)
        paths.append(path)
    return paths, {f"brief-{k}": v for k, v in words.items()}


def _records(c: Container, ids: Iterable[str]) -> dict[str, Record]:
    with c.sessions() as s:
        return {r.id: r for r in s.scalars(select(Record).where(Record.id.in_(list(ids))))}


def _created_entries(c: Container, record_ids: Sequence[str]) -> list[AuditEntry]:
    with c.sessions() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.actie == "record.aangemaakt",
                    AuditEntry.object_id.in_(list(record_ids)),
                )
                .order_by(AuditEntry.seq)
            )
        )


def _check_outcomes(c: Container, summary: bulk.Summary, words: dict[str, str]) -> list[str]:
    """Each file's verdict as alone; the new records' ids in file order."""
    outcomes = {
        name: (status, code) for name, status, code, _ in bulk.outcomes(c, summary.item_ids)
    }
    assert outcomes == {
        "01-brief-a.pdf": ("indexed", None),
        "02-leeg.pdf": ("failed", "empty_file"),
        "03-brief-b.pdf": ("indexed", None),
        "04-tweeling-a.pdf": ("duplicate", None),
        "05-onbekend.pdf": ("failed", "unsupported_type"),
        "06-brief-c.pdf": ("indexed", None),
        "07-tweeling-b.pdf": ("duplicate", None),
        "08-brief-d.pdf": ("indexed", None),
        "09-brief-e.pdf": ("indexed", None),
    }, outcomes
    assert (summary.stored, summary.duplicates, len(summary.failed)) == (5, 2, 2)
    with c.sessions() as s:
        items = {
            i.display_name: i
            for i in s.scalars(select(IngestItem).where(IngestItem.id.in_(summary.item_ids)))
        }
    # A twin points at the record of the bytes it repeats.
    assert items["04-tweeling-a.pdf"].record_id == items["01-brief-a.pdf"].record_id
    assert items["07-tweeling-b.pdf"].record_id == items["03-brief-b.pdf"].record_id
    for name, word in words.items():
        assert len(hit_records(c, word)) == 1, name
    # The file of no known type is kept (quarantined) under a record of its own.
    order = ["01", "03", "05", "06", "08", "09"]
    by_prefix = {name[:2]: item for name, item in items.items()}
    ids = [by_prefix[n].record_id for n in order]
    assert all(ids) and len(set(ids)) == len(ids)
    return [i for i in ids if i is not None]


def _check_history(c: Container, record_ids: list[str]) -> None:
    """Version 1 and one linked `record.aangemaakt` entry per record, in file order."""
    records = _records(c, record_ids)
    assert {r.versie for r in records.values()} == {1}
    with c.sessions() as s:
        versions = s.scalars(
            select(RecordVersie.record_id).where(RecordVersie.record_id.in_(record_ids))
        ).all()
    assert sorted(versions) == sorted(record_ids)
    entries = _created_entries(c, record_ids)
    assert [e.object_id for e in entries] == record_ids
    assert all(e.hash == entry_hash(e) for e in entries)


def test_a_backlog_is_catalogued_a_group_at_a_time(
    eager: Container,
    tmp_path: Path,
    in_fours: None,
    groups: list[int],
    extracts: list[str],
) -> None:
    files, words = _backlog(tmp_path)
    summary = bulk.ingest_paths(eager, files, dossier_id=_dossier(eager), laag="afdeling")

    # The empty file is finished at once: eight stored originals, in fours.
    assert groups == [4, 4]
    record_ids = _check_outcomes(eager, summary, words)
    _check_history(eager, record_ids)
    # Within a group the entries follow each other: one lock of the chain's head.
    entries = _created_entries(eager, record_ids)
    first_group = entries[:3]  # brief-a, brief-b, onbekend
    assert [e.seq for e in first_group] == list(range(first_group[0].seq, first_group[0].seq + 3))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(first_group))
    # Each content is handed on once: tweeling-a shares its twin's group
    # (sent once for both), tweeling-b finds its twin indexed already. The
    # quarantined content is never handed on.
    assert len(extracts) == len(set(extracts)) == 5


def test_a_group_whose_transaction_fails_is_catalogued_file_by_file(
    eager: Container,
    tmp_path: Path,
    in_fours: None,
    groups: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    held = blokkade.held
    broken: list[int] = []

    def fails_for_groups(session: Session, record_ids: Iterable[str]) -> set[str]:
        ids = list(record_ids)
        if len(ids) > 1:
            # Late in the transaction: contents, records and entries are written by now.
            broken.append(len(ids))
            raise RuntimeError("the group's hold check broke")
        return held(session, ids)

    monkeypatch.setattr(service, "held", fails_for_groups)
    files, words = _backlog(tmp_path)
    summary = bulk.ingest_paths(eager, files, dossier_id=_dossier(eager), laag="afdeling")

    # Both groups were tried together, failed, and were catalogued file by file.
    assert broken == [3, 3]
    assert groups == [4, 1, 1, 1, 1, 4, 1, 1, 1, 1]
    # Nothing of a failed group stays: one record and one entry per file, as alone.
    record_ids = _check_outcomes(eager, summary, words)
    _check_history(eager, record_ids)
