"""The command line of bench/generate.py: options, parallel district parts, the BENCH line."""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import IO, BinaryIO

from bench._common import Timer, current_rss_mb, peak_rss_mb, print_bench
from bench._synth_district import district_events
from bench._synth_geography import districts
from bench.generate import (
    DEFAULT_END,
    BadGeneratorInput,
    Discrepancy,
    ReportSink,
    _district_part,
    discrepancy_rates,
    policy_events,
    read_lists,
    report_lines,
    window,
    write_events,
)
from schemas import AidLedgerError, Event

#: A national year (3.5M people, ~90M events) within about two hours on two cores.
TARGET_EVENTS_PER_S = 12_500


def _options(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/generate.py", description=__doc__)
    p.add_argument("--people", "--n", dest="people", type=int, default=1000)
    p.add_argument("--years", type=int, default=1, help="years of monthly history")
    p.add_argument("--months", type=int, help="months of history instead of --years")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--end-month", default=DEFAULT_END, help="last month of history (YYYY-MM)")
    p.add_argument("--out", help="JSON-lines file, '-' for stdout; omitted: count only")
    p.add_argument("--report", help="post-office report CSV for the final month's lists")
    p.add_argument(
        "--discrepancy-rate",
        type=float,
        default=0.05,
        help="rate of EACH discrepancy kind in the report",
    )
    kinds = ", ".join(k.value for k in Discrepancy)
    p.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="KIND=RATE",
        help=f"override one kind: {kinds}",
    )
    p.add_argument("--lists-from", help="write --report for the lists in this JSONL instead")
    p.add_argument("--workers", type=int, default=1, help="processes (output is identical)")
    return p.parse_args(argv)


def _rates(args: argparse.Namespace) -> dict[Discrepancy, float]:
    overrides: dict[str, float] = {}
    for item in args.rate:
        kind, _, value = item.partition("=")
        try:
            overrides[kind] = float(value)
        except ValueError:
            problem = f"--rate {item!r}: expected KIND=RATE, e.g. partial=0.02"
            raise BadGeneratorInput(problem) from None
    return discrepancy_rates(args.discrepancy_rate, overrides)


def _generate(
    args: argparse.Namespace, out: BinaryIO | None, sink: ReportSink | None, counts: Counter[str]
) -> int:
    first, last = window(args.years, args.end_month, args.months)
    size = write_events(policy_events(args.seed), out, counts)
    if args.workers <= 1:
        for district in districts(args.people):
            hook = sink.hook if sink else None
            size += write_events(
                district_events(args.seed, district, first, last, hook), out, counts
            )
        return size
    rates: Mapping[Discrepancy, float] | None = sink.rates if sink else None
    with tempfile.TemporaryDirectory(prefix="aidledger-gen-") as name:
        tmp = Path(name)
        jobs = (
            (args.seed, d, first, last, tmp, rates, out is not None) for d in districts(args.people)
        )
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            for index, (part_counts, part_size, kinds) in enumerate(
                pool.imap(_district_part, jobs, chunksize=1)
            ):
                counts.update(part_counts)
                size += part_size
                stem = tmp / f"{index:06d}"
                _move(stem.with_suffix(".jsonl"), out)
                if sink is not None:
                    sink.kinds.update(kinds)
                    _move_text(stem.with_suffix(".csv"), sink.rows)
                    _move_text(stem.with_suffix(".truth"), sink.truth)
    return size


def _move(part: Path, out: BinaryIO | None) -> None:
    if out is not None:
        with part.open("rb") as handle:
            shutil.copyfileobj(handle, out, 1 << 20)
    part.unlink(missing_ok=True)


def _move_text(part: Path, out: IO[str]) -> None:
    with part.open(encoding="utf-8") as handle:
        shutil.copyfileobj(handle, out, 1 << 20)
    part.unlink()


def main(argv: list[str]) -> int:
    """Run the generator; errors print one line and return their exit code."""
    args = _options(argv)
    try:
        return _run(args)
    except AidLedgerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code


def _run(args: argparse.Namespace) -> int:
    if args.people < 1:
        raise BadGeneratorInput(f"--people must be at least 1, got {args.people}")
    rates = _rates(args)  # checked even without --report: a wrong option is never ignored
    counts: Counter[str] = Counter()
    with ExitStack() as stack:
        out: BinaryIO | None = None
        if args.out == "-":
            out = sys.stdout.buffer
        elif args.out:
            out = stack.enter_context(Path(args.out).open("wb"))
        sink = None
        if args.report:
            report = Path(args.report)
            rows = stack.enter_context(report.open("w", encoding="utf-8", newline=""))
            truth_path = report.with_suffix(".truth.csv")
            truth = stack.enter_context(truth_path.open("w", encoding="utf-8", newline=""))
            sink = ReportSink(rates, args.seed, rows, truth)
            sink.header()
        with Timer() as timer:
            if args.lists_from:
                if sink is None:
                    raise BadGeneratorInput("--lists-from needs --report FILE.csv")
                revealed: list[Event] = []
                lists = read_lists(Path(args.lists_from))
                for line in report_lines(lists, sink.rates, args.seed):
                    revealed += sink.write(line)
                size = write_events(iter(revealed), out, counts)
            else:
                size = _generate(args, out, sink, counts)
    _summary(args, counts, size, timer.seconds, sink)
    return 0


def _summary(
    args: argparse.Namespace,
    counts: Counter[str],
    size: int,
    seconds: float,
    sink: ReportSink | None,
) -> None:
    show = sys.stderr if args.out == "-" else sys.stdout
    events = sum(counts.values())
    rate = events / seconds if seconds else 0.0
    print(
        f"people {args.people:,}  years {args.years}  seed {args.seed}  workers {args.workers}",
        file=show,
    )
    for name, count in sorted(counts.items()):
        print(f"  {name:<28} {count:>12,}", file=show)
    print(
        f"events {events:,} ({size / 2**20:,.1f} MiB) in {seconds:,.1f} s: {rate:,.0f} events/s,"
        f" {args.people / seconds:,.0f} people/s",
        file=show,
    )
    print(f"peak RSS {peak_rss_mb():,.1f} MiB (now {current_rss_mb():,.1f} MiB)", file=show)
    if sink is not None:
        print(
            "report lines: " + ", ".join(f"{k} {v:,}" for k, v in sorted(sink.kinds.items())),
            file=show,
        )
    if args.out != "-":
        print_bench(
            "generate",
            round(rate, 1),
            "events/s",
            target=f">= {TARGET_EVENTS_PER_S}",
            n=args.people,
            items=events,
            seconds=round(seconds, 3),
            bytes=size,
            years=args.years,
            workers=args.workers,
        )
