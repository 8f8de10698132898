"""People who collected nothing for three months in a row are proposed for suspension; one
payment in the window, or a month without a line, keeps a person off the list. Once suspended,
nothing of theirs is listed (what they did not collect stays open) until payment resumes."""

from __future__ import annotations

import csv
import importlib
from datetime import date
from pathlib import Path

import pytest

from connectors.cli.app import run
from connectors.postoffice.layout import REPORT_REQUIRED
from connectors.postoffice.report_import import import_report
from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.uncollected import not_collecting
from schemas.eligibility import BeneficiaryGroup as G
from schemas.eligibility import EligibilitySuspended
from schemas.payments import PaymentListIssued
from schemas.registry import parse_event
from tests.unit.payroll.builders import History

pytestmark = pytest.mark.integration

AMOUNT = 750_000
MONTHS = ("2025-01", "2025-02", "2025-03")


def _row(list_id: str, line: int, person: str, month: str, paid: bool) -> dict[str, object]:
    return {
        "list_id": list_id,
        "line_no": line,
        "person_id": person,
        "amount_paid_vnd": AMOUNT if paid else "",
        "paid_at": f"{month}-05 09:00",
        "receipt_no": f"R-{person}-{month}" if paid else "",
        "collected_by": "self" if paid else "",
        "not_collected_reason": "" if paid else "absent",
    }


def _listed(ledger: Ledger, month: str) -> dict[str, tuple[dict[str, int], int]]:
    """Person -> (components, amount) of their line on the month's lists."""
    return {
        line.person_id: ({str(k): v for k, v in line.components.items()}, line.amount_vnd)
        for s in ledger.events(event_types=["PaymentListIssued"])
        if isinstance(e := s.event, PaymentListIssued) and e.month == month
        for line in e.lines
    }


def test_three_months_with_nothing_collected_make_a_proposal_and_one_payment_breaks_the_run(
    payroll_ledger: Ledger,
    payroll_db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ledger = payroll_ledger
    ledger.append(
        [
            e
            for p in ("A", "B", "C", "D")
            for e in History(p, born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01").events
        ]
    )
    # What the post office reports, month by month: A collects; B never does (absent);
    # C collects in February only; D is never in the report at all.
    plan = {"A": (True, True, True), "B": (False, False, False), "C": (False, True, False)}
    for n, month in enumerate(MONTHS):
        run_payroll(ledger.engine, PayrollScope(month, "84"), ledger.append)
        rows = [
            _row(e.list_id, line.line_no, line.person_id, month, plan[line.person_id][n])
            for s in ledger.events(event_types=["PaymentListIssued"])
            if isinstance(e := s.event, PaymentListIssued) and e.month == month
            for line in e.lines
            if line.person_id in plan
        ]
        path = tmp_path / f"{month}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, REPORT_REQUIRED)
            writer.writeheader()
            writer.writerows(rows)
        assert import_report(ledger.engine, path, ledger.append).conflicts == []

    proposed = not_collecting(ledger.engine, "2025-03", "84")

    assert [(p.person_id, p.statuses) for p in proposed] == [
        ("B", ("not_collected", "not_collected", "not_collected")),
        ("D", ("missing_from_report", "missing_from_report", "missing_from_report")),
    ]
    b = proposed[0]
    assert b.months == MONTHS
    # B's uncollected amounts are carried onto the next list: 750,000, then 1,500,000, ...
    assert b.listed_vnd == (AMOUNT, 2 * AMOUNT, 3 * AMOUNT) and b.total_vnd == 6 * AMOUNT
    # Two months in a row: C (who collected in February) is still out; over one month, C is in.
    assert [p.person_id for p in not_collecting(ledger.engine, "2025-03", "84", months=2)] == [
        "B",
        "D",
    ]
    assert [p.person_id for p in not_collecting(ledger.engine, "2025-03", "84", months=1)] == [
        "B",
        "C",
        "D",
    ]
    # Before anyone had a line, nobody is proposed.
    assert not_collecting(ledger.engine, "2025-01", "84", months=3) == []

    # The command: the same proposals as CSV, one row per person and month.
    monkeypatch.setenv("DATABASE_URL", payroll_db_url)
    monkeypatch.setattr(importlib.import_module("connectors.cli.app"), "_cached", [])
    out = tmp_path / "proposals.csv"
    command = ["reconcile", "not-collecting", "--month", "2025-03", "--province", "84"]
    assert run([*command, "--format", "csv", "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["person_id"], r["month"], r["status"], r["listed_vnd"]) for r in rows[:3]] == [
        ("B", "2025-01", "not_collected", "750000"),
        ("B", "2025-02", "not_collected", "1500000"),
        ("B", "2025-03", "not_collected", "2250000"),
    ]
    assert len(rows) == 6
    assert "2 people collected nothing in 2025-01..2025-03" in capsys.readouterr().err

    # Drafts to review: one suspension per proposal from April; appended (as `aidledger
    # publish` and the worker would), April's payroll pays A and C only.
    drafts = tmp_path / "suspend.jsonl"
    assert run([*command, "--draft-suspensions", str(drafts), "--decision", "QD-12/2025"]) == 0
    events = [parse_event(line) for line in drafts.read_bytes().splitlines()]
    assert [
        (e.person_id, e.effective_month, e.reason.value, e.decision_number)
        for e in events
        if isinstance(e, EligibilitySuspended)
    ] == [
        ("B", "2025-04", "not_collected_3_months", "QD-12/2025"),
        ("D", "2025-04", "not_collected_3_months", "QD-12/2025"),
    ]
    again = tmp_path / "again.jsonl"
    assert run([*command, "--draft-suspensions", str(again)]) == 0
    assert [parse_event(x).event_id for x in again.read_bytes().splitlines()] == [
        e.event_id for e in events
    ]
    ledger.append(events)
    april = run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    assert set(_listed(ledger, "2025-04")) == {"A", "C"}
    # B's uncollected 2,250,000 stays open while suspended, and is listed when B resumes.
    assert (april.suspended, april.suspended_held_vnd) == (1, 3 * AMOUNT)
    run_payroll(ledger.engine, PayrollScope("2025-05", "84"), ledger.append)
    assert set(_listed(ledger, "2025-05")) == {"A", "C"}
    ledger.append(History("B").resume("2025-06").events[1:])
    run_payroll(ledger.engine, PayrollScope("2025-06", "84"), ledger.append)
    june = _listed(ledger, "2025-06")
    assert set(june) == {"A", "B", "C"}
    assert june["B"] == (
        {"arrears": 2 * AMOUNT, "carried": 3 * AMOUNT, "regular": AMOUNT},
        6 * AMOUNT,
    )
    assert run([*command, "--months", "2", "--draft-suspensions", str(again)]) == 2
