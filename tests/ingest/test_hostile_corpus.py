# SPDX-License-Identifier: EUPL-1.2
"""The hostile corpus itself: enough cases, well-formed expectations, files on disk."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from tests.ingest.hostile import FAILURES, OUTCOMES, HostileCase, deflated_zeros, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[HostileCase]:
    return write_corpus(tmp_path_factory.mktemp("hostile"))


def test_there_are_enough_cases_with_unique_names(corpus: list[HostileCase]) -> None:
    assert len(corpus) >= 32
    names = [case.name for case in corpus]
    assert len(set(names)) == len(names)
    assert len({case.path for case in corpus}) == len(corpus)


def test_every_file_exists(corpus: list[HostileCase]) -> None:
    for case in corpus:
        assert case.path.is_file(), case.name
    assert [case.name for case in corpus if case.path.stat().st_size == 0] == ["empty"]


def test_expectations_use_the_vocabulary(corpus: list[HostileCase]) -> None:
    for case in corpus:
        assert case.expect, case.name
        assert case.expect <= OUTCOMES, (case.name, case.expect - OUTCOMES)
        assert case.note, case.name
    assert "indexed" not in FAILURES


def test_display_names(corpus: list[HostileCase]) -> None:
    by_name = {case.name: case for case in corpus}
    assert by_name["empty"].display_name == "empty.pdf"
    hostile = [case for case in corpus if case.display_name != case.path.name]
    assert {case.name for case in hostile} >= {"name-dotdot", "name-nul", "name-rlo", "name-nfd"}
    assert all(case.expect == {"indexed"} for case in hostile)
    assert len(by_name["name-long"].display_name) > 255
    assert "\x00" in by_name["name-nul"].display_name
    assert "\u202e" in by_name["name-rlo"].display_name


def test_every_case_is_written_afresh(tmp_path: Path, corpus: list[HostileCase]) -> None:
    again = write_corpus(tmp_path)
    assert [case.name for case in again] == [case.name for case in corpus]
    for first, second in zip(corpus, again, strict=True):
        if first.name.startswith("encrypted-"):
            continue  # encryption salts differ from run to run
        assert first.path.read_bytes() == second.path.read_bytes(), first.name


def test_deflated_zeros_inflate_to_the_promised_size() -> None:
    size = 64 * 2**20
    data = deflated_zeros(size)
    assert len(data) < size // 500
    inflater = zlib.decompressobj()
    total = 0
    while data:
        total += len(inflater.decompress(data, 2**22))
        data = inflater.unconsumed_tail
    assert (total, inflater.eof) == (size, True)
