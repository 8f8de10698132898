"""Deterministic synthetic data, from one commune to national scale, streamed as JSON lines.

    python bench/generate.py --people 3500000 --years 2 --seed 1 --out national.jsonl \
        [--report report.csv --discrepancy-rate 0.05] [--workers 2]
    python bench/generate.py --lists-from lists.jsonl --report report.csv [--out deaths.jsonl]

Library use: ``population_events(people, years, seed)`` yields validated events (policy first,
then one district at a time); ``report_lines(lists, rates, seed)`` makes a post-office report.
Memory stays bounded by one district (about 5,000 people) whatever the population. The final
month's lists are issued but their outcomes are left to the report (``--report``): a CSV in the
disbursement report layout of docs/formats.md, plus ``<report>.truth.csv`` with each line's kind.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._synth_discrepancy import Discrepancy, discrepancy_rates
from bench._synth_district import district_events
from bench._synth_facts import POLICY, build
from bench._synth_geography import District, districts
from bench._synth_policy import BASE_SALARIES, EARLIEST_MONTH, STANDARD_LEVELS
from bench._synth_report import REPORT_COLUMNS, TRUTH_COLUMNS, ReportLine, report_lines
from schemas import AidLedgerError, Event, canonical_json
from schemas.months import add_months
from schemas.payments import PaymentListIssued
from schemas.policy import BaseSalarySet, StandardLevelSet
from schemas.registry import parse_event

DEFAULT_END = "2025-06"
__all__ = [
    "REPORT_COLUMNS",
    "Discrepancy",
    "discrepancy_rates",
    "population_events",
    "report_lines",
]


class BadGeneratorInput(AidLedgerError):
    """Options the generator cannot honour (a window before the known standard levels...)."""

    exit_code = 3


def window(years: int, end: str = DEFAULT_END, months: int | None = None) -> tuple[str, str]:
    """First and last month of ``years`` years (or ``months`` months) of history to ``end``."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", end):
        raise BadGeneratorInput(f"the end month must be written YYYY-MM, got {end!r}")
    length = 12 * years if months is None else months
    first = add_months(end, 1 - length)
    if length < 1 or first < EARLIEST_MONTH:
        raise BadGeneratorInput(
            f"{length} month(s) of history ending {end} would start at {first}; the generator"
            f" knows standard levels from {EARLIEST_MONTH} (choose at least 1 month, and start"
            " no earlier)"
        )
    return first, end


def policy_events(seed: int) -> Iterator[Event]:
    """The national standard levels and base salaries, as the policy desk recorded them."""
    for level in STANDARD_LEVELS:
        yield build(
            seed,
            StandardLevelSet,
            (level.effective_month,),
            level.known_at,
            POLICY,
            legal_basis=level.legal_basis,
            amount_vnd=level.amount_vnd,
            effective_month=level.effective_month,
        )
    for effective, amount, basis in BASE_SALARIES:
        when = STANDARD_LEVELS[0].known_at.replace(year=effective.year, month=effective.month)
        yield build(
            seed,
            BaseSalarySet,
            (effective,),
            when,
            POLICY,
            legal_basis=basis,
            amount_vnd=amount,
            effective_date=effective,
        )


def population_events(
    people: int,
    years: int = 1,
    seed: int = 1,
    end: str = DEFAULT_END,
    report: ReportSink | None = None,
    months: int | None = None,
) -> Iterator[Event]:
    """Every event of a synthetic population: policy first, then each district in turn."""
    first, last = window(years, end, months)
    yield from policy_events(seed)
    for district in districts(people):
        yield from district_events(seed, district, first, last, report.hook if report else None)


@dataclass
class ReportSink:
    """Collects the final month's post-office report: CSV rows, truth rows, revealed events."""

    rates: Mapping[Discrepancy, float]
    seed: int
    rows: IO[str]
    truth: IO[str]
    kinds: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rows = csv.DictWriter(self.rows, REPORT_COLUMNS, lineterminator="\n")
        self._truth = csv.DictWriter(self.truth, TRUTH_COLUMNS, lineterminator="\n")

    def header(self) -> None:
        self._rows.writeheader()
        self._truth.writeheader()

    def write(self, line: ReportLine) -> tuple[Event, ...]:
        self._rows.writerows(line.rows)
        self._truth.writerow(line.truth())
        self.kinds[line.kind.value] += 1
        return line.events

    def hook(self, lists: list[PaymentListIssued], deceased: set[str]) -> list[Event]:
        revealed: list[Event] = []
        for line in report_lines(lists, self.rates, self.seed, deceased):
            revealed += self.write(line)
        return revealed


def read_lists(path: Path) -> Iterator[PaymentListIssued]:
    """The payment lists of a JSON-lines file (other events are skipped), streamed."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if b'"PaymentListIssued"' in raw:
                event = parse_event(raw, record=f"{path}:{number}")
                if isinstance(event, PaymentListIssued):
                    yield event


def write_events(events: Iterator[Event], out: BinaryIO | None, counts: Counter[str]) -> int:
    """Canonical JSON lines to ``out`` (or nowhere); returns bytes, counts events by type."""
    size = 0
    for event in events:
        data = canonical_json(event) + b"\n"
        size += len(data)
        counts[event.event_type] += 1
        if out is not None:
            out.write(data)
    return size


def _district_part(
    job: tuple[int, District, str, str, Path, Mapping[Discrepancy, float] | None, bool],
) -> tuple[Counter[str], int, Counter[str]]:
    """Worker: one district into part files (events, report rows, truth) under a temp dir."""
    seed, district, first, last, tmp, rates, keep = job
    counts: Counter[str] = Counter()
    stem = tmp / f"{district.index:06d}"
    with ExitStack() as stack:
        out = stack.enter_context(stem.with_suffix(".jsonl").open("wb")) if keep else None
        sink = None
        if rates is not None:
            rows = stack.enter_context(stem.with_suffix(".csv").open("w", encoding="utf-8"))
            truth = stack.enter_context(stem.with_suffix(".truth").open("w", encoding="utf-8"))
            sink = ReportSink(rates, seed, rows, truth)
        hook = sink.hook if sink else None
        size = write_events(district_events(seed, district, first, last, hook), out, counts)
    return counts, size, sink.kinds if sink else Counter()


if __name__ == "__main__":
    from bench._generate_cli import main

    raise SystemExit(main(sys.argv[1:]))
