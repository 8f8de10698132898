"""What the payroll integration tests share: a disbursement report written and imported, a
payment reversed, the lines a month's lists hold, and how the month's reconciliation classes
them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from connectors.postoffice.report_import import ImportResult, import_report
from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.report import ClassifiedLine, reconcile
from schemas.eligibility import BeneficiaryGroup
from schemas.payments import PaymentDisbursed, PaymentLine, PaymentListIssued
from tests.unit.ledger.builders import reversal
from tests.unit.payroll.builders import History


def list_march(ledger: Ledger) -> Ledger:
    """P1 (750,000 a month from March 2025) granted, and March's payroll run: one line on
    list PL-2025-03-84201."""
    history = History("P1", born=date(1970, 1, 1))
    ledger.append(history.grant(BeneficiaryGroup.DISABILITY_SEVERE, "2025-03").events)
    run_payroll(ledger.engine, PayrollScope("2025-03", "84"), ledger.append)
    return ledger


HEADER = (
    "list_id,line_no,person_id,amount_paid_vnd,paid_at,receipt_no,collected_by,"
    "not_collected_reason\n"
)


def import_rows(
    ledger: Ledger, path: Path, rows: str, post_office: str | None = None
) -> ImportResult:
    """Write ``rows`` (CSV lines) under the report's header to ``path`` and import it."""
    path.write_text(HEADER + rows, encoding="utf-8")
    return import_report(ledger.engine, path, ledger.append, post_office=post_office)


def reverse(ledger: Ledger, receipt: str) -> None:
    """Append the reversal of the payment recorded with ``receipt`` (for its full amount)."""
    (payment,) = [
        s.event
        for s in ledger.events(event_types=["PaymentDisbursed"])
        if isinstance(s.event, PaymentDisbursed) and s.event.receipt_no == receipt
    ]
    ledger.append([reversal(payment)])


def issued_lines(ledger: Ledger, month: str) -> list[tuple[str, PaymentLine]]:
    """(list id, line) of every line on the month's issued lists."""
    return [
        (stored.event.list_id, line)
        for stored in ledger.events(event_types=["PaymentListIssued"])
        if isinstance(stored.event, PaymentListIssued) and stored.event.month == month
        for line in stored.event.lines
    ]


def classified(ledger: Ledger, month: str) -> list[ClassifiedLine]:
    """Every line of province 84's reconciliation of ``month``."""
    seen: list[ClassifiedLine] = []
    reconcile(ledger.engine, month, "84", on_line=seen.append)
    return seen
