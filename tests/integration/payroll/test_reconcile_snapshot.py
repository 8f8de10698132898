"""A reconciliation reads the ledger as of one instant, whatever is appended while it runs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.ledger import Ledger
from ledger.payroll.facts import Place
from ledger.payroll.issue import list_event, list_id
from ledger.reconciliation.classify import LineStatus as S
from ledger.reconciliation.report import ClassifiedLine, reconcile
from schemas.build import make_event
from schemas.payments import (
    CollectedBy,
    Component,
    FundsTransferred,
    PaymentDisbursed,
    PaymentLine,
    TransferDirection,
)

pytestmark = pytest.mark.integration

MONTH, OFFICE, AMOUNT = "2025-03", "VNPOST-842", 750_000
PLACE = Place("84", "842", "84201")
LIST = list_id(MONTH, PLACE.commune, 0)
AT = datetime(2025, 3, 5, 2, tzinfo=UTC)


def _paid(line_no: int, person: str, receipt: str) -> PaymentDisbursed:
    return make_event(
        PaymentDisbursed,
        list_id=LIST,
        line_no=line_no,
        person_id=person,
        post_office_code=OFFICE,
        amount_paid_vnd=AMOUNT,
        paid_at=AT,
        receipt_no=receipt,
        collected_by=CollectedBy.SELF,
        occurred_at=AT,
        recorded_at=AT,
    )


def _deposit(transfer: str) -> FundsTransferred:
    return make_event(
        FundsTransferred,
        transfer_id=transfer,
        province_code="84",
        direction=TransferDirection.TO_POST_OFFICE,
        post_office_code=OFFICE,
        month=MONTH,
        amount_vnd=3 * AMOUNT,
        occurred_at=AT,
        recorded_at=AT,
    )


def test_payments_and_funds_appended_while_a_month_is_reconciled_are_in_none_of_its_parts(
    payroll_ledger: Ledger,
) -> None:
    lines = [
        PaymentLine(
            line_no=n,
            person_id=f"P{n:04d}",
            full_name=f"Người {n}",
            commune_code=PLACE.commune,
            components={Component.REGULAR: AMOUNT},
            amount_vnd=AMOUNT,
        )
        for n in (1, 2, 3)
    ]
    payroll_ledger.append(
        [list_event(MONTH, PLACE, OFFICE, 0, lines), _deposit("T-1"), _paid(1, "P0001", "R1")]
    )
    meanwhile = [_paid(9, "X0009", "R9"), _paid(2, "P0002", "R2"), _deposit("T-2")]
    seen: list[ClassifiedLine] = []

    def on_line(line: ClassifiedLine) -> None:
        if not seen:  # the first line: the rest of the month is still being read
            payroll_ledger.append(meanwhile)
        seen.append(line)

    during = reconcile(payroll_ledger.engine, MONTH, "84", on_line=on_line)
    after = reconcile(payroll_ledger.engine, MONTH, "84")

    office = during.offices[OFFICE]
    assert [(line.line_no, line.status) for line in seen] == [
        (1, S.PAID_IN_FULL.value),
        (2, S.MISSING.value),
        (3, S.MISSING.value),
    ]
    assert office.totals.paid_vnd == AMOUNT and office.totals.off_list_paid_vnd == 0
    assert office.funds.deposited_vnd == 3 * AMOUNT
    # The appended events were there to be read: the next reconciliation counts all three.
    later = after.offices[OFFICE]
    assert later.totals.lines[S.NOT_ON_LIST.value] == 1 and later.totals.paid_vnd == 2 * AMOUNT
    assert later.funds.deposited_vnd == 6 * AMOUNT
