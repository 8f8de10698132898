"""A post office's fee and transfers: the rate of what it paid, once, before the month closes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ledger.reconciliation.funds import FundsRefused, fee_event, fee_of
from ledger.reconciliation.report import Reconciliation
from schemas.payments import TransferDirection
from tests.unit.payroll.builders import funds_transfer

NOW = datetime(2025, 4, 2, 3, 0, tzinfo=UTC)


def _recon(paid: int = 1_500_000, off_list: int = 600_000) -> Reconciliation:
    recon = Reconciliation("84", "2025-03", None)
    office = recon.office("VNPOST-842")
    office.totals.paid_vnd, office.totals.off_list_paid_vnd = paid, off_list
    return recon


def test_the_fee_is_the_rate_of_everything_paid_that_month_rounded_half_up() -> None:
    fee = fee_event(_recon(), "VNPOST-842", Decimal("0.0045"), "Lê Thị B", now=NOW)

    assert (fee.paid_basis_vnd, fee.fee_rate, fee.fee_vnd) == (2_100_000, Decimal("0.0045"), 9_450)
    assert (fee.month, fee.province_code, fee.source.operator) == ("2025-03", "84", "Lê Thị B")
    assert fee_of(1_000_111, Decimal("0.0045")) == 4_500  # 4,500.4995
    assert fee_of(100, Decimal("0.005")) == 1  # 0.5: half up
    assert fee_of(0, Decimal("0.0045")) == 0


def test_the_same_fee_twice_has_one_id_so_the_ledger_records_it_once() -> None:
    first = fee_event(_recon(), "VNPOST-842", Decimal("0.0045"), now=NOW)
    again = fee_event(_recon(), "VNPOST-842", Decimal("0.0045"), now=NOW)

    assert first == again


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("charged", "already charged (6,750 VND)"),
        ("closed", "is closed: a fee is charged before the month is closed"),
        ("unknown", "has no lists, reports or funds"),
        ("unpaid", "nothing is reported paid for 2025-03 for post office VNPOST-842"),
    ],
)
def test_a_fee_is_refused_when_charged_closed_unpaid_or_for_an_unknown_office(
    change: str, reason: str
) -> None:
    recon = _recon(paid=0, off_list=0) if change == "unpaid" else _recon()
    if change == "charged":
        recon.office("VNPOST-842").funds.fee_vnd = 6_750
    if change == "closed":
        recon.closed["VNPOST-842"] = "ab" * 32
    office = "VNPOST-999" if change == "unknown" else "VNPOST-842"

    with pytest.raises(FundsRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        fee_event(recon, office, Decimal("0.0045"))


def test_a_transfer_is_dated_in_vietnam_time_and_identified_by_its_reference() -> None:
    deposit = funds_transfer(170_000_000, "UNC-0224", now=NOW)
    later = funds_transfer(170_000_000, "UNC-0224")
    back = funds_transfer(1_000_000, "UNC-0402", date(2025, 4, 2), returned=True)

    assert deposit.occurred_at == datetime(2025, 2, 23, 17, 0, tzinfo=UTC)  # 00:00 in Vietnam
    assert deposit.direction is TransferDirection.TO_POST_OFFICE
    assert back.direction is TransferDirection.RETURNED_TO_TREASURY
    assert deposit.event_id == later.event_id != back.event_id
