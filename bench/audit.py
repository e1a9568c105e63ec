# SPDX-License-Identifier: EUPL-1.2
"""`make bench-audit`: what the audit trail costs, on the real PostgreSQL.

Every read (opening, downloading) appends an entry in its own transaction,
and every append locks the one-row chain head. This prints what that costs
per read, how far it scales when several API workers log at once, and how
fast `archief audit verify` walks a long chain. It runs in a scratch
database `bench_audit_<run>`, removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from archief.audit.chain import Actor, append, verify
from archief.catalog import db
from archief.logging import configure_logging
from archief.settings import DatabaseSettings, load_settings
from bench.search import create_database, drop_database

READER = Actor("oidc:bench", ("medewerker",))


def _one(sessions: sessionmaker[Session], i: int) -> float:
    """One audited read's entry, in its own transaction, as the API writes it."""
    start = time.perf_counter()
    with sessions.begin() as session:
        append(
            session,
            actor=READER,
            actie="record.geopend",
            object_type="record",
            object_id=f"record-{i}",
            dossier_id="dossier-bench",
            at=datetime.now(UTC),
            details={"versie": 1},
        )
    return time.perf_counter() - start


def _threads(sessions: sessionmaker[Session], threads: int, each: int) -> float:
    def work(t: int) -> None:
        for i in range(each):
            _one(sessions, t * each + i)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - start


def _bulk(sessions: sessionmaker[Session], total: int, batch: int = 2000) -> None:
    done = 0
    while done < total:
        with sessions.begin() as session:
            for i in range(min(batch, total - done)):
                append(
                    session,
                    actor=READER,
                    actie="record.gedownload",
                    object_type="record",
                    object_id=f"bulk-{done + i}",
                    dossier_id="dossier-bench",
                    at=datetime.now(UTC),
                    voor={"laag": "afdeling"},
                    na={"laag": "raad"},
                )
        done += batch


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--env-file", type=Path, default=Path("var/archief.env"))
    parser.add_argument("--single", type=int, default=2000, help="appends, one at a time")
    parser.add_argument("--threads", type=int, default=4, help="concurrent appenders")
    parser.add_argument("--chain", type=int, default=100_000, help="chain length to verify")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    stack = load_settings(args.env_file)
    if not stack.database.url.startswith("postgresql"):
        print("audit bench: needs the stack's PostgreSQL (make up)")
        return 2
    name = f"bench_audit_{datetime.now(UTC):%Y%m%d_%H%M%S}"
    url = create_database(stack.database.url, name)
    engine = db.build_engine(DatabaseSettings(url=url))
    try:
        db.migrate(engine)
        sessions = db.session_factory(engine)
        print(f"audit bench on PostgreSQL, {os.cpu_count()} cores, scratch database {name}\n")

        latencies = [_one(sessions, i) for i in range(args.single)]
        ms = sorted(x * 1000 for x in latencies)
        print(
            f"one audited read (own transaction, head lock): p50 {statistics.median(ms):.2f} ms, "
            f"p95 {ms[int(len(ms) * 0.95)]:.2f} ms, {len(ms) / sum(latencies):,.0f} appends/s "
            f"({args.single} appends)"
        )
        each = max(1, args.single // args.threads)
        elapsed = _threads(sessions, args.threads, each)
        print(
            f"{args.threads} concurrent appenders: {args.threads * each / elapsed:,.0f} appends/s "
            f"in total (the head lock makes them one line)"
        )
        with sessions() as session:
            have = verify(session).entries
        _bulk(sessions, max(0, args.chain - have))
        with sessions() as session:
            start = time.perf_counter()
            report = verify(session)
            took = time.perf_counter() - start
        print(
            f"verify: {report.entries:,} entries in {took:.1f} s = "
            f"{report.entries / took:,.0f} entries/s, ok={report.ok}"
        )
        size = (
            engine.connect().exec_driver_sql("select pg_total_relation_size('audit')").scalar_one()
        )
        print(f"trail size: {size / report.entries:,.0f} bytes per entry (table and indexes)")
        return 0 if report.ok else 1
    finally:
        engine.dispose()
        drop_database(stack.database.url, name)


if __name__ == "__main__":
    raise SystemExit(main())
