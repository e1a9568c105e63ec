# SPDX-License-Identifier: EUPL-1.2
"""The HTTP intake path for the ingest bench: a running `archief serve`, uploads, polling.

`archief ingest` is the backlog tool and pays its own start-up (imports, the
catalog and index checks) in every run. A municipality's scanner station or
DMS hands files to a server that is already running, through `POST /ingest`,
and follows each item with `GET /ingest/items/{id}`. The bench measures both
paths, each upload → searchable, in the same run.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from archief.intake.endpoints import MAX_POLLED
from bench.processes import stop_session

# As many uploads in flight as the machine has cores: a client that sends
# more only queues them in the server.
UPLOADS_IN_FLIGHT = 2
DONE = frozenset({"indexed", "failed"})


class HttpIntakeUnavailable(Exception):
    """The server did not come up or refused the bench; the reason is the message."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def api_server(archief: Path, env: dict[str, str], log: Path) -> Iterator[tuple[str, str]]:
    """Run `archief serve` with a service token of its own; yield (base URL, token)."""
    token = secrets.token_urlsafe(24)
    port = _free_port()
    server_env = {**env, "ARCHIEF_API__SERVICE_TOKENS": json.dumps([token])}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(archief), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=server_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise HttpIntakeUnavailable(f"archief serve exited {proc.returncode}; see {log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health/live", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise HttpIntakeUnavailable(f"archief serve not up after 120 s; see {log}")
            time.sleep(0.2)
        yield base, token
    finally:
        stop_session(proc)


def upload_and_wait(
    base: str, token: str, files: Sequence[Path], *, dossier: str, laag: str
) -> list[str]:
    """Upload every file, then return once each item is indexed or failed; the statuses."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:

        def upload(path: Path) -> str:
            with path.open("rb") as f:
                resp = client.post(
                    "/ingest",
                    data={"dossier": dossier, "laag": laag},
                    files={"file": (path.name, f, "application/octet-stream")},
                )
            if resp.status_code != 202:
                raise HttpIntakeUnavailable(
                    f"upload of {path.name}: {resp.status_code} {resp.text}"
                )
            item_id: str = resp.json()["id"]
            return item_id

        with ThreadPoolExecutor(UPLOADS_IN_FLIGHT) as pool:
            ids = list(pool.map(upload, files))
        # The pending items in one request a tenth of a second, as a scanner
        # station would. A request per item (about 115 for 100 uploads) cost
        # the server a quarter of what the uploads did, inside the measured
        # window; the batch polls (about 20) cost a fifth of that.
        done: dict[str, str] = {}
        while len(done) < len(ids):
            pending = [i for i in ids if i not in done]
            for start in range(0, len(pending), MAX_POLLED):
                resp = client.get(
                    "/ingest/items", params={"id": pending[start : start + MAX_POLLED]}
                )
                resp.raise_for_status()
                body = resp.json()
                if body["unknown"]:
                    raise HttpIntakeUnavailable(
                        f"items the server does not know: {body['unknown']}"
                    )
                for item in body["items"]:
                    if item["status"] in DONE or item["duplicate"]:
                        done[item["id"]] = item["status"]
            if len(done) < len(ids):
                time.sleep(0.1)
        return [done[i] for i in ids]
