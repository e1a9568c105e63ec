# SPDX-License-Identifier: EUPL-1.2
"""Stopping the Celery workers the tests start as processes of their own."""

from __future__ import annotations

import subprocess


def stop(proc: subprocess.Popen[bytes], grace: float = 60.0) -> None:
    """SIGTERM (Celery's warm shutdown: the running task finishes); SIGKILL after `grace`."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
