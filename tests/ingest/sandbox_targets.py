# SPDX-License-Identifier: EUPL-1.2
"""Functions for tests/ingest/test_sandbox.py to run inside the sandbox, one misbehaviour each."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable

from PIL import Image

from archief.errors import ArchiefError


class EncryptedPdf(ArchiefError):
    code = "encrypted_pdf"
    status = 422
    title = "PDF is versleuteld"


def echo(*args: object) -> list[object]:
    """Return the arguments as they arrived."""
    return list(args)


def spin() -> None:
    """Burn CPU until stopped."""
    while True:
        pass


def hog() -> int:
    """Allocate memory until stopped."""
    chunks = []
    while True:
        # Written to, so the pages are really taken and not just reserved.
        chunk = bytearray(16 * 2**20)
        chunk[::4096] = b"\x01" * (len(chunk) // 4096)
        chunks.append(chunk)


def sleep(seconds: float) -> float:
    """Sleep without using CPU."""
    time.sleep(seconds)
    return seconds


def refuse(detail: str) -> None:
    """Raise an ArchiefError with a code of its own, as a PDF extractor would."""
    raise EncryptedPdf(detail, pages=3, detail_again="keys the child chose")


def fail() -> None:
    """Raise an exception that is not an ArchiefError."""
    raise ValueError("xref table is damaged")


def abort() -> None:
    """Die by SIGABRT, as a C library's assert would."""
    os.abort()


def segfault() -> None:
    """Die by SIGSEGV, as a crashing C extension would."""
    os.kill(os.getpid(), signal.SIGSEGV)


def exit_quietly(status: int) -> None:
    """Leave without a result."""
    os._exit(status)


def noisy() -> str:
    """Print junk that looks like protocol frames to stdout and stderr, then return."""
    sys.stdout.write("\x00\x00\x00\x05{junk" + "Warning: xref table broken\n" * 100)
    sys.stderr.write("\x00\x00\x10\x00\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, b"\x00\x00\x00\x02{}")
    os.write(2, b"\xff\xfe\x00\x00 raw bytes on fd 2")
    return "clean"


def image_size(path: str) -> list[int]:
    """Open an image with Pillow and return its size."""
    with Image.open(path) as image:
        return list(image.size)


def unserialisable() -> object:
    """Return something JSON cannot carry."""
    return {1, 2, 3}


def big(size: int) -> str:
    """Return a string of `size` characters."""
    return "x" * size


def orphan() -> int:
    """Leave a sleeping grandchild behind and return its pid."""
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    return pid


def kill_zygote() -> None:
    """Kill the zygote this child was forked from."""
    os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(60)


def stop_zygote() -> str:
    """Freeze the zygote, so that it never reports; then return normally."""
    os.kill(os.getppid(), signal.SIGSTOP)
    return "stopped"


# Set by `warm` in the zygote, before any child is forked.
WARMED_IN: list[int] = []


def warm() -> None:
    """A zygote warm-up: records the process it ran in."""
    WARMED_IN.append(os.getpid())


def warm_badly() -> None:
    """A zygote warm-up that fails."""
    raise RuntimeError("warm-up failed")


def warmed() -> list[object]:
    """Where `warm` ran (in the zygote, never in this child) and this child's pid and parent."""
    return [WARMED_IN, os.getpid(), os.getppid()]


def loaded(*modules: str) -> list[bool]:
    """Which of `modules` this child has without importing anything itself."""
    return [name in sys.modules for name in modules]


# Set by `act("leave_state")` in a child; a fresh child starts without it.
LEFT_BEHIND: list[str] = []


def act(what: str, value: float = 0) -> object:
    """One of several behaviours, so that one `run_each` batch can mix them.

    "echo": return `value`; "pid": this child's pid; "burn": use `value`
    seconds of CPU, "nap": sleep `value` seconds, then return the pid;
    "leave_state": leave something behind in this child; "need_clean":
    fail if a job before it in this child left something behind; any other
    name runs the target of that name (spin, hog, segfault, refuse, ...).
    """
    if what == "echo":
        return value
    if what == "pid":
        return os.getpid()
    if what == "burn":
        start = time.process_time()
        while time.process_time() - start < value:
            pass
        return os.getpid()
    if what == "nap":
        time.sleep(value)
        return os.getpid()
    if what == "leave_state":
        LEFT_BEHIND.append("state")
        return "left"
    if what == "need_clean":
        if LEFT_BEHIND:
            raise ValueError("a job before this one left state behind")
        return "clean"
    misbehaviour: Callable[..., object] = globals()[what]
    return misbehaviour(*([value] if what == "refuse" else []))
