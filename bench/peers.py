# SPDX-License-Identifier: EUPL-1.2
"""The OCRmyPDF releases the ingest bench measures, each in a virtualenv of its own.

The ingest issue names "OCRmyPDF (what Paperless-ngx uses)" as the peer.
Paperless-ngx 3.0 (July 2026; 3.0.5 in August) pins `ocrmypdf~=17.4.2`, so
that is the peer. Paperless-ngx 2.20 pinned `ocrmypdf~=16.13.0`, which
rasterises every page with Ghostscript; OCRmyPDF 17 rasterises with pypdfium2
and is about twice as fast on the same scans. The issue's own figure (raw
tesseract ~4.4x OCRmyPDF) sits near 16's ratio on this machine, not 17's.
Which release is the peer changes the ratio by about 2x, so the bench
measures the current pin, the old pin and the newest release in one run and
prints all three, rather than pick one.

Two releases cannot share one environment, so each gets a virtualenv under
`~/.cache/archief/bench/`, made once from PyPI and reused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


class PeerUnavailable(Exception):
    """A peer could not be installed or lacks a program; the reason is the message."""


@dataclass(frozen=True)
class OcrmypdfRelease:
    version: str
    label: str
    # Ghostscript is OCRmyPDF 16's rasteriser; 17 only uses it for PDF/A output.
    needs_ghostscript: bool

    @property
    def system(self) -> str:
        return f"ocrmypdf {self.version} ({self.label})"


PAPERLESS = OcrmypdfRelease("17.4.2", "Paperless-ngx 3.0 pin", needs_ghostscript=False)
PAPERLESS_2 = OcrmypdfRelease("16.13.0", "Paperless-ngx 2.20 pin", needs_ghostscript=True)
NEWEST = OcrmypdfRelease("17.13.0", "newest", needs_ghostscript=False)
RELEASES = (PAPERLESS, PAPERLESS_2, NEWEST)


def cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "archief" / "bench"


def ocrmypdf_command(release: OcrmypdfRelease, root: Path | None = None) -> list[str]:
    """The argv prefix that runs this release; installs it on first use."""
    if release.needs_ghostscript and shutil.which("gs") is None:
        raise PeerUnavailable(
            f"ocrmypdf {release.version} rasterises with Ghostscript: "
            "apt-get install ghostscript (make bench does)"
        )
    venv = (root or cache_root()) / f"ocrmypdf-{release.version}"
    program = venv / "bin" / "ocrmypdf"
    if not program.exists():
        print(f"installing ocrmypdf {release.version} into {venv} (once)", file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", f"ocrmypdf=={release.version}"],
                check=True,
            )
        except subprocess.CalledProcessError as exc:
            # Nothing half-made stays behind for the next run to trust.
            shutil.rmtree(venv, ignore_errors=True)
            raise PeerUnavailable(f"could not install ocrmypdf {release.version}: {exc}") from exc
    return [str(program)]
