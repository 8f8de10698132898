"""bench/generate.py on the command line: files, the report, parallel parts, bad options."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bench._generate_cli import main
from bench._synth_report import REPORT_COLUMNS
from schemas import parse_event


def _bench_line(out: str) -> dict[str, object]:
    last = out.strip().splitlines()[-1]
    assert last.startswith("BENCH ")
    record: dict[str, object] = json.loads(last[len("BENCH ") :])
    return record


def test_it_writes_events_a_report_with_its_truth_and_a_bench_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, report = tmp_path / "e.jsonl", tmp_path / "r.csv"

    assert (
        main(["--people", "400", "--months", "3", "--out", str(out), "--report", str(report)]) == 0
    )

    lines = out.read_bytes().splitlines()
    assert all(parse_event(line) for line in lines)
    with report.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (tmp_path / "r.truth.csv").open(encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    assert tuple(rows[0]) == REPORT_COLUMNS
    assert {r["list_id"] for r in rows} == {"DS-2025-06-09263"}
    assert {r["kind"] for r in truth} >= {"paid_in_full", "partial", "missing"}
    assert len(truth) >= 350
    bench = _bench_line(capsys.readouterr().out)
    assert bench["scenario"] == "generate" and bench["items"] == len(lines)
    assert isinstance(bench["figure"], float) and bench["figure"] > 0


def test_two_workers_write_exactly_the_same_bytes_as_one(tmp_path: Path) -> None:
    outputs = []
    for workers in ("1", "2"):
        out, report = tmp_path / f"w{workers}.jsonl", tmp_path / f"w{workers}.csv"
        argv = ["--people", "5200", "--months", "1", "--seed", "9", "--workers", workers]
        assert main([*argv, "--out", str(out), "--report", str(report)]) == 0
        outputs.append((out.read_bytes(), report.read_bytes()))

    assert outputs[0] == outputs[1]
    assert outputs[0][0].count(b'"PaymentListIssued"') == 16, "two districts, 16 communes"


def test_a_report_can_be_written_for_lists_from_another_file(tmp_path: Path) -> None:
    events, report, deaths = tmp_path / "e.jsonl", tmp_path / "r.csv", tmp_path / "d.jsonl"
    assert main(["--people", "300", "--months", "2", "--out", str(events)]) == 0

    argv = ["--lists-from", str(events), "--report", str(report), "--out", str(deaths)]
    assert main([*argv, "--rate", "after_death=0.5", "--discrepancy-rate", "0"]) == 0

    with report.open(encoding="utf-8") as handle:
        months = {row["list_id"][3:10] for row in csv.DictReader(handle)}
    assert months == {"2025-05", "2025-06"}
    died = [parse_event(line) for line in deaths.read_bytes().splitlines()]
    assert {e.event_type for e in died} == {"BeneficiaryDied", "EligibilityTerminated"}


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--months", "0"], "at least 1 month"),
        (["--years", "20"], "standard levels from 2014-01"),
        (["--end-month", "2025-13"], "YYYY-MM"),
        (["--rate", "partial=lots"], "expected KIND=RATE"),
        (["--report", "r.csv", "--discrepancy-rate", "0.3"], "more than 1"),
        (["--lists-from", "x.jsonl"], "needs --report"),
    ],
)
def test_bad_options_stop_with_exit_code_3_and_say_why(
    argv: list[str], problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)

    assert main(["--people", "10", *argv]) == 3
    assert problem in capsys.readouterr().err
