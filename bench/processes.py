# SPDX-License-Identifier: EUPL-1.2
"""Stopping what the bench started: a process in a session of its own, and its children."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def stop_session(proc: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """SIGTERM the process's group (a Celery worker's prefork child, too); SIGKILL after `grace`."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
