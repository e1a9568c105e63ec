# SPDX-License-Identifier: EUPL-1.2
"""The sandbox: every way a parser can misbehave ends in a result or a stable code."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archief.errors import ArchiefError
from ingest.sandbox import (
    INGEST_PRELOAD,
    JSONable,
    Limits,
    Sandbox,
    SandboxError,
    TargetError,
    default_sandbox,
)
from tests.ingest import sandbox_targets
from tests.ingest.hostile import png_claiming

T = "tests.ingest.sandbox_targets:"
# Small, so that the limits trip fast; generous enough for a loaded CI machine.
SMALL = Limits(cpu_seconds=1, memory_bytes=256 * 2**20, wall_seconds=20)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


def _code(sandbox: Sandbox, target: str, *args: JSONable, limits: Limits = SMALL) -> str:
    with pytest.raises(ArchiefError) as caught:
        sandbox.run(T + target, *args, limits=limits)
    return caught.value.code


def test_arguments_and_result_cross_as_json(sandbox: Sandbox) -> None:
    args: list[JSONable] = ["coördinatie \u202e \udc80", 7, 2.5, None, True, {"a": [1, {}]}]
    assert sandbox.run(T + "echo", *args) == args


def test_cpu_limit(sandbox: Sandbox) -> None:
    assert _code(sandbox, "spin") == "limit_cpu"


def test_memory_limit(sandbox: Sandbox) -> None:
    assert _code(sandbox, "hog") == "limit_memory"


def test_wall_clock_limit(sandbox: Sandbox) -> None:
    limits = Limits(cpu_seconds=5, memory_bytes=SMALL.memory_bytes, wall_seconds=0.5)
    assert _code(sandbox, "sleep", 30, limits=limits) == "limit_time"


def test_archief_error_keeps_its_code_status_and_detail(sandbox: Sandbox) -> None:
    with pytest.raises(TargetError) as caught:
        sandbox.run(T + "refuse", "wachtwoord nodig")
    error = caught.value
    assert (error.code, error.status, error.detail) == ("encrypted_pdf", 422, "wachtwoord nodig")
    assert error.title == sandbox_targets.EncryptedPdf.title
    assert error.extra == {"pages": 3, "detail_again": "keys the child chose"}


def test_other_exceptions_are_crashes_with_type_and_message(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.run(T + "fail")
    assert caught.value.code == "crashed"
    assert caught.value.detail == "ValueError: xref table is damaged"


@pytest.mark.parametrize("target", ["abort", "segfault"])
def test_death_by_signal_is_a_crash(sandbox: Sandbox, target: str) -> None:
    assert _code(sandbox, target) == "crashed"


def test_exit_without_result_is_a_crash(sandbox: Sandbox) -> None:
    assert _code(sandbox, "exit_quietly", 0) == "crashed"


def test_unknown_target_is_a_crash(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError) as caught:
        sandbox.run("tests.ingest.no_such_module:f")
    assert caught.value.code == "crashed"
    assert "ModuleNotFoundError" in caught.value.detail


def test_result_that_is_not_json_is_a_crash(sandbox: Sandbox) -> None:
    assert _code(sandbox, "unserialisable") == "crashed"


def test_output_on_stdout_and_stderr_does_not_disturb_the_result(sandbox: Sandbox) -> None:
    assert sandbox.run(T + "noisy") == "clean"


@pytest.mark.parametrize(
    ("width", "height"),
    [(30_000, 30_000), (15_000, 15_000)],  # above twice the bound, and between once and twice
)
def test_decompression_bomb_is_image_too_large(
    sandbox: Sandbox, tmp_path: Path, width: int, height: int
) -> None:
    path = tmp_path / "bom.png"
    path.write_bytes(png_claiming(width, height))
    assert _code(sandbox, "image_size", str(path)) == "image_too_large"


def test_image_within_the_bound_opens(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(png_claiming(2480, 3508))  # A4 at 300 dpi
    assert sandbox.run(T + "image_size", str(path)) == [2480, 3508]


def test_result_larger_than_allowed_is_refused() -> None:
    with Sandbox(max_result_bytes=1000) as small:
        assert small.run(T + "big", 10) == "x" * 10
        assert _code(small, "big", 10_000) == "limit_memory"


def test_next_job_after_a_crash_works(sandbox: Sandbox) -> None:
    assert _code(sandbox, "segfault") == "crashed"
    assert _code(sandbox, "hog") == "limit_memory"
    assert sandbox.run(T + "echo", 1) == [1]


def test_a_killed_zygote_is_replaced(sandbox: Sandbox) -> None:
    assert _code(sandbox, "kill_zygote") == "crashed"
    assert sandbox.run(T + "echo", 2) == [2]


def test_a_zygote_that_stops_answering_is_replaced(sandbox: Sandbox) -> None:
    # The zygote itself misses the deadline (wall clock plus a grace period).
    limits = Limits(cpu_seconds=1, memory_bytes=SMALL.memory_bytes, wall_seconds=0.2)
    assert _code(sandbox, "stop_zygote", limits=limits) == "limit_time"
    assert sandbox.run(T + "echo", 3) == [3]


def test_grandchildren_do_not_outlive_the_job(sandbox: Sandbox) -> None:
    pid = sandbox.run(T + "orphan")
    assert isinstance(pid, int)
    deadline = time.monotonic() + 10
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_threads_share_a_sandbox() -> None:
    results: dict[int, JSONable] = {}

    def work(n: int) -> None:
        results[n] = [shared.run(T + "echo", n, i) for i in range(5)]

    with Sandbox(max_zygotes=2) as shared:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == {n: [[n, i] for i in range(5)] for n in range(4)}


def test_closed_sandbox_refuses_jobs() -> None:
    sandbox = Sandbox()
    sandbox.close()
    with pytest.raises(RuntimeError):
        sandbox.run(T + "echo")


def test_bad_target_and_limits_are_programming_errors(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="target"):
        sandbox.run("os.system")
    with pytest.raises(ValueError, match="positive"):
        Limits(cpu_seconds=0)


def test_default_sandbox_is_per_process() -> None:
    parent = default_sandbox()
    assert default_sandbox() is parent
    assert parent.run(T + "echo", "ouder") == ["ouder"]
    pid = os.fork()
    if pid == 0:  # pragma: no cover  # the child reports by exit status
        status = 1
        try:
            child = default_sandbox()
            if child is not parent and child.run(T + "echo", "kind") == ["kind"]:
                status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # The parent's zygote was not disturbed by the child.
    assert parent.run(T + "echo", "weer") == ["weer"]


def test_a_warm_up_runs_once_in_the_zygote_before_it_forks() -> None:
    with Sandbox(("pypdf", T + "warm")) as sandbox:
        first = sandbox.run(T + "warmed")
        second = sandbox.run(T + "warmed")
    assert isinstance(first, list)
    assert isinstance(second, list)
    warmed_in, child, zygote = first
    # Once, in the zygote (each child's parent), not in the child nor per job.
    assert warmed_in == [zygote]
    assert child != zygote
    assert second[0] == [zygote]
    assert second[1] != child
    assert os.getpid() not in sandbox_targets.WARMED_IN


def test_a_failing_warm_up_leaves_a_working_zygote() -> None:
    with Sandbox(("pypdf", T + "warm_badly")) as sandbox:
        assert sandbox.run(T + "echo", "toch") == ["toch"]


def test_the_ingest_zygote_has_read_a_pdf_before_it_forks() -> None:
    # pypdf imports its filters on the first stream it decodes: the ingest
    # zygote has done that (ingest.pages.warm), so no job pays for it again.
    with Sandbox(INGEST_PRELOAD) as sandbox:
        assert sandbox.run(T + "loaded", "pypdf.filters", "ingest.pages") == [True, True]


def test_per_job_overhead_is_small(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    jobs = 50
    sandbox.run(T + "echo", 0)
    start = time.perf_counter()
    for i in range(jobs):
        assert sandbox.run(T + "echo", i) == [i]
    sandboxed = (time.perf_counter() - start) / jobs
    start = time.perf_counter()
    for i in range(jobs):
        sandbox_targets.echo(i)
    direct = (time.perf_counter() - start) / jobs
    # Printed, never asserted: tests do not assert timings (bench/ measures).
    with capsys.disabled():
        print(  # noqa: T201  # the figure is the point of this test
            f"\nsandbox: {sandboxed * 1e3:.2f} ms per job, direct call {direct * 1e6:.2f} µs "
            f"(mean of {jobs})"
        )


# --- run_each: a batch of jobs in one child, each with the outcome `run` gives ----------


def _each(sandbox: Sandbox, *jobs: list[JSONable], limits: Limits = SMALL) -> list[object]:
    """Each job's result, or the code of its error."""
    return [
        outcome.code if isinstance(outcome, SandboxError) else outcome
        for outcome in sandbox.run_each(T + "act", jobs, limits=limits)
    ]


def test_jobs_of_a_batch_share_one_child(sandbox: Sandbox) -> None:
    pids = _each(sandbox, ["pid"], ["pid"], ["pid"], ["pid"])
    assert len(set(pids)) == 1
    # A batch of its own gets a fresh child.
    assert _each(sandbox, ["pid"]) != pids[:1]


def test_results_come_back_in_order(sandbox: Sandbox) -> None:
    jobs: list[list[JSONable]] = [["echo", n] for n in range(20)]
    assert _each(sandbox, *jobs) == list(range(20))
    assert sandbox.run_each(T + "act", []) == []


def test_a_misbehaving_job_fails_alone_with_the_code_run_gives(sandbox: Sandbox) -> None:
    for misbehaviour in ("spin", "hog", "segfault", "fail", "refuse"):
        alone = _code(sandbox, "act", misbehaviour, "versleuteld")
        batch = _each(sandbox, ["echo", 1], [misbehaviour, "versleuteld"], ["echo", 3])
        assert batch == [1, alone, 3], misbehaviour


def test_the_limits_hold_per_job_not_per_batch(sandbox: Sandbox) -> None:
    # Together these use more CPU, or more wall-clock time, than one job may;
    # each alone does not, so they all run in the one child.
    burnt = _each(sandbox, ["burn", 0.6], ["burn", 0.6], ["burn", 0.6])
    assert len(set(burnt)) == 1
    limits = Limits(cpu_seconds=1, memory_bytes=SMALL.memory_bytes, wall_seconds=1)
    napped = _each(sandbox, ["nap", 0.6], ["nap", 0.6], limits=limits)
    assert len(set(napped)) == 1
    assert _each(sandbox, ["echo", 1], ["nap", 30], ["echo", 3], limits=limits) == [
        1,
        "limit_time",
        3,
    ]


def test_a_job_failing_after_another_is_judged_in_a_fresh_child(sandbox: Sandbox) -> None:
    # The second and third fail in the child the first changed; run alone, they do not.
    assert _each(sandbox, ["leave_state"], ["need_clean"], ["need_clean"]) == [
        "left",
        "clean",
        "clean",
    ]
    # A job that fails in a fresh child fails for good.
    assert _each(sandbox, ["segfault"], ["segfault"]) == ["crashed", "crashed"]


def test_a_batch_survives_its_zygote_dying(sandbox: Sandbox) -> None:
    assert _each(sandbox, ["echo", 1], ["kill_zygote"], ["echo", 3]) == [1, "crashed", 3]
