# SPDX-License-Identifier: EUPL-1.2
"""Run parsers of untrusted files in forked children with CPU, memory and time limits.

A hostile file (xref loops, Flate bombs, decompression-bomb images) must not
crash or hang the worker that ingests it. `Sandbox.run` hands a job to a
long-lived *zygote*: a subprocess of our own interpreter (not
`multiprocessing`, whose children a daemonic Celery worker may not have) that
has imported the parsing libraries once and `fork()`s a fresh child per job,
so a job costs a fork rather than an interpreter start.

    worker ──request──▶ zygote ──fork──▶ child: setrlimit, run target
           ◀──report───        ◀─result pipe─  (JSON, then _exit)

- The child lowers its own RLIMIT_AS and RLIMIT_CPU (and RLIMIT_CORE to 0: a
  core dump of a parsed document is a copy of it), sets Pillow's pixel bound,
  runs the target and writes one JSON message into a pipe of its own. It
  cannot reach the zygote's control pipes; it closes them first.
- The zygote passes the child's message on as soon as it is complete, then
  kills the child's process group (grandchildren do not outlive their job) and
  reaps it. Without a message it enforces the wall-clock limit and reports how
  the child ended: exit status, signal, CPU time. It always kills before it
  reaps, so a recycled pid is never hit.
- The worker classifies the outcome, and enforces a deadline on the zygote
  itself: one that misses it or dies is killed and replaced.

Everything crosses the process boundaries as JSON, never pickle, so a parser
exploited in the child cannot make the worker run code by what it sends back.
This is containment of resource abuse, not a security boundary against code
execution: a child runs as the same user as the worker. Confining that needs
namespaces or seccomp (nsjail, bubblewrap) around the zygote.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import errno
import gc
import importlib
import json
import math
import os
import re
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TypeAlias, TypedDict

from archief.errors import ArchiefError, PortError

JSONable: TypeAlias = (
    "bool | int | float | str | Sequence[JSONable] | Mapping[str, JSONable] | None"
)

LIMIT_CPU: Final = "limit_cpu"
LIMIT_MEMORY: Final = "limit_memory"
LIMIT_TIME: Final = "limit_time"
CRASHED: Final = "crashed"
IMAGE_TOO_LARGE: Final = "image_too_large"

DEFAULT_PRELOAD: Final = ("pypdf", "PIL.Image")
# What the ingest zygotes import, and warm by reading a PDF of archief's own:
# pypdf imports parts of itself on first use (filters, codecs, font metrics),
# which a forked child paid on every job; see ingest.pages.warm.
INGEST_PRELOAD: Final = (*DEFAULT_PRELOAD, "ingest.pages:warm")
DEFAULT_MAX_IMAGE_PIXELS: Final = 200_000_000
DEFAULT_MAX_RESULT_BYTES: Final = 64 * 2**20

# Exit status of a child that could not even report a MemoryError.
_EXIT_NO_MEMORY: Final = 86
_EXIT_FAILED: Final = 70
# How long past the wall-clock limit the zygote may take to kill, reap and report.
_GRACE_SECONDS: Final = 5.0
_START_SECONDS: Final = 30.0
_MAX_REPORT_BYTES: Final = 1 << 16
_MAX_DETAIL: Final = 2000
_HEADER = struct.Struct(">I")
_TARGET = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_PR_SET_PDEATHSIG: Final = 1
_PR_SET_DUMPABLE: Final = 4

_TITLES: Final = {
    LIMIT_CPU: "Rekentijd overschreden",
    LIMIT_MEMORY: "Geheugenlimiet overschreden",
    LIMIT_TIME: "Tijdslimiet overschreden",
    CRASHED: "Verwerking afgebroken",
    IMAGE_TOO_LARGE: "Afbeelding te groot",
}


@dataclass(frozen=True)
class Limits:
    """What one sandboxed job may use."""

    cpu_seconds: int = 60
    memory_bytes: int = 1536 * 2**20
    wall_seconds: float = 120.0

    def __post_init__(self) -> None:
        if self.cpu_seconds < 1 or self.memory_bytes < 1 or self.wall_seconds <= 0:
            raise ValueError(f"limits must be positive: {self}")


DEFAULT_LIMITS: Final = Limits()


class SandboxError(ArchiefError):
    """A sandboxed job ended without a result; `code` says how.

    `limit_cpu`, `limit_memory`, `limit_time`: the job hit that limit.
    `image_too_large`: Pillow refused an image above the pixel bound.
    `crashed`: the child died by a signal, exited abnormally or raised an
    exception that is not an `ArchiefError` (its type and message are in
    `detail`).
    """

    code = CRASHED
    status = 422
    title = _TITLES[CRASHED]

    def __init__(self, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.code = code
        self.title = _TITLES.get(code, self.title)


class TargetError(SandboxError):
    """An `ArchiefError` the target raised in the child, carried over by code, status and detail.

    The child's class is not recreated: the worker never imports or constructs
    anything the child names. Match on `code`, as everywhere in archief.
    """

    def __init__(
        self, code: str, status: int, title: str, detail: str, extra: Mapping[str, Any]
    ) -> None:
        super().__init__(code, detail)
        self.status = status
        self.title = title
        # Not as keywords: the child chose these keys, and may have chosen "detail".
        self.extra = dict(extra)


class _Report(TypedDict):
    # False: a result was delivered and the child goes on with the next job.
    ended: bool
    exit: int | None
    signal: int | None
    cpu: float
    timed_out: bool
    overflow: bool


class Sandbox:
    """Run functions on untrusted input in resource-limited children of a zygote.

    Contract:
    - `run` MUST return the target's JSON-serialisable result, or raise an
      `ArchiefError`: a `TargetError` with the code, status and detail of an
      `ArchiefError` the target raised, a `SandboxError` for everything else
      (limits, crashes, other exceptions). A hostile input MUST NOT make it
      raise anything else, hang past the wall-clock limit (plus a grace
      period), or kill the calling process.
    - A `run` job MUST run in a fresh child forked for it, so no state passes
      from one job to the next; a crashed job MUST NOT affect the next one.
    - `run_each` MUST give each job the outcome `run` would: the limits hold
      per job, and a job that fails in a child another job ran in first MUST
      be run again alone, with that verdict returned. Its jobs share a child
      only one after another, so a target given to `run_each` MUST keep no
      state between calls that changes what the next call returns.
    - Arguments and results MUST cross process boundaries as JSON only.
    - A `Sandbox` MUST be usable from several threads at once; each thread
      gets a zygote of its own, up to `max_zygotes`. A `Sandbox` belongs to the
      process that made it: after `fork()` the child's copy MUST start its own
      zygotes and never touch its parent's.
    - A zygote that fails to start raises `PortError` (the service is broken,
      not the document); callers SHOULD retry those jobs later.
    - `preload` names modules the zygote imports before it forks; a name
      `module:function` also calls that function (no arguments) once in the
      zygote, to warm it. A warm-up MUST only read archief's own input, never
      a document; a failing one is ignored (it only saves time).
    """

    def __init__(
        self,
        preload: Sequence[str] = DEFAULT_PRELOAD,
        *,
        max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
        max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
        max_zygotes: int | None = None,
    ) -> None:
        self._preload = tuple(preload)
        self._max_image_pixels = max_image_pixels
        self._max_result_bytes = max_result_bytes
        self._max_zygotes = max_zygotes or os.cpu_count() or 1
        self._reset()
        _live.add(self)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self._max_zygotes)
        self._idle: list[_Zygote] = []
        self._zygotes: set[_Zygote] = set()
        self._closed = False
        self._pid = os.getpid()

    def run(self, target: str, *args: JSONable, limits: Limits = DEFAULT_LIMITS) -> JSONable:
        """Run `target` ("package.module:function") on `args` in a fresh limited child."""
        (outcome,), _ = self._batch(target, [args], limits)
        if isinstance(outcome, SandboxError):
            raise outcome
        return outcome

    def run_each(
        self, target: str, jobs: Sequence[Sequence[JSONable]], *, limits: Limits = DEFAULT_LIMITS
    ) -> list[JSONable | SandboxError]:
        """Run `target` on each of `jobs` (argument lists); each job's result or error, in order.

        The jobs run one after another in a child, so a batch pays one fork
        instead of one a job: for a ten-page PDF the fork, the pages it copies
        and the cold allocator cost about a quarter of what reading it costs
        (bench/README.md). The limits hold for each job, not for the batch.
        A job that fails after another job ran in its child is run again in
        a fresh child of its own, and that verdict is the one returned: what
        an earlier document did to the child (its memory, its CPU time, a
        crash) never fails a later one. The jobs after it go on in a new child.
        """
        outcomes: list[JSONable | SandboxError] = []
        while len(outcomes) < len(jobs):
            start = len(outcomes)
            batch, zygote_failed = self._batch(target, jobs[start:], limits)
            for offset, outcome in enumerate(batch):
                # A zygote that failed may have been killed by a job after
                # the one whose result it owed, while that result was on its
                # way: no verdict on this one then either, unless it ran alone.
                last = offset == len(batch) - 1
                judged = offset == 0 and not (last and zygote_failed and len(jobs) - start > 1)
                if isinstance(outcome, SandboxError) and not judged:
                    outcomes += self._batch(target, [jobs[start + offset]], limits)[0]
                else:
                    outcomes.append(outcome)
        return outcomes

    def _batch(
        self, target: str, jobs: Sequence[Sequence[JSONable]], limits: Limits
    ) -> tuple[list[JSONable | SandboxError], bool]:
        """Run jobs in one child until one of them ends it; the outcomes of those that ran.

        The last outcome is an error when the child (or its zygote) ended on
        that job; the jobs after it did not run. True with them when the
        zygote itself failed.
        """
        if not _TARGET.fullmatch(target):
            raise ValueError(f"target must look like 'package.module:function', not {target!r}")
        if not jobs:
            return [], False
        job = {
            "target": target,
            "each": [list(args) for args in jobs],
            "cpu_seconds": limits.cpu_seconds,
            "memory_bytes": limits.memory_bytes,
            "wall_seconds": limits.wall_seconds,
            "max_image_pixels": self._max_image_pixels,
            "max_result_bytes": self._max_result_bytes,
        }
        request = json.dumps(job, allow_nan=False).encode()
        outcomes: list[JSONable | SandboxError] = []
        with self._slots:
            zygote = self._submit(request)
            healthy = False
            try:
                while len(outcomes) < len(jobs):
                    # Each job has its own wall-clock limit: the zygote restarts
                    # it for the next job when a result arrives.
                    report, payload = zygote.receive(
                        time.monotonic() + limits.wall_seconds + _GRACE_SECONDS,
                        self._max_result_bytes,
                    )
                    outcomes.append(_settle(report, payload, limits))
                    if report["ended"]:
                        break  # the child is gone: the zygote sends nothing more
                healthy = True
            except SandboxError as exc:
                outcomes.append(exc)
            finally:
                self._checkin(zygote, healthy=healthy)
        return outcomes, not healthy

    def warm(self) -> None:
        """Start a zygote now unless one is idle, so the next job costs only a fork.

        Raises `PortError`, as `run` would, when the zygote cannot start.
        """
        # A slot, as a job takes: warming never makes more than `max_zygotes`.
        with self._slots:
            with self._lock:
                if self._closed:
                    raise RuntimeError("the sandbox is closed")
                if self._idle:
                    return
            self._checkin(self._start(), healthy=True)

    def close(self) -> None:
        """Stop every idle zygote; busy ones stop when their job ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for zygote in idle:
            zygote.stop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _submit(self, request: bytes) -> _Zygote:
        for _ in range(2):
            zygote = self._checkout()
            sent = False
            try:
                sent = zygote.send(request)
            finally:
                if not sent:
                    # It died while idle: the job never started, so another try is safe.
                    self._checkin(zygote, healthy=False)
            if sent:
                return zygote
        raise SandboxError(CRASHED, "the sandbox died before the job started")

    def _checkout(self) -> _Zygote:
        with self._lock:
            if self._closed:
                raise RuntimeError("the sandbox is closed")
            zygote = self._idle.pop() if self._idle else None
        if zygote is not None and zygote.alive():
            return zygote
        if zygote is not None:
            self._checkin(zygote, healthy=False)
        return self._start()

    def _start(self) -> _Zygote:
        zygote = _Zygote(self._preload)
        with self._lock:
            self._zygotes.add(zygote)
        return zygote

    def _checkin(self, zygote: _Zygote, *, healthy: bool) -> None:
        with self._lock:
            keep = healthy and not self._closed
            if keep:
                self._idle.append(zygote)
            else:
                self._zygotes.discard(zygote)
        if keep:
            return
        if healthy:
            zygote.stop()
        else:
            zygote.kill()

    def _forget_parent(self) -> None:
        # Runs in a forked child: the zygotes (and the lock's state) are the parent's.
        _orphans.extend(self._zygotes)
        for zygote in self._zygotes:
            zygote.close_fds()
        self._reset()


class _Zygote:
    """The worker's end of one zygote process."""

    def __init__(self, preload: Sequence[str]) -> None:
        request_r, self._request = os.pipe()
        self._reply, reply_w = os.pipe()
        env = dict(os.environ)
        # `-m ingest.sandbox` must import even when archief is not installed.
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
        try:
            self._process = subprocess.Popen(  # noqa: S603  # argv is our own interpreter and module
                [sys.executable, "-m", "ingest.sandbox", str(request_r), str(reply_w)],
                pass_fds=(request_r, reply_w),
                stdin=subprocess.DEVNULL,
                # Parsers print fragments of what they parse; documents stay out of logs.
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                # Out of the terminal's process group: Ctrl-C is for the worker to handle.
                start_new_session=True,
                env=env,
            )
        except OSError as exc:
            self.close_fds()
            raise PortError("sandbox", f"cannot start the zygote: {exc}") from exc
        finally:
            os.close(request_r)
            os.close(reply_w)
        config = {"path": sys.path, "preload": list(preload)}
        deadline = time.monotonic() + _START_SECONDS
        hello: object = None
        if self.send(json.dumps(config).encode()):
            with contextlib.suppress(_Gone, _Late, ValueError):
                hello = json.loads(_read_frame(self._reply, deadline, _MAX_REPORT_BYTES))
        if not isinstance(hello, dict) or hello.get("ready") is not True:
            self.kill()
            raise PortError("sandbox", f"the zygote did not start: {hello!r:.500}")

    def alive(self) -> bool:
        return self._process.poll() is None

    def send(self, message: bytes) -> bool:
        """Write one frame; False when the zygote has gone."""
        try:
            _write_all(self._request, _HEADER.pack(len(message)) + message)
        except BrokenPipeError:
            return False
        return True

    def receive(self, deadline: float, max_payload: int) -> tuple[_Report, bytes]:
        """Read the report of one job; raise SandboxError when the zygote fails us."""
        try:
            raw = _read_frame(self._reply, deadline, _MAX_REPORT_BYTES)
            payload = _read_frame(self._reply, deadline, max_payload)
        except _Late as exc:
            raise SandboxError(LIMIT_TIME, "the sandbox did not answer in time") from exc
        except _Gone as exc:
            raise SandboxError(CRASHED, "the sandbox process died during the job") from exc
        return _parse_report(raw), payload

    def stop(self) -> None:
        """Let the zygote exit on end of input; kill it if it lingers."""
        self.close_fds()
        try:
            self._process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        self.close_fds()
        # Only while unreaped: after that its pid may belong to someone else.
        if self._process.poll() is None:
            try:
                # Its job children die with it (PR_SET_PDEATHSIG); its group is its own.
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self._process.kill()
        self._process.wait()

    def close_fds(self) -> None:
        for fd in (self._request, self._reply):
            # OSError: already closed, as by stop() after kill().
            with contextlib.suppress(OSError):
                os.close(fd)
        self._request = self._reply = -1


class _Gone(Exception):
    """The other end closed its pipe."""


class _Late(Exception):
    """The deadline passed."""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _wait_readable(fds: Sequence[int], timeout: float) -> set[int]:
    # poll, not select: a worker with many sockets has descriptors above FD_SETSIZE.
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN)
    return {fd for fd, _ in poller.poll(max(0, int(timeout * 1000) + 1))}


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Late
            if not _wait_readable((fd,), remaining):
                continue
        chunk = os.read(fd, min(size - len(buf), 1 << 20))
        if not chunk:
            raise _Gone
        buf += chunk
    return bytes(buf)


def _read_frame(fd: int, deadline: float | None, max_size: int) -> bytes:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > max_size:
        raise _Gone  # a peer that breaks the protocol is as good as gone
    return _read_exact(fd, size, deadline)


def _frame(data: bytes) -> bytes:
    return _HEADER.pack(len(data)) + data


def _parse_report(raw: bytes) -> _Report:
    try:
        report = json.loads(raw)
        return {
            "ended": report["ended"] is True,
            "exit": _optional_int(report["exit"]),
            "signal": _optional_int(report["signal"]),
            "cpu": float(report["cpu"]),
            "timed_out": report["timed_out"] is True,
            "overflow": report["overflow"] is True,
        }
    except (ValueError, TypeError, KeyError) as exc:
        raise SandboxError(CRASHED, "the sandbox sent a malformed report") from exc


def _optional_int(value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"not an int: {value!r}")


def _settle(report: _Report, payload: bytes, limits: Limits) -> JSONable | SandboxError:
    try:
        return _outcome(report, payload, limits)
    except SandboxError as exc:
        return exc


def _outcome(report: _Report, payload: bytes, limits: Limits) -> JSONable:
    """Turn what the zygote saw into the job's result or the right SandboxError."""
    if report["timed_out"]:
        raise SandboxError(LIMIT_TIME, f"still running after {limits.wall_seconds:g} s")
    if report["overflow"]:
        raise SandboxError(LIMIT_MEMORY, "the result is larger than the sandbox accepts")
    if payload:
        return _decode_message(payload)
    sig = report["signal"]
    if sig is not None:
        # RLIMIT_CPU sends SIGXCPU at the soft limit and SIGKILL at the hard one.
        if sig == signal.SIGXCPU or (
            sig == signal.SIGKILL and report["cpu"] >= limits.cpu_seconds - 0.05
        ):
            raise SandboxError(LIMIT_CPU, f"used more than {limits.cpu_seconds} s of CPU")
        if sig == signal.SIGKILL:
            # Not the CPU limit and not us (timeouts are reported as such): what
            # else kills a parser outright is the kernel's OOM killer, when a
            # cgroup has less memory than RLIMIT_AS allows.
            raise SandboxError(LIMIT_MEMORY, "killed by SIGKILL, most likely out of memory")
        raise SandboxError(CRASHED, f"the parser was killed by {_signal_name(sig)}")
    if report["exit"] == _EXIT_NO_MEMORY:
        raise SandboxError(LIMIT_MEMORY, "ran out of memory")
    raise SandboxError(CRASHED, f"the parser exited with status {report['exit']} and no result")


def _decode_message(payload: bytes) -> JSONable:
    try:
        message = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise SandboxError(CRASHED, "the parser sent a malformed result") from exc
    if isinstance(message, dict) and len(message) == 1:
        if "ok" in message:
            result: JSONable = message["ok"]
            return result
        failure = message.get("fault")
        if isinstance(failure, dict) and failure.get("code") in _TITLES:
            raise SandboxError(failure["code"], _text(failure.get("detail")))
        failure = message.get("error")
        if isinstance(failure, dict) and _CODE.fullmatch(str(failure.get("code"))):
            status = failure.get("status")
            title = failure.get("title")
            extra = failure.get("extra")
            raise TargetError(
                str(failure["code"]),
                status if isinstance(status, int) and 400 <= status <= 599 else 500,
                _text(title)[:200] if isinstance(title, str) else ArchiefError.title,
                _text(failure.get("detail")),
                extra if isinstance(extra, dict) else {},
            )
    raise SandboxError(CRASHED, "the parser sent a malformed result")


def _text(value: object) -> str:
    return value[:_MAX_DETAIL] if isinstance(value, str) else ""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# --- per process -----------------------------------------------------------

_live: weakref.WeakSet[Sandbox] = weakref.WeakSet()
# Zygote handles inherited over fork: kept, never collected, so that no
# destructor in the child ever waits on or signals the parent's zygote.
_orphans: list[_Zygote] = []


class _Default:
    lock = threading.Lock()
    sandbox: Sandbox | None = None
    pid = 0


def default_sandbox() -> Sandbox:
    """Return this process's shared sandbox, starting a new one after a fork."""
    with _Default.lock:
        if _Default.sandbox is None or _Default.pid != os.getpid():
            _Default.sandbox = Sandbox(INGEST_PRELOAD)
            _Default.pid = os.getpid()
        return _Default.sandbox


def _close_default() -> None:
    if _Default.sandbox is not None and _Default.pid == os.getpid():
        _Default.sandbox.close()


def _after_fork_in_child() -> None:
    _Default.lock = threading.Lock()
    _Default.sandbox = None
    for sandbox in list(_live):
        sandbox._forget_parent()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_close_default)


# --- the zygote (runs as `python -m ingest.sandbox REQUEST_FD REPLY_FD`) ---------


def _prctl(option: int, value: int) -> None:
    if sys.platform == "linux":
        _libc().prctl(option, value, 0, 0, 0)


_libc_handle: list[ctypes.CDLL] = []


def _libc() -> ctypes.CDLL:
    if not _libc_handle:
        _libc_handle.append(ctypes.CDLL(None, use_errno=True))
    return _libc_handle[0]


def _zygote_main(argv: Sequence[str]) -> int:
    request_fd, reply_fd = (int(a) for a in argv)
    config = json.loads(_read_frame(request_fd, None, 1 << 24))
    sys.path[:] = config["path"]
    # Not ptrace-able by its children (same uid): they cannot take over the zygote.
    _prctl(_PR_SET_DUMPABLE, 0)
    # Pillow always, so that the pixel bound holds for every target.
    for name in (*config["preload"], "PIL.Image"):
        module, _, hook = name.partition(":")
        try:
            loaded = importlib.import_module(module)
        except ImportError as exc:
            if name != "PIL.Image" or name in config["preload"]:
                _write_all(reply_fd, _frame(json.dumps({"error": repr(exc)}).encode()))
                return 1
            continue
        if hook:
            # A warm-up on archief's own input; it only saves time, so a
            # failing one leaves the zygote as it would be without it.
            with contextlib.suppress(Exception):
                getattr(loaded, hook)()
    # Objects that exist now are never freed: keep the GC from touching (and so
    # copying) their pages in every forked child.
    gc.collect()
    gc.freeze()
    _write_all(reply_fd, _frame(json.dumps({"ready": True}).encode()))
    while True:
        try:
            job = json.loads(_read_frame(request_fd, None, 1 << 28))
        except _Gone:
            return 0
        pid, result_r = _spawn(job, request_fd, reply_fd)
        reaped = False
        try:
            reaped = _watch(job, pid, result_r, request_fd, reply_fd)
        except BrokenPipeError:
            return 0
        finally:
            if not reaped:
                # Its message is complete and it is on its way out; the worker
                # already has the result while we clear up after it.
                _kill_group(pid)
                os.waitpid(pid, 0)
            os.close(result_r)


def _spawn(job: dict[str, Any], request_fd: int, reply_fd: int) -> tuple[int, int]:
    # Imported here once rather than in every child; should it fail, the child
    # imports it again and reports the error.
    with contextlib.suppress(Exception):
        importlib.import_module(str(job["target"]).partition(":")[0])
    result_r, result_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(result_r)
        _child_main(job, result_w, (request_fd, reply_fd))
    os.close(result_w)
    # The child does this too; doing it here as well closes the race with killpg.
    # OSError: the child got there first, or has already exited.
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    return pid, result_r


def _watch(job: dict[str, Any], pid: int, result_r: int, request_fd: int, reply_fd: int) -> bool:
    """Pass each job's result on as it arrives; report how the child ended if it ends early.

    Sends one report (and payload) a job, up to the job the child ended on.
    Returns whether the child was reaped.
    """
    wall = float(job["wall_seconds"])
    deadline = time.monotonic() + wall
    jobs = len(job["each"])
    max_result = int(job["max_result_bytes"])
    pidfd = _pidfd(pid)
    received = bytearray()
    delivered = 0
    eof = exited = timed_out = overflow = False
    try:
        while True:
            # A result that outgrows the bound is refused before it is complete.
            # Results before it were taken off the buffer, so it holds at most
            # this result and one read of the next.
            overflow = _announced(received) > max_result
            message = None if overflow else _complete_frame(received)
            if message is not None:
                # Delivered: its exit status no longer matters.
                _write_all(reply_fd, _frame(json.dumps(_DELIVERED).encode()) + _frame(message))
                del received[: _HEADER.size + len(message)]
                delivered += 1
                if delivered == jobs:
                    return False
                deadline = time.monotonic() + wall
                continue
            if exited or overflow:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            watch = [request_fd] + ([] if eof else [result_r]) + ([pidfd] if pidfd else [])
            # Without a pidfd, a child that closed its pipe but runs on is polled.
            ready = _wait_readable(watch, remaining if pidfd or not eof else min(remaining, 0.01))
            if request_fd in ready:
                # The worker closed its end (or broke the protocol): nobody waits for this job.
                _kill_group(pid)
                os.waitpid(pid, 0)
                os._exit(0)
            if result_r in ready:
                chunk = os.read(result_r, 1 << 16)
                eof = not chunk
                received += chunk
            if (pidfd is not None and pidfd in ready) or (pidfd is None and _exited(pid)):
                exited = True
                if not eof:
                    _drain(result_r, received, len(received) + _HEADER.size + max_result)
        # Before reaping: until then the pid (and the group's id) cannot be reused.
        _kill_group(pid)
        _, status, usage = os.wait4(pid, 0)
    finally:
        if pidfd is not None:
            os.close(pidfd)
    report: _Report = {
        "ended": True,
        "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "cpu": usage.ru_utime + usage.ru_stime,
        "timed_out": timed_out,
        "overflow": overflow,
    }
    _write_all(reply_fd, _frame(json.dumps(report).encode()))
    _write_all(reply_fd, _frame(b""))
    return True


_DELIVERED: Final[_Report] = {
    "ended": False,
    "exit": None,
    "signal": None,
    "cpu": 0.0,
    "timed_out": False,
    "overflow": False,
}


def _complete_frame(data: bytearray) -> bytes | None:
    size = _announced(data)
    if 0 <= size <= len(data) - _HEADER.size:
        return bytes(data[_HEADER.size : _HEADER.size + size])
    return None


def _announced(data: bytearray) -> int:
    if len(data) < _HEADER.size:
        return -1
    size: int = _HEADER.unpack_from(data)[0]
    return size


def _drain(fd: int, into: bytearray, limit: int) -> None:
    # The child has exited, so what it wrote is in the pipe already: never block.
    os.set_blocking(fd, False)
    try:
        while len(into) <= limit and (chunk := os.read(fd, 1 << 16)):
            into += chunk
    except BlockingIOError:
        pass  # a grandchild still holds the pipe open; it dies with the group


def _pidfd(pid: int) -> int | None:
    if sys.platform != "linux":
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:
        return None  # a kernel before 5.3, or a seccomp filter that forbids it


def _exited(pid: int) -> bool:
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        # OSError: it has exited, but is a zombie until reaped, so the pid is still ours.
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


# --- the child ---------------------------------------------------------------


def _child_main(job: dict[str, Any], result_w: int, zygote_fds: Sequence[int]) -> None:
    status = _EXIT_FAILED
    try:
        for fd in zygote_fds:
            os.close(fd)
        os.setpgid(0, 0)
        zygote = os.getppid()
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != zygote:
            os._exit(_EXIT_FAILED)
        cpu_seconds = int(job["cpu_seconds"])
        each = list(job["each"])
        _limit(resource.RLIMIT_CORE, 0, 0)
        _limit(resource.RLIMIT_AS, job["memory_bytes"], job["memory_bytes"])
        # SIGXCPU at the soft limit; SIGKILL a second later if that is caught.
        # The hard limit cannot be raised again, so it allows every job its share.
        _limit(resource.RLIMIT_CPU, cpu_seconds, len(each) * (cpu_seconds + 1))
        target = _target(str(job["target"]))
        bombs = _bound_images(int(job["max_image_pixels"]))
        for number, args in enumerate(each):
            if number:
                # The next job's CPU limit counts from what the child used so far.
                used = resource.getrusage(resource.RUSAGE_SELF)
                soft = math.ceil(used.ru_utime + used.ru_stime) + cpu_seconds
                _, hard = resource.getrlimit(resource.RLIMIT_CPU)
                resource.setrlimit(resource.RLIMIT_CPU, (min(soft, hard), hard))
            _write_all(result_w, _frame(_run(target, args, bombs)))
        status = 0
    except MemoryError:
        status = _EXIT_NO_MEMORY
    except BaseException:  # noqa: BLE001, S110  # nothing can be reported; the status says it
        pass
    finally:
        # No atexit handlers, no flushing of buffers inherited from the zygote.
        os._exit(status)


def _limit(kind: int, soft: int, hard: int) -> None:
    _, current = resource.getrlimit(kind)
    if current != resource.RLIM_INFINITY:
        hard = min(hard, current)
    resource.setrlimit(kind, (min(soft, hard), hard))


def _target(name: str) -> Callable[..., Any]:
    """The function `module:qualname` names; one that fails each job if it cannot be had."""
    try:
        module, _, qualname = name.partition(":")
        target: Any = importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
    except Exception as exc:  # noqa: BLE001  # reported as each job's crash
        failure = exc  # `exc` itself is unbound when the block ends

        def missing(*_: object) -> None:
            raise failure

        return missing
    function: Callable[..., Any] = target
    return function


def _run(
    target: Callable[..., Any], args: Sequence[Any], bombs: tuple[type[BaseException], ...]
) -> bytes:
    message: dict[str, Any]
    try:
        return _encode({"ok": target(*args)})
    except MemoryError:
        message = _fault(LIMIT_MEMORY, "ran out of memory")
    except bombs as exc:
        message = _fault(IMAGE_TOO_LARGE, str(exc))
    except ArchiefError as exc:
        message = {"error": _archief_error(exc)}
    except OSError as exc:
        if exc.errno == errno.ENOMEM:
            message = _fault(LIMIT_MEMORY, "ran out of memory")
        else:
            message = _fault(CRASHED, _describe(exc))
    except BaseException as exc:  # noqa: BLE001  # every other failure is reported as `crashed`
        message = _fault(CRASHED, _describe(exc))
    return _encode(message)


def _bound_images(max_pixels: int) -> tuple[type[BaseException], ...]:
    image: Any = sys.modules.get("PIL.Image")
    if image is None:
        return ()
    image.MAX_IMAGE_PIXELS = max_pixels
    # Pillow only warns between the bound and twice the bound; make that an error too.
    warnings.simplefilter("error", image.DecompressionBombWarning)
    return (image.DecompressionBombError, image.DecompressionBombWarning)


def _encode(message: Mapping[str, Any]) -> bytes:
    # ASCII JSON: lone surrogates from broken text layers survive the trip.
    return json.dumps(message, allow_nan=False).encode("ascii")


def _fault(code: str, detail: str) -> dict[str, Any]:
    return {"fault": {"code": code, "detail": detail[:_MAX_DETAIL]}}


def _describe(exc: BaseException) -> str:
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    return f"{name}: {exc}"[:_MAX_DETAIL]


def _archief_error(exc: ArchiefError) -> dict[str, Any]:
    extra: dict[str, Any] = exc.extra
    try:
        _encode(extra)
    except (TypeError, ValueError, RecursionError):
        extra = {}
    return {
        "code": exc.code,
        "status": exc.status,
        "title": exc.title,
        "detail": str(exc.detail)[:_MAX_DETAIL],
        "extra": extra,
    }


if __name__ == "__main__":
    sys.exit(_zygote_main(sys.argv[1:]))
