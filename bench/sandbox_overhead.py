# SPDX-License-Identifier: EUPL-1.2
"""What the sandbox costs per job: `Sandbox.run` against calling the function directly.

`python -m bench.sandbox_overhead [JOBS]` times a no-op job: the fork, the
pipes and the JSON. `python -m bench.sandbox_overhead --pdfs DIR` times the
page analysis of every PDF in DIR (say a bench corpus's `digital/`) three
ways: raw pypdf, `ingest.pages.analyze` in this process, and the same in a
sandbox child, with the minor page faults of each. A child forked per
document starts with the zygote's memory shared copy-on-write, so what it
writes or allocates faults page by page; a long-lived process reuses memory
it touched before. The figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pypdf import PdfReader

from ingest import pages
from ingest.sandbox import INGEST_PRELOAD, Sandbox

MAX_PAGES = 5000
PDF = "application/pdf"


def noop(n: int) -> int:
    """Return `n`: a job with no work of its own."""
    return n


def analyze_counted(path: str, workdir: str) -> int:
    """`pages.analyze` of `path` in the sandbox child; the minor page faults it took."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    pages.analyze(path, workdir, PDF, MAX_PAGES)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _timed(call: Callable[[int], object], jobs: int) -> list[float]:
    times = []
    for i in range(jobs):
        start = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - start)
    return times


def _noop_figures(jobs: int) -> None:
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


def _per_doc(files: Sequence[Path], call: Callable[[Path], int]) -> tuple[float, float]:
    """Mean ms and mean minor faults per document of `call` (which returns its own faults)."""
    faults = 0
    start = time.perf_counter()
    for f in files:
        faults += call(f)
    return (time.perf_counter() - start) / len(files) * 1e3, faults / len(files)


def _in_process(call: Callable[[Path], object]) -> Callable[[Path], int]:
    def counted(f: Path) -> int:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        call(f)
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    return counted


def _pdf_figures(folder: Path, rounds: int) -> None:
    files = sorted(folder.glob("*.pdf"))
    if not files:
        raise SystemExit(f"no PDFs in {folder}")
    count = sum(len(PdfReader(f).pages) for f in files)
    print(f"{len(files)} PDFs, {count} pages, in {folder}; ms and minor page faults per document")
    with tempfile.TemporaryDirectory() as tmp, Sandbox(INGEST_PRELOAD) as sandbox:

        def boxed(f: Path) -> int:
            return int(str(sandbox.run("bench.sandbox_overhead:analyze_counted", str(f), tmp)))

        def raw(f: Path) -> None:
            for page in PdfReader(f).pages:
                page.extract_text()

        boxed(files[0])  # the zygote starts outside the clock
        for n in range(1, rounds + 1):
            figures = {
                "raw pypdf": _per_doc(files, _in_process(raw)),
                "analyze here": _per_doc(
                    files, _in_process(lambda f: pages.analyze(str(f), tmp, PDF, MAX_PAGES))
                ),
                "analyze in a sandbox child": _per_doc(files, boxed),
            }
            print(
                f"round {n}: "
                + "; ".join(
                    f"{k} {ms:.1f} ms, {flt:.0f} faults" for k, (ms, flt) in figures.items()
                )
            )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the per-job overhead of the sandbox."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jobs", nargs="?", type=int, default=200)
    parser.add_argument("--pdfs", type=Path, help="time the page analysis of these PDFs")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.pdfs is None:
        _noop_figures(args.jobs)
    else:
        _pdf_figures(args.pdfs, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
