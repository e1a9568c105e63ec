# SPDX-License-Identifier: EUPL-1.2
"""Fixtures on the real services that deploy/local/up starts.

Each test run gets its own PostgreSQL database, MinIO bucket and
Elasticsearch index prefix, all named `test-…`, and removes them afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from archief.composition import Container, build_container
from archief.settings import Settings, load_settings
from archief.storage.s3 import S3ObjectStore
from search.index import ElasticsearchIndex

ROOT = Path(__file__).resolve().parent.parent
RUN = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def stack_settings() -> Settings:
    """The local stack's settings; fail loudly (never skip) when it is not there."""
    settings = load_settings(ROOT / "var" / "archief.env")
    missing = [
        name
        for name, ok in {
            "PostgreSQL": settings.database.url.startswith("postgresql"),
            "MinIO": settings.objectstore.backend == "s3",
            "Elasticsearch": settings.search.url is not None,
            "Redis": settings.queue.broker_url is not None,
        }.items()
        if not ok
    ]
    if missing:
        pytest.fail(
            f"the tests need the local stack ({', '.join(missing)} not configured): "
            "run `make test`, or `deploy/local/up` first"
        )
    return settings


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_database(stack_url: str, name: str) -> Iterator[str]:
    """Create PostgreSQL database `name` (test_ prefixed), yield its URL, drop it."""
    if not name.startswith("test_"):
        raise RuntimeError(f"refusing to manage non-test database {name}")
    admin = _admin_dsn(stack_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        yield make_url(stack_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def test_database(stack_settings: Settings) -> Iterator[str]:
    """A fresh PostgreSQL database for this run; its SQLAlchemy URL."""
    with scratch_database(stack_settings.database.url, f"test_{RUN}") as url:
        yield url


@pytest.fixture(scope="session")
def settings(stack_settings: Settings, test_database: str) -> Settings:
    """Stack settings pointed at this run's database, bucket and index prefix."""
    return stack_settings.model_copy(
        update={
            "environment": "test",
            "database": stack_settings.database.model_copy(update={"url": test_database}),
            "objectstore": stack_settings.objectstore.model_copy(update={"bucket": f"test-{RUN}"}),
            "search": stack_settings.search.model_copy(update={"index_prefix": f"test-{RUN}"}),
            # Tight sandbox limits keep the hostile-input tests quick.
            "ingest": stack_settings.ingest.model_copy(
                update={"sandbox_cpu_seconds": 15, "sandbox_wall_seconds": 30.0}
            ),
        }
    )


def purge_bucket(store: S3ObjectStore) -> None:
    """Remove every object version and the bucket itself; test buckets only."""
    store.remove_scratch_bucket()


@pytest.fixture(scope="session")
def container(settings: Settings) -> Iterator[Container]:
    """The real adapters on this run's database, bucket and index."""
    c = build_container(settings)
    c.prepare()
    yield c
    if isinstance(c.index, ElasticsearchIndex):
        c.index.drop()
    if isinstance(c.store, S3ObjectStore):
        purge_bucket(c.store)
    c.close()


def settings_env(settings: Settings) -> dict[str, str]:
    """The ARCHIEF_* variables that reproduce these settings in a child process."""
    return {
        "ARCHIEF_DATABASE__URL": settings.database.url,
        "ARCHIEF_OBJECTSTORE__BACKEND": settings.objectstore.backend,
        "ARCHIEF_OBJECTSTORE__ENDPOINT": settings.objectstore.endpoint,
        "ARCHIEF_OBJECTSTORE__ACCESS_KEY": settings.objectstore.access_key,
        "ARCHIEF_OBJECTSTORE__SECRET_KEY": settings.objectstore.secret_key.get_secret_value(),
        "ARCHIEF_OBJECTSTORE__SECURE": str(settings.objectstore.secure).lower(),
        "ARCHIEF_OBJECTSTORE__BUCKET": settings.objectstore.bucket,
        "ARCHIEF_SEARCH__URL": settings.search.url or "",
        "ARCHIEF_SEARCH__INDEX_PREFIX": settings.search.index_prefix,
        # Empty means no broker: the child runs tasks in-process too.
        "ARCHIEF_QUEUE__BROKER_URL": settings.queue.broker_url or "",
        "ARCHIEF_INGEST__SPOOL_DIR": str(settings.ingest.spool_dir),
        "ARCHIEF_INGEST__SANDBOX_CPU_SECONDS": str(settings.ingest.sandbox_cpu_seconds),
        "ARCHIEF_INGEST__SANDBOX_WALL_SECONDS": str(settings.ingest.sandbox_wall_seconds),
        "ARCHIEF_ENV_FILE": "/nonexistent",
    }


@pytest.fixture(scope="session")
def eager_settings(settings: Settings) -> Settings:
    """The test stack with tasks run in-process: the whole pipeline, deterministically."""
    return settings.model_copy(
        update={"queue": settings.queue.model_copy(update={"broker_url": None})}
    )


@pytest.fixture(scope="session")
def eager(eager_settings: Settings, container: Container) -> Iterator[Container]:
    """A container whose queue runs ingest tasks inline (shares the run's stores)."""
    c = build_container(eager_settings)
    yield c
    c.close()


@pytest.fixture
def own(settings: Settings) -> Iterator[tuple[Container, Settings]]:
    """A catalog and bucket of this test's own, migrated, on the real stack.

    For tests that tamper with what they stored (the audit chain, bytes in
    MinIO) and so must never share it with other tests.
    """
    name = uuid.uuid4().hex[:8]
    with scratch_database(settings.database.url, f"test_own_{name}") as url:
        mine = settings.model_copy(
            update={
                "database": settings.database.model_copy(update={"url": url}),
                "objectstore": settings.objectstore.model_copy(
                    update={"bucket": f"{settings.objectstore.bucket}-o{name}"}
                ),
            }
        )
        container = build_container(mine)
        container.migrate()
        assert isinstance(container.store, S3ObjectStore)
        container.store.ensure_bucket()
        yield container, mine
        container.store.remove_scratch_bucket()
        container.close()


def _minio_process(endpoint: str) -> Path | None:
    """/proc/<pid> of the MinIO server listening on `endpoint`."""
    port = endpoint.rsplit(":", 1)[-1]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "server" not in args or not Path(args[0]).name.startswith("minio"):
            continue
        address = args[args.index("--address") + 1] if "--address" in args else ":9000"
        if address.rsplit(":", 1)[-1] == port:
            return cmdline.parent
    return None


def minio_trash_wait(endpoint: str) -> float:
    """Seconds until MinIO has certainly emptied what is in its trash now.

    MinIO removes `.minio.sys/tmp/.trash` every delete_cleanup_interval
    (MINIO_API_DELETE_CLEANUP_INTERVAL; default 5 min). Its first clean-up
    comes 5 minutes after start whatever the setting (the timer is armed
    before the configuration is read), every interval after that.
    """
    proc = _minio_process(endpoint)
    interval, uptime = 300.0, 1e9
    if proc is not None:
        try:
            env = dict(
                item.split("=", 1)
                for item in (proc / "environ").read_bytes().decode(errors="replace").split("\0")
                if "=" in item
            )
            ticks = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[19])
            booted = float(Path("/proc/uptime").read_text().split()[0])
            uptime = booted - ticks / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            env = {}
        value = env.get("MINIO_API_DELETE_CLEANUP_INTERVAL", "")
        if value[:-1].isdigit() and value[-1:] in ("s", "m"):
            interval = float(value[:-1]) * (60 if value.endswith("m") else 1)
    return max(0.0, 300.0 - uptime) + interval + 20.0


def minio_drive(endpoint: str) -> Path:
    """The drive of the MinIO server listening on `endpoint`, read from its command line.

    deploy/local/up reuses a MinIO that is already running (from another
    checkout, say), so the drive is wherever that server was started with,
    not necessarily this checkout's var/minio.
    """
    proc = _minio_process(endpoint)
    if proc is not None:
        args = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
        return Path(args[args.index("server") + 1])
    return Path(os.environ.get("ARCHIEF_VAR", ROOT / "var")) / "minio"
