# SPDX-License-Identifier: EUPL-1.2
"""CPU seconds per part of the pipeline: where a run's work went, not how long it took.

Wall-clock figures on a shared 2-core VM move by 15 % between back-to-back
runs, more than the born-digital margin. CPU seconds move far less, and they
say which part to make cheaper: the intake, the workers with their sandboxes,
or the services (Elasticsearch, MinIO, PostgreSQL, Redis).

A process's CPU is its own time plus that of the children it has reaped, so
a sandbox child that came and went during the run is counted in its zygote,
a closed PostgreSQL backend in the postmaster, and the `archief ingest` the
bench ran and waited for in the bench's own `RUSAGE_CHILDREN`.
"""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Callable, Iterable, Mapping

import psutil

INTAKE = "intake"
WORKERS = "workers with sandboxes"
# The services by process name; Elasticsearch runs in a JVM, named by its main class.
SERVICES: dict[str, Callable[[str, str], bool]] = {
    "Elasticsearch": lambda name, cmdline: name == "java" and "org.elasticsearch" in cmdline,
    "MinIO": lambda name, _cmdline: name.startswith("minio"),
    "PostgreSQL": lambda name, _cmdline: name in ("postgres", "postmaster"),
    "Redis": lambda name, _cmdline: name == "redis-server",
}


def _cpu(proc: psutil.Process) -> float:
    """Own and reaped children's CPU seconds; 0 for a process that is gone."""
    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        t = proc.cpu_times()
        return t.user + t.system + t.children_user + t.children_system
    return 0.0


def tree_cpu(roots: Iterable[psutil.Process]) -> float:
    """CPU seconds of some processes and all their live descendants."""
    seen: dict[int, psutil.Process] = {}
    for root in roots:
        with contextlib.suppress(psutil.NoSuchProcess):
            for proc in (root, *root.children(recursive=True)):
                seen[proc.pid] = proc
    return sum(_cpu(p) for p in seen.values())


def services_cpu() -> dict[str, float]:
    """CPU seconds of each service's processes on this machine."""
    spent = dict.fromkeys(SERVICES, 0.0)
    for proc in psutil.process_iter(["name", "cmdline"]):
        name, cmdline = proc.info["name"] or "", " ".join(proc.info["cmdline"] or ())
        for service, matches in SERVICES.items():
            if matches(name, cmdline):
                spent[service] += _cpu(proc)
    return spent


def reaped_children_cpu() -> float:
    """CPU seconds of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def snapshot(
    workers: Iterable[psutil.Process], intake: Iterable[psutil.Process] = ()
) -> dict[str, float]:
    """CPU seconds so far of each part; `intake` are live intake processes (an API server).

    An `archief ingest` run to completion between two snapshots is counted by
    `reaped_children_cpu`, so nothing else the bench waits for may end in between.
    """
    return {
        INTAKE: tree_cpu(intake) + reaped_children_cpu(),
        WORKERS: tree_cpu(workers),
        **services_cpu(),
    }


def spent(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """What each part used between two snapshots."""
    return {part: max(0.0, after[part] - before.get(part, 0.0)) for part in after}
