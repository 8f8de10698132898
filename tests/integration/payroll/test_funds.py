"""Deposits, returns and the fee recorded by an officer reach the reconciliation; recording a
transfer again changes nothing, and the same reference with another amount is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.funds import FundsRefused, fee_event, unrecorded
from ledger.reconciliation.report import reconcile
from schemas.build import make_event
from schemas.eligibility import BeneficiaryGroup as G
from schemas.payments import CollectedBy, PaymentDisbursed, PaymentListIssued
from tests.unit.payroll.builders import History, funds_transfer

pytestmark = pytest.mark.integration

AMOUNT = 750_000
OFFICE = "VNPOST-842"


def test_funds_and_the_fee_reconcile_and_a_transfer_is_recorded_once(
    payroll_ledger: Ledger,
) -> None:
    ledger = payroll_ledger
    ledger.append(
        [
            e
            for p in ("A", "B", "C")
            for e in History(p, born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-03").events
        ]
    )
    run_payroll(ledger.engine, PayrollScope("2025-03", "84"), ledger.append)
    (issued,) = [
        e
        for s in ledger.events(event_types=["PaymentListIssued"])
        if isinstance(e := s.event, PaymentListIssued)
    ]
    ledger.append(
        [
            make_event(
                PaymentDisbursed,
                list_id=issued.list_id,
                line_no=line.line_no,
                person_id=line.person_id,
                post_office_code=OFFICE,
                amount_paid_vnd=AMOUNT,
                paid_at=issued.occurred_at,
                receipt_no=f"R-{line.person_id}",
                collected_by=CollectedBy.SELF,
                report_id="sha256:" + "0" * 64,
                report_row=n,
            )
            for n, line in enumerate(issued.lines[:2], start=2)
        ]
    )

    deposit = funds_transfer(3 * AMOUNT)
    assert unrecorded(ledger.engine, deposit)
    ledger.append([deposit])
    # The same payment order recorded again (a new recording time): nothing to publish.
    assert not unrecorded(ledger.engine, funds_transfer(3 * AMOUNT))
    with pytest.raises(FundsRefused, match="UNC-0224 is already recorded at ledger sequence"):
        unrecorded(ledger.engine, funds_transfer(3 * AMOUNT + 1))
    ledger.append([funds_transfer(AMOUNT, "UNC-0402", returned=True)])

    fee = fee_event(reconcile(ledger.engine, "2025-03", "84"), OFFICE, Decimal("0.0045"))
    assert (fee.paid_basis_vnd, fee.fee_vnd) == (2 * AMOUNT, 6_750)
    ledger.append([fee])

    office = reconcile(ledger.engine, "2025-03", "84").offices[OFFICE]
    assert (office.funds.deposited_vnd, office.funds.returned_vnd, office.funds.fee_vnd) == (
        3 * AMOUNT,
        AMOUNT,
        6_750,
    )
    assert office.funds_left_vnd == 0
    with pytest.raises(FundsRefused, match="already charged"):
        fee_event(reconcile(ledger.engine, "2025-03", "84"), OFFICE, Decimal("0.0045"))
