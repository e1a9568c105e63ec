# SPDX-License-Identifier: EUPL-1.2
"""The audit chain on a real PostgreSQL: append, verify, and every kind of tampering.

Each test gets a catalog and a bucket of its own, so tampering here never
touches the chains other tests verify. Tampering goes around the triggers
the way a database administrator could (`session_replication_role =
replica`); `verify` must still catch it.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from archief.audit.chain import ANCHOR_PREFIX, Actor, anchor, append, verify
from archief.cli import app
from archief.composition import Container
from archief.settings import Settings
from tests.conftest import settings_env

ALICE = Actor("oidc:alice", ("medewerker",))
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _fill(container: Container, n: int) -> list[int]:
    """Append n entries; their sequence numbers (after the seeding's own entries)."""
    seqs = []
    with container.sessions.begin() as session:
        for i in range(1, n + 1):
            entry = append(
                session,
                actor=ALICE,
                actie="record.verplaatst" if i % 2 else "record.geopend",
                object_type="record",
                object_id=f"r-{i}",
                dossier_id="d-1",
                at=START + timedelta(minutes=i, microseconds=i),
                voor={"laag": "afdeling", "titel": f"Besluitnota wijkschouw {i} — ëé"},
                na={"laag": "raad"} if i % 2 else None,
                details={"n": i, "lijst": ["a", None, 3]},
            )
            seqs.append(entry.seq)
    return seqs


def _tamper(container: Container, *statements: str) -> None:
    """Run SQL with the append-only triggers off, as a superuser could."""
    url = container.engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=False) as conn:
        conn.execute("set session_replication_role = replica")
        for statement in statements:
            conn.execute(statement)
        conn.commit()


def _kinds(container: Container) -> list[tuple[int, str]]:
    with container.sessions() as session:
        report = verify(session, container.store)
    return [(p.seq, p.kind) for p in report.problems]


def test_an_untouched_chain_verifies(own: tuple[Container, Settings]) -> None:
    container, _ = own
    seqs = _fill(container, 12)
    with container.sessions() as session:
        report = verify(session, container.store)
    assert report.ok, report.problems
    assert seqs == list(range(seqs[0], seqs[0] + 12))
    assert (report.entries, report.head_seq) == (seqs[-1], seqs[-1])


def test_a_changed_entry_is_caught(own: tuple[Container, Settings]) -> None:
    container, _ = own
    s = _fill(container, 6)
    _tamper(container, f"""update audit set voor = '{{"laag": "openbaar"}}' where seq = {s[2]}""")
    assert _kinds(container) == [(s[2], "changed")]


def test_a_changed_actor_or_time_is_caught(own: tuple[Container, Settings]) -> None:
    container, _ = own
    s = _fill(container, 6)
    _tamper(
        container,
        f"update audit set actor = 'oidc:bob' where seq = {s[1]}",
        f"update audit set at = at + interval '1 second' where seq = {s[4]}",
    )
    assert _kinds(container) == [(s[1], "changed"), (s[4], "changed")]


def test_a_deleted_entry_is_caught(own: tuple[Container, Settings]) -> None:
    container, _ = own
    s = _fill(container, 6)
    _tamper(container, f"delete from audit where seq = {s[3]}")
    kinds = _kinds(container)
    assert (s[4], "missing") in kinds
    assert all(seq == s[4] for seq, _ in kinds), kinds


def test_reordered_entries_are_caught(own: tuple[Container, Settings]) -> None:
    container, _ = own
    s = _fill(container, 6)
    # Swap two entries' positions in the sequence, hashes and all.
    _tamper(
        container,
        f"update audit set seq = -1 where seq = {s[1]}",
        f"update audit set seq = {s[1]} where seq = {s[2]}",
        f"update audit set seq = {s[2]} where seq = -1",
    )
    kinds = _kinds(container)
    assert {seq for seq, _ in kinds} >= {s[1], s[2]}
    assert "reordered" in {kind for _, kind in kinds}


def test_a_rewritten_tail_is_caught_by_the_anchor(own: tuple[Container, Settings]) -> None:
    container, _ = own
    s = _fill(container, 8)
    with container.sessions() as session:
        anchor(session, container.store, START + timedelta(days=1))
    assert any(container.store.list_keys(ANCHOR_PREFIX))
    # Remove the two newest entries and rewind the head: the chain itself
    # is consistent again, only the anchor remembers.
    _tamper(
        container,
        f"delete from audit where seq > {s[5]}",
        f"update audit_kop set seq = {s[5]}, hash = (select hash from audit where seq = {s[5]})",
    )
    with container.sessions() as session:
        assert verify(session).ok  # without the anchors it cannot tell
    assert _kinds(container) == [(s[7], "anchor")]


def test_a_dropped_last_entry_is_caught_by_the_head(own: tuple[Container, Settings]) -> None:
    container, _ = own
    s = _fill(container, 5)
    _tamper(container, f"delete from audit where seq = {s[4]}")
    assert _kinds(container) == [(s[4], "head")]


def test_the_database_refuses_to_rewrite_history(own: tuple[Container, Settings]) -> None:
    container, _ = own
    s = _fill(container, 2)
    for statement in (
        f"update audit set actor = 'x' where seq = {s[0]}",
        f"delete from audit where seq = {s[1]}",
        "truncate audit_kop, audit",
        "update record_versie set titel = 'x'",
        "delete from besluit_stap",
    ):
        with pytest.raises(DBAPIError, match="append-only"), container.engine.begin() as conn:
            conn.execute(text(statement))
    with container.sessions() as session:
        assert verify(session).entries == s[1]


def test_concurrent_appends_form_one_line(own: tuple[Container, Settings]) -> None:
    container, _ = own
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        try:
            for i in range(15):
                with container.sessions.begin() as session:
                    append(
                        session,
                        actor=Actor(f"oidc:w{w}"),
                        actie="record.geopend",
                        object_type="record",
                        object_id=f"r-{w}-{i}",
                        at=datetime.now(UTC),
                    )
        except BaseException as exc:  # noqa: BLE001  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with container.sessions() as session:
        report = verify(session)
        seqs = list(session.scalars(text("select seq from audit order by seq")))
    assert report.ok, report.problems
    assert seqs == list(range(1, report.head_seq + 1))
    assert len([s for s in seqs if s > 1]) >= 60


def test_cli_verify_exits_1_on_tampering_and_anchors_when_clean(
    own: tuple[Container, Settings],
) -> None:
    container, mine = own
    s = _fill(container, 4)
    env = settings_env(mine)
    runner = CliRunner()
    clean = runner.invoke(app, ["audit", "verify"], env=env)
    assert clean.exit_code == 0, clean.output
    assert f"{s[-1]} entries" in clean.output
    assert "anchored head" in clean.output
    assert sum(1 for _ in container.store.list_keys(ANCHOR_PREFIX)) == 1
    _tamper(container, f"update audit set object_id = 'r-99' where seq = {s[1]}")
    broken = runner.invoke(app, ["audit", "verify"], env=env)
    assert broken.exit_code == 1
    assert f"entry {s[1]}: changed" in broken.output
    shown = runner.invoke(app, ["audit", "toon", "--last", "3", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "audit.geverifieerd" in shown.output
