"""A report's rows as COPY text: two processes sharing a large CSV give what one gives."""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.postoffice import report_copy
from connectors.postoffice.report_copy import (
    Chunk,
    HelperFailed,
    claimed_chunks,
    report_chunks,
)
from connectors.postoffice.report_rows import ReportUnreadable

HEADER = (
    "list_id,line_no,person_id,amount_paid_vnd,paid_at,receipt_no,collected_by,"
    "not_collected_reason\n"
)


def _report(path: Path, rows: int) -> Path:
    """Rows 2..rows+1; every 37th has a bad amount, every 50th is blank."""
    lines = [HEADER]
    for n in range(2, rows + 2):
        if n % 50 == 0:
            lines.append(",,,,,,,\n")
        elif n % 37 == 0:
            lines.append(f"PL-1,{n},P{n},12.5,2025-03-05,R{n},self,\n")
        else:
            lines.append(f"PL-1,{n},P{n},750000,2025-03-05 09:30,R{n},self,\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _flatten(chunks: list[Chunk]) -> tuple[int, list[str], list[tuple[int, str]]]:
    lines = sorted(line for c in chunks for line in c.copy_text.splitlines())
    return sum(c.rows for c in chunks), lines, sorted(p for c in chunks for p in c.problems)


def test_two_processes_sharing_a_csv_validate_every_row_once_as_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _report(tmp_path / "report.csv", 2_000)
    monkeypatch.setattr(report_copy, "CHUNK_ROWS", 40)
    alone = _flatten(list(report_chunks(path, shared=False)))
    taken_here: list[int] = []
    claims = report_copy._counter_claim

    def slow_claims(counter: Any) -> Callable[[int], bool]:
        claim = claims(counter)

        def slowly(k: int) -> bool:
            # This process waits for the helper to take the first chunk (it may take a
            # second or more to start on a busy machine), then both race for the rest.
            deadline = time.monotonic() + 60
            while k == 0 and counter.value == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            if claim(k):
                taken_here.append(k)
                return True
            return False

        return slowly

    monkeypatch.setattr(report_copy, "_counter_claim", slow_claims)
    shared = _flatten(list(report_chunks(path, shared=True)))

    assert shared == alone
    assert 0 < len(taken_here) < 50  # both processes validated some of the 50 chunks
    rows, lines, problems = alone
    assert rows == 2_000 - 40  # the blank rows are not rows
    assert len(lines) == rows - len(problems)
    assert [n for n, _ in problems] == [n for n in range(2, 2_002) if n % 37 == 0 and n % 50]
    assert all("amount_paid_vnd" in reason for _, reason in problems)


def test_each_process_validates_only_the_chunks_it_claims(tmp_path: Path) -> None:
    path = _report(tmp_path / "report.csv", 100)
    asked: list[int] = []

    def even(k: int) -> bool:
        asked.append(k)
        return k % 2 == 0

    def odd(k: int) -> bool:
        return k % 2 == 1

    mine = claimed_chunks(path, even, 10)
    theirs = claimed_chunks(path, odd, 10)
    first_rows = sorted(int(c.copy_text.split("\t", 1)[0]) for c in [*mine, *theirs])

    assert asked == list(range(10))
    assert first_rows == [n for n in range(2, 102, 10)]


def test_a_helper_that_stops_before_its_end_fails_the_import(tmp_path: Path) -> None:
    receive, send = multiprocessing.Pipe(duplex=False)
    send.send(Chunk(1, "x\n", []))
    send.close()
    arrived: queue.SimpleQueue[Any] = queue.SimpleQueue()

    report_copy._receive_all(receive, arrived)

    assert arrived.get() == Chunk(1, "x\n", [])
    with pytest.raises(HelperFailed, match="stopped before sending all of its chunks"):
        report_copy._checked(arrived.get())


def test_an_xlsx_report_is_read_by_one_process_even_when_sharing_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append(["PL-1", 1, "P1", 750000, "2025-03-05", "R1", "self", None])
    book.save(tmp_path / "report.xlsx")

    def no_helper(*args: object) -> None:
        raise AssertionError("an XLSX report must not start a helper")

    monkeypatch.setattr(report_copy, "_shared_chunks", no_helper)
    chunks = list(report_chunks(tmp_path / "report.xlsx", shared=True))

    assert [(c.rows, c.problems) for c in chunks] == [(1, [])]


def test_a_report_not_in_utf8_is_unreadable_whichever_process_reads_the_bad_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _report(tmp_path / "report.csv", 400)
    with path.open("ab") as handle:
        handle.write("PL-1,999,P999,750000,2025-03-05,R999,proxy,,Lê Văn A\n".encode("cp1258"))
    monkeypatch.setattr(report_copy, "CHUNK_ROWS", 40)

    with pytest.raises(ReportUnreadable, match="not UTF-8 text"):
        list(report_chunks(path, shared=True))
    # The helper's own finding is raised as the file's fault too, not as the helper failing.
    receive, send = multiprocessing.Pipe(duplex=False)
    report_copy._helper(path, 40, multiprocessing.Value("q", 0), send)
    arrived: queue.SimpleQueue[Any] = queue.SimpleQueue()
    report_copy._receive_all(receive, arrived)
    messages = []
    while not arrived.empty():
        messages.append(arrived.get())
    with pytest.raises(ReportUnreadable, match="not UTF-8 text"):
        for message in messages:
            report_copy._checked(message)
