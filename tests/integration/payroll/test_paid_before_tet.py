"""Before Tết the post office may pay two months at once: January's and February's lists are
issued in January and paid the same day. Both reconcile in full; a death in late January,
reported in February, turns February's allowance into an overpayment recovered on March's
list, beside the funeral support, and no month is paid twice or missed."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors.postoffice.layout import REPORT_REQUIRED, TOTAL
from connectors.postoffice.list_export import export_lists
from connectors.postoffice.report_import import import_report
from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.classify import LineStatus as S
from ledger.reconciliation.report import ClassifiedLine, reconcile
from schemas.eligibility import BeneficiaryGroup as G
from schemas.payments import AllowanceAccrued, PaymentDisbursed
from tests.unit.payroll.builders import History

pytestmark = pytest.mark.integration

AMOUNT = 750_000  # severe disability: 1.5 x 500,000
FUNERAL = 10_000_000  # 20 x 500,000
PEOPLE = ("A", "B", "C")


def _lines(ledger: Ledger, month: str, out: Path) -> list[dict[str, str]]:
    files = export_lists(ledger.engine, out, month, "84", fmt="csv")
    rows: list[dict[str, str]] = []
    for f in files:
        with f.path.open(encoding="utf-8-sig") as handle:
            rows += [r for r in csv.DictReader(handle) if r["line_no"] != TOTAL]
    return rows


def _paid_report(path: Path, lines: list[dict[str, str]], when: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, REPORT_REQUIRED)
        writer.writeheader()
        for n, line in enumerate(lines):
            writer.writerow(
                {
                    "list_id": line["list_id"],
                    "line_no": line["line_no"],
                    "person_id": line["person_id"],
                    "amount_paid_vnd": line["amount_vnd"],
                    "paid_at": when,
                    "receipt_no": f"R-{n}",
                    # C is paid into a bank account, the others in person.
                    "collected_by": "bank_account" if line["person_id"] == "C" else "self",
                    "not_collected_reason": "",
                }
            )
    return path


def _accrued(ledger: Ledger, month: str) -> list[tuple[str, str, str, int]]:
    return sorted(
        (e.person_id, e.service_month, e.component.value, e.amount_vnd)
        for s in ledger.events(event_types=["AllowanceAccrued"])
        if isinstance(e := s.event, AllowanceAccrued) and e.month == month
    )


def test_two_months_paid_before_tet_reconcile_in_full_and_a_late_death_is_recovered(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    ledger = payroll_ledger
    ledger.append(
        [
            e
            for p in PEOPLE
            for e in History(p, born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01").events
        ]
    )

    # Both lists issued in January, one after the other.
    for month in ("2025-01", "2025-02"):
        report = run_payroll(ledger.engine, PayrollScope(month, "84"), ledger.append)
        assert (report.lines, report.listed_vnd, report.problems) == (3, 3 * AMOUNT, [])
    january, february = (_lines(ledger, m, tmp_path / m) for m in ("2025-01", "2025-02"))

    # The post office pays both lists at once, on 20 January (Tết 2025 fell on the 29th).
    paid = _paid_report(tmp_path / "tet.csv", january + february, "2025-01-20 09:00")
    result = import_report(ledger.engine, paid, ledger.append)
    assert (result.disbursed, result.conflicts) == (6, [])
    assert {
        (e.person_id, e.collected_by.value)
        for s in ledger.events(event_types=["PaymentDisbursed"])
        if isinstance(e := s.event, PaymentDisbursed)
    } == {("A", "self"), ("B", "self"), ("C", "bank_account")}

    for month in ("2025-01", "2025-02"):
        seen: list[ClassifiedLine] = []
        recon = reconcile(ledger.engine, month, "84", on_line=seen.append)
        assert sorted((x.person_id, x.status) for x in seen) == [
            (p, S.PAID_IN_FULL) for p in PEOPLE
        ]
        assert (recon.totals.listed_vnd, recon.totals.paid_vnd, recon.totals.unpaid_vnd) == (
            3 * AMOUNT,
            3 * AMOUNT,
            0,
        )

    # B died on 25 January; the commune reports it on 10 February. February was paid for B
    # but is not due (payment stops from the month after death): March recovers it and pays
    # the funeral support; A and C are paid March as usual.
    reported = datetime(2025, 2, 10, tzinfo=UTC)
    ledger.append(History("B").die(date(2025, 1, 25), recorded=reported).events[1:])
    march = run_payroll(ledger.engine, PayrollScope("2025-03", "84"), ledger.append)

    assert march.problems == []
    assert _accrued(ledger, "2025-03") == [
        ("A", "2025-03", "regular", AMOUNT),
        ("B", "2025-01", "funeral", FUNERAL),
        ("B", "2025-02", "recovery", AMOUNT),
        ("C", "2025-03", "regular", AMOUNT),
    ]
    lines = {
        r["person_id"]: int(r["amount_vnd"]) for r in _lines(ledger, "2025-03", tmp_path / "m")
    }
    assert lines == {"A": AMOUNT, "B": FUNERAL - AMOUNT, "C": AMOUNT}
    # Every month of A and C accrued exactly once; B's January once, February taken back.
    months = {
        (e.person_id, e.service_month, e.component.value)
        for s in ledger.events(event_types=["AllowanceAccrued"])
        if isinstance(e := s.event, AllowanceAccrued)
    }
    for person in ("A", "C"):
        assert sorted(m for p, m, c in months if p == person and c == "regular") == [
            "2025-01",
            "2025-02",
            "2025-03",
        ]
