"""The summary of a benchmark run as Markdown, the machine it ran on, and docs/PERFORMANCE.md."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench._common import QUIET_PROBE_S, slow_host_note
from bench._run_results import Growth, target_met

DOC = Path(__file__).resolve().parents[1] / "docs" / "PERFORMANCE.md"
SUMMARY = "## Summary table"
INTRO = """# Performance

How fast aidledger is on a small machine, measured by the scripts in `bench/` (one scenario
each, every script ends with a `BENCH {json}` line; see docs/architecture.md). Each area adds
its own section below; `make bench` rewrites the summary table.
"""
HOW_TO = """## How to run the benchmarks

- Everything, at sizes that fit in about 15 minutes on 2 cores: `make bench` (that is
  `.venv/bin/python bench/run_all.py`). Add `--write-docs` to refresh the summary table below,
  `--only payroll --only reconcile` for some scenarios, `--scale 0.1` for a quick look,
  `--no-growth` to skip the three-size runs. Sizes are in the table at the top of
  `bench/run_all.py`.
- One scenario: `.venv/bin/python bench/<name>.py --n N`. It prints its figures and, last,
  `BENCH {"scenario", "figure", "unit", "raw_limit", "ratio", "peak_rss_mb", "target", ...}`.
  `target` reads `">= 5000"` or `"<= 50"` in the figure's unit; `raw_limit` is the speed of
  the same work without aidledger (a bare COPY, a bare consume...) measured in the same run.
  `speed_probe_s` is how long a fixed Python loop took as the run ended (0.25 s on this
  machine when quiet): the host is shared, and a run with a probe well above that prints a
  note that its figures are not the machine's own.
- Each script starts its own PostgreSQL and broker in a temporary directory on free ports, or
  uses `DATABASE_URL` (a scratch database is created and dropped) and
  `KAFKA_BOOTSTRAP_SERVERS` (a fresh topic prefix) when they are set.
- Synthetic data: `bench/generate.py --people N --years Y --seed S --out FILE.jsonl
  [--report FILE.csv --discrepancy-rate 0.05] [--workers 2]` streams a deterministic
  population (same seed, same bytes, whatever the worker count) from one commune to national
  scale (3,500,000 people in 63 provinces; smaller populations fill whole provinces starting
  with Trà Vinh). The report follows the disbursement report layout of docs/formats.md and
  comes with `FILE.truth.csv`, the true kind of every line. `--lists-from FILE.jsonl` writes a
  report for lists made elsewhere (e.g. by payroll).
  Measured: `--people 1000000 --years 1 --workers 2` wrote 28,110,702 events (15.6 GiB) and
  a 1,000,000-line report in 1,228 s (22,885 events/s, 814 people/s), peak RSS 65.5 MiB.
- Query latency at the target size: `.venv/bin/python bench/query_latency.py --n 10000000`
  (about 20 minutes: the load goes through `Ledger.append`). Measured: 9,999,947 events
  loaded in 1,098 s (9,111 events/s); for people with ten years of history (259 events):
  balance p50 0.48 / p99 0.53 ms, balance as of a date p99 0.81 ms, history p50 4.9 / p99
  6.3 ms (raw index fetch of their rows p99 0.35 ms).
- Benchmarks are not tests; `tests/bench/` only checks that every script still runs at a tiny
  size (`pytest tests/bench -m slow`).
"""


@dataclass
class Row:
    """One scenario's outcome in the summary."""

    script: str
    n: int | None
    status: str
    record: dict[str, Any] | None = None
    seconds: float = 0.0


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table_rows(rows: Sequence[Row]) -> list[list[str]]:
    """Cells per scenario: scenario, n, figure, unit, raw limit, ratio, RSS, target, met?"""
    out = []
    for row in rows:
        rec = row.record
        if rec is None:
            out.append([row.script, _num(row.n), row.status, "", "", "", "", "", ""])
            continue
        met = target_met(rec)
        verdict = "—" if met is None else ("yes" if met else "NO")
        out.append([
            str(rec["scenario"]), _num(rec.get("n", row.n)), _num(rec["figure"]), str(rec["unit"]),
            _num(rec.get("raw_limit")), _num(rec.get("ratio")), _num(rec.get("peak_rss_mb")),
            str(rec.get("target") or "—"), verdict,
        ])  # fmt: skip
    return out


#: Under every summary table: the sizes of this run are not those of the targets.
SIZES_NOTE = (
    "These sizes fit the run in about 15 minutes. The targets are set at the sizes the issues"
    " name (1,000,000 beneficiaries, report rows or events for payroll, reconciliation and"
    " audit); at smaller sizes fixed costs (starting"
    " workers, joining the group) weigh more, so a verdict here can differ from the one at full"
    " size. Each section below gives the full-size figures."
)

HEADERS = ["scenario", "n", "figure", "unit", "raw limit", "ratio", "peak RSS MB", "target", "met?"]


def _probe_lines(rows: Sequence[Row]) -> list[str]:
    """How fast the host ran: the speed probe each scenario took as it ended."""
    probes = [
        float(row.record["speed_probe_s"])
        for row in rows
        if row.record and isinstance(row.record.get("speed_probe_s"), int | float)
    ]
    if not probes:
        return []
    lines = [
        "",
        f"Host speed probe (a fixed Python loop, `bench._common.speed_probe`, as each scenario "
        f"ended): {min(probes):.2f}-{max(probes):.2f} s; {QUIET_PROBE_S} s on this machine "
        "when quiet.",
    ]
    note = slow_host_note(probes)
    return lines + ([f"**{note[0].upper()}{note[1:]}.**"] if note else [])


def markdown(rows: Sequence[Row], growth: Sequence[Growth], machine: str, command: str) -> str:
    """The summary section body: machine, command, the table and how cost grows."""
    lines = [f"Machine: {machine}.", "", f"Command: `{command}`", ""]
    lines += ["| " + " | ".join(HEADERS) + " |", "|" + " --- |" * len(HEADERS)]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(rows)]
    lines += ["", SIZES_NOTE]
    lines += _probe_lines(rows)
    if growth:
        lines += ["", "How cost grows (µs per item at each size):", ""]
        lines += ["| scenario | sizes and cost per item | verdict |", "| --- | --- | --- |"]
        for g in growth:
            sizes = ", ".join(f"{n:,}: {_num(c)}" for n, c in g.points)
            lines.append(f"| {g.scenario} | {sizes} | {g.verdict()} |")
    return "\n".join(lines) + "\n"


def machine() -> str:
    """nproc, memory and CPU model of this machine (from /proc when available)."""
    model, memory = platform.processor() or "unknown CPU", "unknown memory"
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = found.group(1).strip() if found else model
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.M)
        memory = f"{int(found.group(1)) / 2**20:.1f} GiB RAM" if found else memory
    return f"{os.cpu_count()} CPUs ({model}), {memory}, Python {platform.python_version()}"


def write_summary(body: str, doc: Path = DOC) -> None:
    """Replace the body of the summary section (creating the file or section if missing)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else INTRO + "\n" + HOW_TO
    if HOW_TO.splitlines()[0] not in text:
        text = text.rstrip("\n") + "\n\n" + HOW_TO
    if SUMMARY not in text:
        text = text.rstrip("\n") + f"\n\n{SUMMARY}\n\n"
    head, _, rest = text.partition(SUMMARY)
    following = re.search(r"^## ", rest, re.M)
    tail = rest[following.start() :] if following else ""
    section = f"{SUMMARY}\n\n{body}"
    doc.write_text(head + section + ("\n" + tail if tail else ""), encoding="utf-8")
