"""Rows the post office reports after a month was closed: shown in the next month, and
counted as collected by the proposal for suspension."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.close import close_event
from ledger.reconciliation.report import reconcile
from ledger.reconciliation.uncollected import not_collecting
from schemas.eligibility import BeneficiaryGroup as G
from tests.integration.payroll.reports import import_rows, issued_lines, list_march
from tests.unit.payroll.builders import History

pytestmark = pytest.mark.integration

OFFICE = "VNPOST-842"
CLOSED_AT = datetime(2025, 4, 20, tzinfo=UTC)


def _import(ledger: Ledger, path: Path, rows: str, post_office: str | None = None) -> None:
    assert import_rows(ledger, path, rows, post_office).conflicts == []


def _close(ledger: Ledger, month: str) -> None:
    ledger.append([close_event(reconcile(ledger.engine, month, "84"), OFFICE, now=CLOSED_AT)])


def test_a_payment_on_an_unknown_list_reported_after_the_close_is_a_late_row_next_month(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    ledger = payroll_ledger
    list_march(ledger)
    _import(ledger, tmp_path / "march.csv", "PL-2025-03-84201,1,P1,750000,2025-03-05,R1,self,\n")
    _close(ledger, "2025-03")
    _import(ledger, tmp_path / "late.csv", "PL-OTHER,1,X9,600000,2025-03-06,RX,self,\n", OFFICE)

    march = reconcile(ledger.engine, "2025-03", "84").offices[OFFICE].totals
    april = reconcile(ledger.engine, "2025-04", "84")

    assert march.off_list_paid_vnd == 0  # the closed month stays as it was closed
    assert [(x.list_id, x.person_id, x.paid_vnd, x.status) for x in april.late] == [
        ("PL-OTHER", "X9", 600_000, "late_disbursed")
    ]
    assert april.offices[OFFICE].totals.late_paid_vnd == 600_000


def test_a_month_paid_but_reported_after_its_close_breaks_a_run_of_months_with_nothing(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    ledger = payroll_ledger
    ledger.append(History("P1", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01").events)
    for month in ("2025-01", "2025-02", "2025-03"):
        run_payroll(ledger.engine, PayrollScope(month, "84"), ledger.append)
        if month != "2025-03":
            rows = f"PL-{month}-84201,1,P1,,{month}-05,,,absent\n"
            _import(ledger, tmp_path / f"{month}.csv", rows)
    _close(ledger, "2025-03")  # with nothing reported for March yet
    assert [p.person_id for p in not_collecting(ledger.engine, "2025-03", "84")] == ["P1"]
    ((_, march),) = issued_lines(ledger, "2025-03")
    # The post office paid P1 on 5 March and reports it after the close.
    rows = f"PL-2025-03-84201,1,P1,{march.amount_vnd},2025-03-05,R3,self,\n"
    _import(ledger, tmp_path / "late.csv", rows)

    assert not_collecting(ledger.engine, "2025-03", "84") == []


def test_a_payment_recorded_between_the_close_totals_and_the_close_is_a_late_row_next_month(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    ledger = payroll_ledger
    list_march(ledger)
    totals = reconcile(ledger.engine, "2025-03", "84")  # the officer's view when closing
    # The report is imported while the close is on its way to the ledger.
    _import(ledger, tmp_path / "march.csv", "PL-2025-03-84201,1,P1,750000,2025-03-05,R1,self,\n")
    close = close_event(totals, OFFICE, now=CLOSED_AT)
    ledger.append([close])

    march = reconcile(ledger.engine, "2025-03", "84")
    april = reconcile(ledger.engine, "2025-04", "84")

    assert close.as_of_sequence == totals.as_of_sequence > 0
    assert march.offices[OFFICE].totals.paid_vnd == close.paid_vnd == 0
    assert march.offices[OFFICE].digest("84", "2025-03") == close.totals_digest
    assert [(x.list_id, x.person_id, x.paid_vnd, x.status) for x in april.late] == [
        ("PL-2025-03-84201", "P1", 750_000, "late_disbursed")
    ]


def test_a_conflict_found_after_the_close_is_a_late_row_not_a_change_to_the_closed_month(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    ledger = payroll_ledger
    list_march(ledger)
    _import(ledger, tmp_path / "march.csv", _paid(ledger, "R1"))
    _close(ledger, "2025-03")
    closed_digest = reconcile(ledger.engine, "2025-03", "84").closed[OFFICE]
    changed = "PL-2025-03-84201,1,P1,700000,2025-03-05,R1,self,\n"
    result = import_rows(ledger, tmp_path / "changed.csv", changed)

    march = reconcile(ledger.engine, "2025-03", "84")
    april = reconcile(ledger.engine, "2025-04", "84")

    assert len(result.conflicts) == 1
    assert march.offices[OFFICE].totals.lines == {"paid_in_full": 1}
    assert march.offices[OFFICE].digest("84", "2025-03") == closed_digest
    assert [(x.list_id, x.line_no, x.person_id, x.status) for x in april.late] == [
        ("PL-2025-03-84201", 1, "P1", "late_conflict")
    ]


def test_a_conflict_found_before_the_close_classes_the_line_of_the_closed_month(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    ledger = payroll_ledger
    list_march(ledger)
    _import(ledger, tmp_path / "march.csv", _paid(ledger, "R1"))
    changed = "PL-2025-03-84201,1,P1,700000,2025-03-05,R1,self,\n"
    assert len(import_rows(ledger, tmp_path / "changed.csv", changed).conflicts) == 1
    _close(ledger, "2025-03")

    march = reconcile(ledger.engine, "2025-03", "84")

    assert march.offices[OFFICE].totals.lines == {"conflict_between_imports": 1}
    assert reconcile(ledger.engine, "2025-04", "84").late == []


def _paid(ledger: Ledger, receipt: str) -> str:
    """The report row of P1's March line, paid in full on 5 March."""
    ((list_id, line),) = issued_lines(ledger, "2025-03")
    return f"{list_id},{line.line_no},P1,{line.amount_vnd},2025-03-05,{receipt},self,\n"


def test_a_close_of_version_1_cuts_the_month_at_its_own_place_in_the_ledger(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    from schemas import parse_event_dict

    ledger = payroll_ledger
    list_march(ledger)
    _import(ledger, tmp_path / "march.csv", _paid(ledger, "R1"))
    close = close_event(reconcile(ledger.engine, "2025-03", "84"), OFFICE, now=CLOSED_AT)
    old = close.model_dump(mode="json", exclude={"as_of_sequence"}) | {"schema_version": 1}
    ledger.append([parse_event_dict(old)])
    late = "PL-OTHER,1,X9,600000,2025-03-06,RX,self,\n"
    _import(ledger, tmp_path / "late.csv", late, OFFICE)

    march = reconcile(ledger.engine, "2025-03", "84")

    assert march.offices[OFFICE].totals.paid_vnd == close.paid_vnd
    assert march.offices[OFFICE].totals.off_list_paid_vnd == 0
    assert [x.person_id for x in reconcile(ledger.engine, "2025-04", "84").late] == ["X9"]
