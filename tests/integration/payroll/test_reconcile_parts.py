"""A month reconciled in parts (whole post offices per query) is the month reconciled at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.postoffice.report_import import import_report
from ledger.ledger import Ledger
from ledger.payroll.facts import Place
from ledger.payroll.issue import list_event, list_id
from ledger.reconciliation import report
from ledger.reconciliation.report import ClassifiedLine, reconcile
from schemas.payments import Component, PaymentLine

pytestmark = pytest.mark.integration

MONTH, AMOUNT = "2025-03", 750_000
HEADER = (
    "list_id,line_no,person_id,amount_paid_vnd,paid_at,receipt_no,collected_by,"
    "not_collected_reason\n"
)


def _month_in_three_offices(ledger: Ledger, tmp_path: Path) -> None:
    """Six lists of four lines, two per post office; the report pays most lines, some in
    part, some twice, one not at all, and one payment is off the list."""
    events, rows = [], []
    for k in range(6):
        place, office = Place("84", "842", f"842{k:02d}"), f"VNPOST-{k // 2}"
        lines = [
            PaymentLine(
                line_no=i + 1,
                person_id=f"P{k}{i}",
                full_name=f"Người {k}{i}",
                commune_code=place.commune,
                components={Component.REGULAR: AMOUNT},
                amount_vnd=AMOUNT,
            )
            for i in range(4)
        ]
        events.append(list_event(MONTH, place, office, 0, lines))
        ident = list_id(MONTH, place.commune, 0)
        for i in range(4):
            amount = (AMOUNT, 500_000, AMOUNT, 0)[(k + i) % 4]
            if amount:
                rows.append(f"{ident},{i + 1},P{k}{i},{amount},2025-03-05,R{k}{i},self,\n")
            if (k, i) == (2, 2):
                rows.append(f"{ident},{i + 1},P{k}{i},{AMOUNT},2025-03-06,R{k}{i}b,proxy,\n")
        if k == 5:
            rows.append(f"{ident},9,X9,{AMOUNT},2025-03-05,RX,self,\n")
    ledger.append(events)
    path = tmp_path / "report.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    import_report(ledger.engine, path, ledger.append)


def test_a_month_read_one_post_office_at_a_time_reconciles_as_one_read_does(
    payroll_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _month_in_three_offices(payroll_ledger, tmp_path)

    def reconciled() -> tuple[list[ClassifiedLine], dict[str, Any]]:
        lines: list[ClassifiedLine] = []
        result = reconcile(payroll_ledger.engine, MONTH, "84", on_line=lines.append)
        return lines, {code: office.totals for code, office in result.offices.items()}

    at_once = reconciled()
    queries: list[list[str]] = []
    opened = report._opened

    def counted(conn: Any, params: Any, lists: list[str]) -> Any:
        queries.append(lists)
        return opened(conn, params, lists)

    monkeypatch.setattr(report, "PART_LINES", 1)
    monkeypatch.setattr(report, "FIRST_PART_LINES", 1)
    monkeypatch.setattr(report, "_opened", counted)
    in_parts = reconciled()

    assert in_parts == at_once
    assert [len(q) for q in queries] == [2, 2, 2]  # each post office's two lists

    # A small first part (classified while the server sorts the rest), then big ones.
    queries.clear()
    monkeypatch.setattr(report, "PART_LINES", 10_000)
    assert reconciled() == at_once
    assert [len(q) for q in queries] == [2, 4]
    lines, totals = at_once
    assert len(lines) == 6 * 4 + 1
    assert [line.post_office_code for line in lines[:24]] == sorted(
        line.post_office_code for line in lines[:24]
    )
    assert {line.status for line in lines} >= {
        "paid_in_full",
        "partially_paid",
        "missing_from_report",
        "paid_twice",
        "paid_to_person_not_on_list",
    }
    assert sum(t.listed_vnd for t in totals.values()) == 24 * AMOUNT
