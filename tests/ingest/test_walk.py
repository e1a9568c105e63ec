# SPDX-License-Identifier: EUPL-1.2
"""`archief ingest PATH...` reads each file once, however often its paths name it."""

from __future__ import annotations

from pathlib import Path

from archief.intake import bulk


def test_a_file_named_twice_is_walked_once(tmp_path: Path) -> None:
    backlog = tmp_path / "achterstand"
    (backlog / "2019").mkdir(parents=True)
    for name in ("a.pdf", "2019/b.pdf"):
        (backlog / name).write_bytes(b"%PDF-1.4 " + name.encode())
    (backlog / "snelkoppeling.pdf").symlink_to(backlog / "a.pdf")

    walked = list(
        bulk.walk(
            [
                backlog,
                backlog / "2019" / "b.pdf",  # a file inside a folder already given
                tmp_path / "achterstand" / ".." / "achterstand",  # the folder again
                tmp_path / "ontbreekt.pdf",  # not there: nothing
            ]
        )
    )

    assert walked == [backlog / "2019" / "b.pdf", backlog / "a.pdf"]
