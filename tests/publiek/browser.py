# SPDX-License-Identifier: EUPL-1.2
"""Headless Chromium for the public face's end-to-end tests: a live server and a browser.

The browser is Debian's `chromium` driven through Debian's `chromium-driver`
(`deploy/local/up` installs both with apt); Selenium is only the client.
It never downloads a browser or a driver: the driver's path is given and
Selenium Manager is told to stay offline.

`Chromium.open` navigates like a person would and reports what the browser
itself received (the HTTP status and the exact bytes, read over the
DevTools protocol) next to what it made of them (the DOM and the visible
text), so a test can check both. JavaScript is off: the public pages must
work without it, and this proves they do in a real browser.

Screenshots go to var/test-artifacts/e2e/ and stay there after the run.
"""

from __future__ import annotations

import base64
import html
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import uvicorn
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from archief.app import create_app
from archief.composition import Container, build_container
from archief.settings import MailSettings, Settings

CHROMIUM = Path(os.environ.get("ARCHIEF_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ARCHIEF_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"))
ARTIFACTS = Path("var/test-artifacts/e2e")


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Live:
    """The app served over real HTTP by uvicorn, on a container of its own."""

    url: str
    container: Container


def serve(settings: Settings) -> Iterator[Live]:
    """Run the app in a uvicorn thread until the generator is closed."""
    port = vrije_poort()
    url = f"http://127.0.0.1:{port}"
    container = build_container(settings)
    app = create_app(settings, lambda _s: container)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start for the browser tests")
        time.sleep(0.05)
    try:
        yield Live(url, container)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


class _WijkPagina(BaseHTTPRequestHandler):
    """A neighbourhood website that embeds a page of ours: GET /?src=<url>."""

    def do_GET(self) -> None:
        src = parse_qs(urlsplit(self.path).query).get("src", [""])[0]
        body = (
            "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
            "<title>Wijkwebsite</title></head><body><h1>Wijkwebsite Oosterpark</h1>"
            f"<iframe id='w' title='Nieuws uit de wijk' width='640' height='560' "
            f"src='{html.escape(src, quote=True)}'></iframe></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def wijkwebsite() -> Iterator[str]:
    """Serve `_WijkPagina` on another port: another origin than the archive's."""
    server = ThreadingHTTPServer(("127.0.0.1", vrije_poort()), _WijkPagina)
    thread = threading.Thread(target=server.serve_forever, name="e2e-wijkwebsite", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def mail_settings(port: int) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, afzender="archief@groningen.example")


@dataclass
class Bezoek:
    """One navigation: what came over the wire and what the browser showed."""

    url: str
    status: int
    # The response body exactly as received (empty when the browser kept none).
    raw: str
    # The document as the browser built it, and its visible text.
    dom: str
    text: str

    @property
    def alles(self) -> str:
        """Everything a leak could hide in: the bytes, the DOM and what is shown."""
        return f"{self.raw}\n{self.dom}\n{self.text}"


class Chromium:
    """One headless Chromium, JavaScript off, driven by Debian's chromedriver."""

    def __init__(self) -> None:
        missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
        if missing:
            pytest.fail(
                f"{', '.join(missing)} missing: deploy/local/up installs Debian's "
                "chromium and chromium-driver (apt-get install chromium chromium-driver)"
            )
        # Selenium Manager would otherwise look for a driver on the internet.
        os.environ["SE_OFFLINE"] = "true"
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for arg in (
            "--headless=new",
            # Root in CI: Chromium's own sandbox needs user namespaces it may not get.
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--window-size=1280,1024",
            "--lang=nl-NL",
            "--no-first-run",
            "--disable-background-networking",
        ):
            options.add_argument(arg)
        self.downloads = ARTIFACTS / "downloads"
        shutil.rmtree(self.downloads, ignore_errors=True)
        self.downloads.mkdir(parents=True, exist_ok=True)
        options.add_experimental_option(
            "prefs",
            {
                "profile.managed_default_content_settings.javascript": 2,
                "download.prompt_for_download": False,
                "intl.accept_languages": "nl-NL,nl",
            },
        )
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        self.driver.set_page_load_timeout(30)
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.console: list[str] = []
        self.navigations = 0

    def close(self) -> None:
        self.driver.quit()

    def headers(self, headers: dict[str, str]) -> None:
        """Send these headers with every request from now on (a logged-in caller)."""
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})

    def _log(self, kind: str) -> list[dict[str, Any]]:
        # Selenium leaves get_log unannotated; the entries are JSON objects.
        entries: list[dict[str, Any]] = self.driver.get_log(kind)  # type: ignore[no-untyped-call]
        return entries

    def _responses(self) -> list[dict[str, Any]]:
        events = []
        for entry in self._log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.responseReceived":
                events.append(message["params"])
        for entry in self._log("browser"):
            self.console.append(str(entry.get("message", "")))
        return events

    def open(self, url: str, **params: str | int) -> Bezoek:
        """Navigate to `url` (with a query string) and wait for the document."""
        if params:
            url = f"{url}?{urlencode(params)}"
        self._responses()  # drop what earlier navigations logged
        # A directory per navigation: the browser would otherwise not save a
        # file again under a name it saved before.
        self.navigations += 1
        folder = self.downloads / f"{self.navigations:06d}"
        folder.mkdir()
        self.driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior",
            {"behavior": "allow", "downloadPath": str(folder.resolve())},
        )
        self.driver.get(url)
        documents = [r for r in self._responses() if r.get("type") == "Document"]
        if not documents:
            raise AssertionError(f"the browser logged no document response for {url}")
        last = documents[-1]
        status = int(last["response"]["status"])
        raw = self._body(last["requestId"])
        if not raw:
            raw = self._download(folder)
        if not any(folder.iterdir()):
            folder.rmdir()
        try:
            dom = self.driver.page_source
            text = self.driver.find_element(By.TAG_NAME, "body").text
        except WebDriverException:
            dom = text = ""
        return Bezoek(url, status, raw, dom, text)

    def _body(self, request_id: str) -> str:
        try:
            body = self.driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})
        except WebDriverException:
            # A response the browser turned into a download keeps no body here.
            return ""
        if body.get("base64Encoded"):
            return base64.b64decode(body["body"]).decode("utf-8", errors="replace")
        return str(body["body"])

    def _download(self, folder: Path) -> str:
        """The file a navigation saved as a download (the browser keeps no body for those)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done = [p for p in folder.iterdir() if not p.name.endswith(".crdownload")]
            if done:
                return done[0].read_text(encoding="utf-8", errors="replace")
            time.sleep(0.05)
        return ""

    def screenshot(self, name: str) -> Path:
        """Keep a screenshot of the whole page (not just the window), as a test artifact."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": max(size["width"], 1),
                    # A very long page is cut off rather than made a giant image.
                    "height": min(max(size["height"], 1), 8000),
                    "scale": 1,
                },
            },
        )
        target.write_bytes(base64.b64decode(shot["data"]))
        return target

    def violations(self) -> list[str]:
        """Console messages about a refused resource (CSP, framing) since the start."""
        self._responses()
        return [m for m in self.console if "Refused" in m or "Content Security Policy" in m]
