"""The synthetic post-office report: each discrepancy kind at about its requested rate."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench._synth_discrepancy import LINE_KINDS, BadRates, Discrepancy, discrepancy_rates
from bench._synth_report import REPORT_COLUMNS, ReportLine, report_lines
from schemas import make_event
from schemas.canonical import lines_digest
from schemas.eligibility import BeneficiaryDied
from schemas.payments import Component, PaymentLine, PaymentListIssued

AT = datetime(2025, 5, 20, 3, tzinfo=UTC)


def _list(number: int, lines: int) -> PaymentListIssued:
    commune = f"{29000 + number:05d}"
    rows = tuple(
        PaymentLine(line_no=i, person_id=f"P{number:04d}{i:05d}", full_name="Nguyễn Thị Lan",
                    commune_code=commune, components={Component.REGULAR: 540_000},
                    amount_vnd=540_000)
        for i in range(1, lines + 1)
    )  # fmt: skip
    return make_event(
        PaymentListIssued, occurred_at=AT, recorded_at=AT, list_id=f"DS-2025-06-{commune}",
        month="2025-06", province_code="84", district_code="842", commune_code=commune,
        post_office_code="VNP-842", lines=rows, total_vnd=540_000 * lines,
        digest=lines_digest(rows),
    )  # fmt: skip


@pytest.fixture(scope="module")
def report() -> list[ReportLine]:
    lists = [_list(n, 250) for n in range(40)]
    return list(report_lines(lists, discrepancy_rates(0.05), seed=11))


def test_each_discrepancy_kind_comes_at_about_its_requested_rate(report: list[ReportLine]) -> None:
    kinds = Counter(line.kind for line in report)

    for kind in (*LINE_KINDS, Discrepancy.NOT_ON_LIST):
        assert 400 <= kinds[kind] <= 600, f"{kind}: {kinds[kind]} of 10,000 lines at 5%"
    assert 6_700 <= kinds[Discrepancy.PAID_IN_FULL] <= 7_300


def test_the_rows_show_what_each_kind_means(report: list[ReportLine]) -> None:
    for line in report:
        paid = [int(r["amount_paid_vnd"]) for r in line.rows if r["amount_paid_vnd"]]
        if line.kind is Discrepancy.PAID_IN_FULL:
            assert paid == [540_000]
        elif line.kind is Discrepancy.PARTIAL:
            assert len(paid) == 1 and 0 < paid[0] < 540_000
        elif line.kind is Discrepancy.OVERPAID:
            assert len(paid) == 1 and paid[0] > 540_000
        elif line.kind is Discrepancy.PAID_TWICE:
            assert paid == [540_000, 540_000]
            assert line.rows[0]["receipt_no"] != line.rows[1]["receipt_no"]
        elif line.kind is Discrepancy.NOT_COLLECTED:
            (row,) = line.rows
            assert row["not_collected_reason"] and row["paid_at"] and not row["receipt_no"]
        elif line.kind is Discrepancy.MISSING:
            assert line.rows == ()
        elif line.kind is Discrepancy.NOT_ON_LIST:
            assert line.line_no > 250 and line.person_id.startswith("U")
            assert line.listed_vnd is None and paid
        elif line.kind is Discrepancy.AFTER_DEATH:
            (death,) = [e for e in line.events if isinstance(e, BeneficiaryDied)]
            assert death.date_of_death < datetime(2025, 6, 1).date() and paid == [540_000]
        assert all(tuple(row) == REPORT_COLUMNS for row in line.rows)
        assert all(row["paid_at"] and row["line_no"] for row in line.rows)


def test_the_layout_is_the_disbursement_report_of_docs_formats(
    report: list[ReportLine], tmp_path: Path
) -> None:
    from connectors.postoffice.layout import REPORT_OPTIONAL, REPORT_REQUIRED
    from connectors.postoffice.report_rows import parse_row, raw_rows

    path = tmp_path / "report.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, REPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(row for line in report for row in line.rows)
    parsed = [parse_row(number, raw) for number, raw in raw_rows(path)]

    assert set(REPORT_COLUMNS) == set(REPORT_REQUIRED) | set(REPORT_OPTIONAL)
    assert len(parsed) == sum(len(line.rows) for line in report), "every row is importable"


def test_a_rate_can_be_set_per_kind() -> None:
    rates = discrepancy_rates(0.0, {"partial": 0.3})
    kinds = Counter(line.kind for line in report_lines([_list(1, 400)], rates, seed=2))

    assert set(kinds) == {Discrepancy.PARTIAL, Discrepancy.PAID_IN_FULL}
    assert 90 <= kinds[Discrepancy.PARTIAL] <= 150


def test_a_person_whose_death_is_known_is_reported_as_not_collected() -> None:
    issued = _list(2, 20)
    dead = {issued.lines[3].person_id}
    lines = list(report_lines([issued], discrepancy_rates(0.0), seed=1, deceased=dead))

    assert [x.kind for x in lines if x.person_id in dead] == [Discrepancy.NOT_COLLECTED]


@pytest.mark.parametrize(
    ("every", "overrides", "problem"),
    [
        (0.2, {}, "add up to more than 1"),
        (0.05, {"late": 0.1}, "unknown discrepancy kind 'late'"),
        (-0.1, {}, "between 0 and 1"),
    ],
)
def test_impossible_rates_are_refused_with_the_reason(
    every: float, overrides: dict[str, float], problem: str
) -> None:
    with pytest.raises(BadRates, match=problem) as refused:
        discrepancy_rates(every, overrides)

    assert refused.value.exit_code == 3
