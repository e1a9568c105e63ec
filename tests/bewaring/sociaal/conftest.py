# SPDX-License-Identifier: EUPL-1.2
"""A local HTTP server that plays a Mastodon instance, serving outbox pages written in the tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.bewaring.sociaal import voorbeelden as vb


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "application/activity+json; charset=utf-8"}
    )
    delay: float = 0.0


@dataclass
class Instance:
    base: str
    routes: dict[str, Route]
    requests: list[str] = field(default_factory=list)

    @property
    def outbox(self) -> str:
        return f"{self.base}/users/gemeente/outbox"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        instance = self.server.instance
        instance.requests.append(self.path)
        route = instance.routes.get(self.path, Route(404, b"{}"))
        if route.delay:
            time.sleep(route.delay)
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(route.body)))
        try:
            self.end_headers()
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout test); nothing to serve

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    instance: Instance
    daemon_threads = True


@pytest.fixture
def instance() -> Iterator[Instance]:
    """Serve the sample outbox on 127.0.0.1 at an ephemeral port."""
    server = _Server(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    server.instance = Instance(
        base, {path: Route(body=body) for path, body in vb.outbox_pages(base).items()}
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield server.instance
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
