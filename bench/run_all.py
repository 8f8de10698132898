"""Every benchmark in one command (`make bench`): one table of figures, and how cost grows.

    .venv/bin/python bench/run_all.py [--write-docs] [--only NAME]... [--scale F] [--no-growth]

Runs each scenario script of bench/ as a subprocess at the size below, reads its final
``BENCH {json}`` line, prints one table (Rich, then Markdown), and runs the pipeline and
payroll at three sizes to show the cost per item as the size grows. A scenario whose script
does not exist yet is reported as missing; one that fails is reported and the exit code is 1.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._run_docs import HEADERS, Row, machine, markdown, table_rows, write_summary
from bench._run_results import BadBenchLine, Growth, cost_per_item_us, parse_bench

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
#: Scenario script -> (--n, extra arguments) of the summary run. Wall times measured on the
#: quiet 2-core machine: about 10 minutes in all, growth runs included, so 15 with some load.
SIZES: dict[str, tuple[int, tuple[str, ...]]] = {
    "ledger_append": (200_000, ()),  # ~30 s
    # 200,000: with fewer, each of two workers handles a few batches and the start decides.
    "pipeline": (200_000, ("--workers", "1,2", "--take-n", "10000")),  # ~100 s
    "payroll": (100_000, ()),  # ~125 s, the largest growth run (reused)
    "reconcile": (100_000, ()),  # ~50 s
    "audit": (300_000, ()),  # ~90 s
    "query_latency": (500_000, ("--queries", "200")),  # ~40 s
    "generate": (20_000, ("--workers", "2")),  # ~25 s
}
#: Scenario script -> (three sizes, extra arguments) for "how cost grows" (~250 s in all).
GROWTH: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "pipeline": ((10_000, 30_000, 100_000), ("--workers", "1", "--take-n", "0")),
    "payroll": ((10_000, 30_000, 100_000), ()),
}
TIMEOUT_S = 900


def scripts() -> list[str]:
    """Scenario scripts present in bench/ (helpers start with '_'; this runner is not one)."""
    found = {p.stem for p in BENCH_DIR.glob("*.py") if not p.stem.startswith("_")}
    return sorted(found - {"run_all"})


_DONE: dict[tuple[str, int, tuple[str, ...]], Row] = {}


def run(script: str, n: int, extra: tuple[str, ...], timeout: float = TIMEOUT_S) -> Row:
    """Run one scenario script (once per size and arguments) and read its BENCH line."""
    key = (script, n, extra)
    if key not in _DONE:
        _DONE[key] = _run(script, n, extra, timeout)
    return _DONE[key]


def _run(script: str, n: int, extra: tuple[str, ...], timeout: float) -> Row:
    """Run one scenario script and read its BENCH line; failures become a status."""
    path = BENCH_DIR / f"{script}.py"
    if not path.exists():
        return Row(script, n, "missing (script not written yet)")
    command = [sys.executable, str(path), "--n", str(n), *extra]
    print(f"running {script} --n {n:,} {' '.join(extra)}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return Row(script, n, f"FAILED: no result within {timeout:.0f} s")
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        return Row(script, n, f"FAILED (exit {done.returncode}): {tail}", seconds=seconds)
    try:
        record = parse_bench(done.stdout)
    except BadBenchLine as exc:
        return Row(script, n, f"FAILED: {exc}", seconds=seconds)
    print(f"  {seconds:,.1f} s: {record['figure']} {record['unit']}", file=sys.stderr, flush=True)
    return Row(script, n, "ok", record, seconds)


def growth(name: str, sizes: tuple[int, ...], extra: tuple[str, ...]) -> tuple[Growth, bool]:
    """Per-item cost of a scenario at each size; False when a run failed."""
    out, ok = Growth(name), True
    for n in sizes:
        row = run(name, n, extra)
        ok = ok and (row.record is not None or row.status.startswith("missing"))
        out.points.append((n, cost_per_item_us(row.record) if row.record else None))
    return out, ok


def _print_table(rows: list[Row], found: list[Growth]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="aidledger benchmarks")
    for header in HEADERS:
        table.add_column(header, justify="left" if header in ("scenario", "unit") else "right")
    for cells in table_rows(rows):
        table.add_row(*cells)
    console = Console(width=None if sys.stdout.isatty() else 150)
    console.print(table)
    for g in found:
        points = ", ".join(f"{n:,}: {c:,.1f} µs" if c else f"{n:,}: —" for n, c in g.points)
        console.print(f"how cost grows, {g.scenario}: {points} -> {g.verdict()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument("--only", action="append", help="run only this scenario (repeatable)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    parser.add_argument("--no-growth", action="store_true", help="skip the three-size runs")
    args = parser.parse_args(argv)
    wanted = args.only or sorted(set(SIZES) | set(scripts()))
    started, ok = time.perf_counter(), True
    found = []
    for name, (sizes, extra) in GROWTH.items():  # first: the summary may reuse a growth run
        if args.no_growth or name not in wanted:
            continue
        result, good = growth(name, tuple(max(100, int(s * args.scale)) for s in sizes), extra)
        found.append(result)
        ok = ok and good
    rows = []
    for name in wanted:
        n, extra = SIZES.get(name, (10_000, ()))
        rows.append(run(name, max(100, int(n * args.scale)), extra))
        ok = ok and (rows[-1].record is not None or rows[-1].status.startswith("missing"))
    _print_table(rows, found)
    command = shlex.join([".venv/bin/python", "bench/run_all.py", *(argv or sys.argv[1:])])
    body = markdown(rows, found, machine(), command)
    body += f"\nTotal wall time: {time.perf_counter() - started:,.0f} s.\n"
    print(body)
    if args.write_docs:
        write_summary(body)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
