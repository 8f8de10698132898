"""As-of balances: what was true on a business date, as known then and as known now.

Retroactive facts never edit history: they are new events whose business dates lie in the
past, so the balance as of an old date changes only when asked "as known now".
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ledger import Ledger
from tests.unit.ledger.builders import accrual, died, disbursement

pytestmark = pytest.mark.integration


def test_a_backdated_decision_shows_arrears_only_as_known_after_it(ledger: Ledger) -> None:
    # Granted in May (decision 2024-05-15) from February: May's payroll carries Feb-Apr arrears.
    ledger.append(
        [
            accrual("P1", 540_000, "2024-05", recorded="2024-05-20"),
            *[
                accrual(
                    "P1", 540_000, m, month="2024-05", component="arrears", recorded="2024-05-20"
                )
                for m in ("2024-02", "2024-03", "2024-04")
            ],
        ]
    )
    then = ledger.balances("P1", as_of=date(2024, 3, 31), known_on=date(2024, 3, 31))
    now = ledger.balances("P1", as_of=date(2024, 3, 31))
    assert (then.accrued, then.arrears, then.owed) == (0, 0, 0)
    assert (now.accrued, now.arrears, now.owed) == (1_080_000, 1_080_000, 1_080_000)
    assert ledger.balances("P1").arrears == 1_620_000


def test_a_rate_raised_from_an_earlier_month_changes_that_month_only_as_known_now(
    ledger: Ledger,
) -> None:
    # July 2024 was accrued at 360,000 in June; the 500,000 level (from 2024-07) was applied in
    # August's payroll as 140,000 of arrears for July.
    ledger.append(
        [
            accrual("P1", 360_000, "2024-06", recorded="2024-05-20"),
            accrual("P1", 360_000, "2024-07", recorded="2024-06-20"),
            accrual(
                "P1",
                140_000,
                "2024-07",
                month="2024-08",
                component="arrears",
                recorded="2024-07-20",
            ),
            accrual("P1", 500_000, "2024-08", recorded="2024-07-20"),
        ]
    )
    end_of_july = date(2024, 7, 31)
    known_then = ledger.balances("P1", as_of=end_of_july, known_on=date(2024, 7, 1))
    known_now = ledger.balances("P1", as_of=end_of_july)
    assert known_then.accrued == 720_000
    assert known_now.accrued == 860_000
    assert known_now.accrued_by_component["arrears"] == 140_000
    assert (
        ledger.account_balance(
            "person:P1:accrued:regular", as_of=end_of_july, known_on=date(2024, 7, 1)
        )
        == -720_000
    )
    assert ledger.balances("P1").accrued == 1_360_000


def test_a_death_reported_three_months_late_turns_payments_into_an_overpayment(
    ledger: Ledger,
) -> None:
    months = ("2024-06", "2024-07", "2024-08", "2024-09")
    for m in months:  # accrued on the 20th before, paid on the 5th of the month
        prior = f"{int(m[:4])}-{int(m[5:]) - 1:02d}-20"
        ledger.append(
            [accrual("P1", 500_000, m, recorded=prior), disbursement("P1", 500_000, f"{m}-05")]
        )
    # Died 2024-06-10; reported 2024-09-25: July-September were paid after death.
    late = "2024-09-25"
    ledger.append(
        [
            died("P1", "2024-06-10", recorded=late),
            *[
                accrual("P1", 500_000, m, month="2024-10", component="recovery", recorded=late)
                for m in months[1:]
            ],
            accrual(
                "P1", 10_000_000, "2024-06", month="2024-10", component="funeral", recorded=late
            ),
        ]
    )
    end_of_august = date(2024, 8, 31)
    then = ledger.balances("P1", as_of=end_of_august, known_on=end_of_august)
    now = ledger.balances("P1", as_of=end_of_august)
    assert (then.paid, then.owed, then.overpaid, then.recovered) == (1_500_000, 0, 0, 0)
    assert (now.recovered, now.accrued_by_component["funeral"]) == (1_000_000, 10_000_000)
    assert (now.owed, now.overpaid) == (9_000_000, 0)  # the funeral support outweighs it
    recovery = ledger.account_balance("person:P1:recovery", as_of=end_of_august)
    assert recovery == 1_000_000
    assert (
        ledger.account_balance(
            "person:P1:recovery", as_of=end_of_august, known_on=datetime(2024, 9, 25, 2, tzinfo=UTC)
        )
        == 0
    )


def test_an_overpayment_without_offsetting_support_is_owed_back(ledger: Ledger) -> None:
    ledger.append(
        [
            accrual("P1", 500_000, "2024-07", recorded="2024-06-20"),
            disbursement("P1", 500_000, "2024-07-05"),
            accrual(
                "P1",
                500_000,
                "2024-07",
                month="2024-09",
                component="recovery",
                recorded="2024-09-25",
            ),
        ]
    )
    b = ledger.balances("P1")
    assert (b.accrued, b.paid, b.recovered, b.owed, b.overpaid) == (
        500_000,
        500_000,
        500_000,
        -500_000,
        500_000,
    )
    assert ledger.balances("P1", known_on=date(2024, 9, 24)).overpaid == 0
