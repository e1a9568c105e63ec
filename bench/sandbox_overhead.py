# SPDX-License-Identifier: EUPL-1.2
"""What the sandbox costs per job: `Sandbox.run` of a no-op against calling it directly.

`python -m bench.sandbox_overhead [JOBS]` prints the figures; nothing is asserted.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from ingest.sandbox import Sandbox


def noop(n: int) -> int:
    """Return `n`: a job with no work of its own."""
    return n


def _timed(call: Callable[[int], object], jobs: int) -> list[float]:
    times = []
    for i in range(jobs):
        start = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str]) -> int:
    """Print the per-job overhead of the sandbox."""
    jobs = int(argv[0]) if argv else 200
    start = time.perf_counter()
    with Sandbox() as sandbox:
        sandbox.run("bench.sandbox_overhead:noop", 0)
        started = time.perf_counter() - start
        sandboxed = _timed(lambda i: sandbox.run("bench.sandbox_overhead:noop", i), jobs)
    direct = _timed(noop, jobs)
    print(f"zygote start and first job: {started * 1e3:.1f} ms")
    print(
        f"Sandbox.run, {jobs} jobs: mean {statistics.mean(sandboxed) * 1e3:.2f} ms, "
        f"median {statistics.median(sandboxed) * 1e3:.2f} ms, "
        f"p95 {statistics.quantiles(sandboxed, n=20)[-1] * 1e3:.2f} ms"
    )
    print(f"direct call, {jobs} calls: mean {statistics.mean(direct) * 1e6:.2f} µs")
    print(
        f"overhead per job: {(statistics.mean(sandboxed) - statistics.mean(direct)) * 1e3:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
