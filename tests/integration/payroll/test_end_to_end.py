"""End to end on the real PostgreSQL ledger: a commune of a few hundred people is paid.

Payroll (sink = ledger append) -> export -> a post-office report with every discrepancy ->
import it twice (and a changed copy) -> reconcile -> close -> a late row -> next month.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from rich.console import Console

from connectors.postoffice.layout import REPORT_REQUIRED, TOTAL
from connectors.postoffice.list_export import export_lists
from connectors.postoffice.reconcile_out import write_report
from connectors.postoffice.report_import import import_report
from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.classify import LineStatus as S
from ledger.reconciliation.close import CloseRefused, close_event
from ledger.reconciliation.report import ClassifiedLine, reconcile
from schemas.build import make_event
from schemas.eligibility import BeneficiaryGroup as G
from schemas.payments import (
    Component,
    FundsTransferred,
    PaymentListIssued,
    PostOfficeFeeCharged,
    TransferDirection,
)
from tests.unit.payroll.builders import History

pytestmark = pytest.mark.integration

AMOUNT = 750_000  # disability severe, 1.5 x 500,000
OFFICE = "VNPOST-842"
AT = datetime(2025, 3, 1, tzinfo=UTC)


def _people(ledger: Ledger) -> None:
    events = []
    for n in range(280):
        events += (
            History(f"P{n:04d}", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-03").events
        )
    for n in range(20):
        events += (
            History(f"Q{n:04d}", born=date(1970, 1, 1), commune="84203")
            .grant(G.DISABILITY_SEVERE, "2025-03")
            .events
        )
    ledger.append(events)


def _report(path: Path, rows: list[dict[str, object]]) -> Path:
    columns = [*REPORT_REQUIRED, "proxy_name"]
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, columns)
            writer.writeheader()
            writer.writerows(rows)
    else:
        book = Workbook()
        sheet = book.active
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
        book.save(path)
    return path


def _paid(
    list_id: str, line: int, person: str, amount: int, receipt: str, when: str = "2025-03-05 09:00"
) -> dict[str, object]:
    return {
        "list_id": list_id,
        "line_no": line,
        "person_id": person,
        "amount_paid_vnd": amount,
        "paid_at": when,
        "receipt_no": receipt,
        "collected_by": "self",
        "not_collected_reason": "",
    }


def test_a_commune_is_paid_reported_imported_twice_and_reconciled_to_the_dong(
    payroll_ledger: Ledger,
    tmp_path: Path,
) -> None:
    ledger = payroll_ledger
    _people(ledger)
    report = run_payroll(ledger.engine, PayrollScope("2025-03", "84"), ledger.append)
    assert (report.lists, report.lines, report.listed_vnd) == (2, 300, 300 * AMOUNT)

    # Export: both formats, footer digest equals the issued list's digest.
    issued = {
        e.list_id: e
        for s in ledger.events(event_types=["PaymentListIssued"])
        if isinstance(e := s.event, PaymentListIssued)
    }
    files = export_lists(ledger.engine, tmp_path / "out", "2025-03", "84", fmt="csv")
    assert [(f.lists, f.lines, f.total_vnd) for f in files] == [(2, 300, 300 * AMOUNT)]
    with files[0].path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    footers = [r for r in rows if r["line_no"] == TOTAL and r["list_id"] in issued]
    assert {r["list_id"]: r["signature"] for r in footers} == {
        k: f"sha256:{v.digest}" for k, v in issued.items()
    }
    xlsx = export_lists(ledger.engine, tmp_path / "out", "2025-03", "84", fmt="xlsx", by="commune")
    sheet = load_workbook(xlsx[0].path, read_only=True).worksheets[0]
    assert sum(1 for _ in sheet.iter_rows()) == 1 + 280 + 1  # header, lines, footer

    lines = [r for r in rows if r["line_no"] not in (TOTAL,) and r["list_id"] in issued]
    by_person = {r["person_id"]: (r["list_id"], int(r["line_no"])) for r in lines}

    # A death recorded after the list was issued (the post office pays anyway).
    ledger.append(History("P0006").die(date(2025, 3, 2)).events[1:])

    def line(person: str) -> tuple[str, int, str]:
        list_id, no = by_person[person]
        return list_id, no, person

    report_rows = []
    expected: dict[str, S] = {}
    for r in lines:
        person = r["person_id"]
        if person in {"P0001", "P0002", "P0003", "P0004", "P0005", "P0006", "P0007", "P0008"}:
            continue
        report_rows.append(_paid(*line(person), AMOUNT, f"R-{person}"))
        expected[person] = S.PAID_IN_FULL
    report_rows.append(_paid(*line("P0001"), 500_000, "R-P0001"))
    expected["P0001"] = S.PARTIALLY_PAID
    report_rows.append(
        {
            **_paid(*line("P0002"), 0, ""),
            "amount_paid_vnd": "",
            "collected_by": "",
            "not_collected_reason": "absent",
        }
    )
    expected["P0002"] = S.NOT_COLLECTED
    report_rows.append(_paid(*line("P0003"), 800_000, "R-P0003"))
    expected["P0003"] = S.OVERPAID
    report_rows.append(_paid(*line("P0004"), AMOUNT, "R-P0004-A"))
    report_rows.append(_paid(*line("P0004"), AMOUNT, "R-P0004-B"))
    expected["P0004"] = S.PAID_TWICE
    report_rows.append(_paid(*line("P0005"), AMOUNT, "R-P0005"))
    expected["P0005"] = S.CONFLICT  # changed in the second file
    report_rows.append(_paid(*line("P0006"), AMOUNT, "R-P0006"))
    expected["P0006"] = S.PAID_AFTER_STOP
    expected["P0007"] = S.MISSING  # and P0008 too, until the late row after the close
    expected["P0008"] = S.MISSING
    ghost_list = by_person["P0010"][0]
    report_rows.append(_paid(ghost_list, 9_999, "GHOST-1", 600_000, "R-GHOST"))

    first = _report(tmp_path / "report.csv", report_rows)
    result = import_report(ledger.engine, first, ledger.append)
    assert (result.disbursed, result.not_collected, result.conflicts) == (
        len(report_rows) - 1,
        1,
        [],
    )
    again = import_report(ledger.engine, first, ledger.append)
    assert (again.disbursed, again.not_collected, again.already_imported) == (
        0,
        0,
        len(report_rows),
    )
    as_xlsx = import_report(
        ledger.engine, _report(tmp_path / "same.xlsx", report_rows), ledger.append
    )
    assert (as_xlsx.disbursed, as_xlsx.already_imported) == (0, len(report_rows))
    changed = [_paid(*line("P0005"), 700_000, "R-P0005")]
    conflict = import_report(
        ledger.engine, _report(tmp_path / "changed.csv", changed), ledger.append
    )
    assert len(conflict.conflicts) == 1 and "row 2" in conflict.conflicts[0]

    listed = 300 * AMOUNT
    deposited = listed
    ledger.append(
        [
            make_event(
                FundsTransferred,
                transfer_id="T-1",
                direction=TransferDirection.TO_POST_OFFICE,
                province_code="84",
                post_office_code=OFFICE,
                month="2025-03",
                amount_vnd=deposited,
                occurred_at=AT,
                recorded_at=AT,
            ),
            make_event(
                FundsTransferred,
                transfer_id="T-2",
                direction=TransferDirection.RETURNED_TO_TREASURY,
                province_code="84",
                post_office_code=OFFICE,
                month="2025-03",
                amount_vnd=2 * AMOUNT,
                occurred_at=AT,
                recorded_at=AT,
            ),
            make_event(
                PostOfficeFeeCharged,
                province_code="84",
                post_office_code=OFFICE,
                month="2025-03",
                paid_basis_vnd=listed,
                fee_rate="0.00450",
                fee_vnd=listed * 45 // 10_000,
                occurred_at=AT,
                recorded_at=AT,
            ),
        ]
    )

    seen: list[ClassifiedLine] = []
    recon = reconcile(ledger.engine, "2025-03", "84", on_line=seen.append)
    status = {x.person_id: S(x.status) for x in seen if x.status != S.NOT_ON_LIST}
    assert {p: s for p, s in status.items() if s != S.PAID_IN_FULL} == {
        p: s for p, s in expected.items() if s != S.PAID_IN_FULL
    }
    assert len(status) == 300
    assert [x.person_id for x in seen if x.status == S.NOT_ON_LIST] == ["GHOST-1"]

    # 292 paid in full, twice-paid P0004 (2x), conflicting P0005, dead P0006, partial, overpaid.
    paid_on_lines = 296 * AMOUNT + 500_000 + 800_000
    office = recon.offices[OFFICE]
    t = office.totals
    assert t.listed_vnd == listed
    assert t.paid_vnd == paid_on_lines
    assert t.off_list_paid_vnd == 600_000
    assert t.unpaid_vnd == (AMOUNT - 500_000) + AMOUNT + 2 * AMOUNT  # partial, absent, missing
    assert t.variance_vnd == paid_on_lines + 600_000 - listed
    assert sum(c.listed_vnd for c in office.communes.values()) == listed
    assert sum(x.paid_vnd for x in seen) == paid_on_lines + 600_000
    assert (office.funds.deposited_vnd, office.funds.returned_vnd, office.funds.fee_vnd) == (
        deposited,
        2 * AMOUNT,
        listed * 45 // 10_000,
    )
    assert office.funds_left_vnd == deposited - paid_on_lines - 600_000 - 2 * AMOUNT

    # The officer's table on an 80-column terminal: every amount whole, to the đồng.
    screen = io.StringIO()
    write_report(
        ledger.engine, "2025-03", "84", None, "table", None, Console(file=screen, width=80)
    )
    shown = screen.getvalue()
    assert "…" not in shown
    for figure in (listed, paid_on_lines + 600_000, t.unpaid_vnd, office.funds_left_vnd):
        assert f"{figure:,}" in shown

    # Close March; a row arriving afterwards is a late adjustment in April, not in March.
    closed = close_event(recon, OFFICE, now=datetime(2025, 4, 20, tzinfo=UTC))
    ledger.append([closed])
    assert closed.totals_digest == office.digest("84", "2025-03")
    with pytest.raises(CloseRefused, match="already closed"):
        close_event(reconcile(ledger.engine, "2025-03", "84"), OFFICE)
    late = _report(
        tmp_path / "late.csv", [_paid(*line("P0008"), AMOUNT, "R-P0008", "2025-03-28 10:00")]
    )
    import_report(ledger.engine, late, ledger.append)
    march = reconcile(ledger.engine, "2025-03", "84")
    assert march.offices[OFFICE].totals.paid_vnd == paid_on_lines

    # April: the uncollected amount is carried onto the list; the late row is an adjustment.
    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    april = [
        s.event
        for s in ledger.events(event_types=["PaymentListIssued"])
        if isinstance(s.event, PaymentListIssued) and s.event.month == "2025-04"
    ]
    carried = {
        ln.person_id: ln.components
        for e in april
        for ln in e.lines
        if Component.CARRIED in ln.components
    }
    assert carried == {"P0002": {Component.REGULAR: AMOUNT, Component.CARRIED: AMOUNT}}
    assert "P0006" not in {
        ln.person_id for e in april for ln in e.lines if Component.FUNERAL not in ln.components
    }
    recon_april = reconcile(ledger.engine, "2025-04", "84")
    assert [(x.person_id, x.paid_vnd) for x in recon_april.late] == [("P0008", AMOUNT)]
    assert recon_april.offices[OFFICE].totals.late_paid_vnd == AMOUNT
    # The officer sees it on the terminal too, with its amount.
    screen = io.StringIO()
    write_report(
        ledger.engine, "2025-04", "84", None, "table", None, Console(file=screen, width=80)
    )
    late_rows = screen.getvalue().split("Late adjustments to the closed previous month (1)")
    assert len(late_rows) == 2 and "P0008" in late_rows[1] and f"{AMOUNT:,}" in late_rows[1]
