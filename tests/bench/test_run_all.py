"""The benchmark runner's judgement: BENCH lines, targets, cost growth and the docs section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench._run_docs import SIZES_NOTE, SUMMARY, Row, markdown, write_summary
from bench._run_results import BadBenchLine, Growth, cost_per_item_us, parse_bench, target_met


def _line(**record: object) -> str:
    base = {"scenario": "payroll", "figure": 6000.0, "unit": "beneficiaries/s"}
    return "some report\nBENCH " + json.dumps({**base, **record}) + "\n"


def test_the_last_bench_line_is_read() -> None:
    out = "BENCH " + json.dumps({"scenario": "old", "figure": 1, "unit": "x/s"}) + "\n" + _line()

    assert parse_bench(out)["scenario"] == "payroll"


@pytest.mark.parametrize(
    ("stdout", "problem"),
    [
        ("no bench line here", "no line starting"),
        ("BENCH {not json", "not JSON"),
        ('BENCH {"scenario": "x", "unit": "s"}', "lacks figure"),
        ('BENCH {"scenario": "x", "figure": "fast", "unit": "s"}', "must be a number"),
    ],
)
def test_a_malformed_bench_line_is_refused_with_the_reason(stdout: str, problem: str) -> None:
    with pytest.raises(BadBenchLine, match=problem):
        parse_bench(stdout)


@pytest.mark.parametrize(
    ("record", "met"),
    [
        ({"figure": 6000, "unit": "events/s", "target": ">= 5556"}, True),
        ({"figure": 900, "unit": "events/s", "target": ">= 5556"}, False),
        ({"figure": 6.3, "unit": "ms p99", "target": "<= 100"}, True),
        ({"figure": 6.3, "unit": "ms p99", "target": 5}, False),
        ({"figure": 6000, "unit": "events/s", "target": 5000}, True),
        ({"figure": 1, "unit": "s", "target": None}, None),
        ({"figure": 1, "unit": "s", "target": "<= 2", "met": False}, False),
    ],
)
def test_a_target_is_met_in_the_direction_of_its_unit(
    record: dict[str, object], met: bool | None
) -> None:
    assert target_met({"scenario": "x", **record}) is met


def test_cost_per_item_comes_from_seconds_or_from_the_rate() -> None:
    assert cost_per_item_us({"figure": 1, "unit": "x", "seconds": 2.0, "items": 1000}) == 2000
    assert cost_per_item_us({"figure": 4000.0, "unit": "events/s"}) == 250


def test_growth_is_linear_when_the_cost_per_item_stays_flat_and_flagged_when_it_climbs() -> None:
    flat = Growth("pipeline", [(10_000, 100.0), (30_000, 104.0), (100_000, 110.0)])
    climbing = Growth("payroll", [(10_000, 100.0), (30_000, 300.0), (100_000, 1000.0)])

    assert flat.verdict().startswith("linear")
    assert climbing.verdict().startswith("SUPERLINEAR")
    assert Growth("x", [(10, None)]).verdict().startswith("unknown")


def test_the_summary_replaces_only_its_own_section(tmp_path: Path) -> None:
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(
        f"# Performance\n\n## Payroll\n\nmine\n\n{SUMMARY}\n\nold table\n\n## Audit\n\ntheirs\n",
        encoding="utf-8",
    )
    row = Row("payroll", 100, "ok", json.loads(_line().split("BENCH ")[1]))

    write_summary(markdown([row, Row("audit", 10, "missing")], [], "2 CPUs", "cmd"), doc)

    text = doc.read_text(encoding="utf-8")
    assert "old table" not in text
    assert "## Payroll\n\nmine" in text and "## Audit\n\ntheirs" in text
    assert "| payroll | 100 | 6,000 | beneficiaries/s |" in text
    assert "| audit | 10 | missing |" in text
    assert SIZES_NOTE in text  # the run's sizes are not the targets' sizes


def test_a_missing_file_is_created_with_the_how_to_section(tmp_path: Path) -> None:
    doc = tmp_path / "PERFORMANCE.md"

    write_summary("the table\n", doc)

    text = doc.read_text(encoding="utf-8")
    assert text.index("## How to run the benchmarks") < text.index(SUMMARY)
    assert text.rstrip().endswith("the table")


def test_a_file_written_by_others_first_gets_the_how_to_section_too(tmp_path: Path) -> None:
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text("# Performance\n\n## Payroll\n\nmine\n", encoding="utf-8")

    write_summary("the table\n", doc)

    text = doc.read_text(encoding="utf-8")
    assert text.index("## Payroll") < text.index("## How to run") < text.index(SUMMARY)


def test_a_run_on_a_slow_host_says_so_under_the_summary() -> None:
    quiet = Row("payroll", 100, "ok", json.loads(_line(speed_probe_s=0.26).split("BENCH ")[1]))
    slow = Row("audit", 100, "ok", json.loads(_line(speed_probe_s=0.5).split("BENCH ")[1]))

    calm = markdown([quiet], [], "2 CPUs", "cmd")
    busy = markdown([quiet, slow], [], "2 CPUs", "cmd")

    assert "Host speed probe" in calm and "0.26-0.26 s" in calm
    assert "host was slow" not in calm
    assert "0.26-0.50 s" in busy and "host was slow (speed probe 0.50 s" in busy
    assert "2.0 times below" in busy


def test_the_speed_probe_times_the_loop_and_only_a_slow_one_is_noted() -> None:
    from bench._common import QUIET_PROBE_S, slow_host_note, speed_probe

    assert 0 < speed_probe(repeats=1) < 60
    assert slow_host_note([QUIET_PROBE_S, QUIET_PROBE_S * 1.1]) is None
    assert slow_host_note([]) is None
    assert "1.6 times below" in str(slow_host_note([QUIET_PROBE_S * 1.6]))
