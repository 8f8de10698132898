"""A line carried forward, paid after all and the payment then reversed: unpaid again, so it
carries again (never more than it was due), whatever the order and the batches of the reports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from schemas.build import make_event
from schemas.envelope import Event
from schemas.payments import (
    Component,
    PaymentDisbursed,
    PaymentLine,
    PaymentNotCollected,
    PaymentReversed,
)
from tests.integration.payroll.reports import import_rows, issued_lines, reverse

pytestmark = pytest.mark.integration

MARCH = "PL-2025-03-84201"
APRIL = "PL-2025-04-84201"
AMOUNT = 750_000
ABSENT = f"{MARCH},1,P1,,2025-03-05,,,absent\n"


def paid(list_id: str, amount: int, day: str, receipt: str) -> str:
    """A report row: the line paid ``amount`` on ``day`` (YYYY-MM-DD)."""
    return f"{list_id},1,P1,{amount},{day},{receipt},self,\n"


def line(ledger: Ledger, month: str) -> PaymentLine:
    ((_, listed),) = issued_lines(ledger, month)
    return listed


def carried(ledger: Ledger) -> list[tuple[str, int, int, int]]:
    """Each carried line: list, line, what it still carries, what it was due."""
    with ledger.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT list_id, line_no, amount_vnd, due_vnd FROM ledger.payroll_carried "
            "ORDER BY list_id, line_no"
        ).all()
    return [(a, b, c, d) for a, b, c, d in rows]


def still_open(ledger: Ledger) -> dict[str, int]:
    """P1's open carried and recovery amounts (rows of 0 are deleted)."""
    with ledger.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT component, amount_vnd FROM ledger.payroll_open "
            "WHERE person_id = 'P1' AND component IN ('carried', 'recovery')"
        ).all()
    return {component: amount for component, amount in rows}


def test_a_late_payment_reversed_carries_the_line_again_and_the_next_list_pays_it(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "first.csv", ABSENT)
    import_rows(ledger, tmp_path / "late.csv", paid(MARCH, AMOUNT, "2025-03-15", "R1"))
    assert still_open(ledger) == {}
    reverse(ledger, "R1")

    assert carried(ledger) == [(MARCH, 1, AMOUNT, AMOUNT)]
    assert still_open(ledger) == {"carried": AMOUNT}
    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    assert line(ledger, "2025-04").components == {
        Component.REGULAR: AMOUNT,
        Component.CARRIED: AMOUNT,
    }


def test_a_late_payment_reversed_after_the_next_list_paid_the_carried_amount_cancels_its_recovery(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "first.csv", ABSENT)
    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    import_rows(
        ledger,
        tmp_path / "late.csv",
        paid(MARCH, AMOUNT, "2025-03-28", "R1") + paid(APRIL, 2 * AMOUNT, "2025-04-05", "R2"),
    )
    assert still_open(ledger) == {"recovery": AMOUNT}  # paid twice: to recover
    reverse(ledger, "R1")  # ...but March's late payment was never made

    assert still_open(ledger) == {}
    assert carried(ledger) == [(MARCH, 1, AMOUNT, AMOUNT)]
    run_payroll(ledger.engine, PayrollScope("2025-05", "84"), ledger.append)
    may = line(ledger, "2025-05")
    assert (may.components, may.amount_vnd) == ({Component.REGULAR: AMOUNT}, AMOUNT)


def test_a_late_payment_reversed_after_its_recovery_was_netted_is_carried_again(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "first.csv", ABSENT)
    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    import_rows(
        ledger,
        tmp_path / "late.csv",
        paid(MARCH, AMOUNT, "2025-03-28", "R1") + paid(APRIL, 2 * AMOUNT, "2025-04-05", "R2"),
    )
    run_payroll(ledger.engine, PayrollScope("2025-05", "84"), ledger.append)
    assert line(ledger, "2025-05").amount_vnd == 0  # the recovery netted
    reverse(ledger, "R1")

    run_payroll(ledger.engine, PayrollScope("2025-06", "84"), ledger.append)
    assert line(ledger, "2025-06").components == {
        Component.REGULAR: AMOUNT,
        Component.CARRIED: AMOUNT,
    }


def test_a_payment_reported_before_the_line_was_reported_not_collected_and_then_reversed_carries_it(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "paid.csv", paid(MARCH, AMOUNT, "2025-03-05", "R1"))
    import_rows(ledger, tmp_path / "absent.csv", f"{MARCH},1,P1,,2025-03-05,NC1,,absent\n")
    assert carried(ledger) == [(MARCH, 1, 0, AMOUNT)]
    reverse(ledger, "R1")

    assert carried(ledger) == [(MARCH, 1, AMOUNT, AMOUNT)]
    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    assert line(ledger, "2025-04").components == {
        Component.REGULAR: AMOUNT,
        Component.CARRIED: AMOUNT,
    }


def test_a_reversed_part_payment_carries_back_only_what_it_took_off(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "first.csv", ABSENT)
    import_rows(ledger, tmp_path / "a.csv", paid(MARCH, 500_000, "2025-03-15", "R1"))
    import_rows(ledger, tmp_path / "b.csv", paid(MARCH, 250_000, "2025-03-16", "R2"))
    reverse(ledger, "R2")

    assert carried(ledger) == [(MARCH, 1, 250_000, AMOUNT)]
    assert still_open(ledger) == {"carried": 250_000}


def test_a_reversal_of_a_second_payment_carries_nothing_while_the_line_stays_paid(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "first.csv", ABSENT)
    import_rows(ledger, tmp_path / "a.csv", paid(MARCH, AMOUNT, "2025-03-15", "R1"))
    import_rows(ledger, tmp_path / "b.csv", paid(MARCH, AMOUNT, "2025-03-16", "R2"))
    reverse(ledger, "R2")  # the line was still paid once

    assert carried(ledger) == [(MARCH, 1, 0, AMOUNT)]
    assert still_open(ledger) == {}


def test_a_reversed_payment_of_a_line_never_reported_not_collected_carries_nothing(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "paid.csv", paid(MARCH, AMOUNT, "2025-03-05", "R1"))
    reverse(ledger, "R1")

    assert carried(ledger) == []
    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    assert line(ledger, "2025-04").components == {Component.REGULAR: AMOUNT}


def _report(cls: type[Event], day: int, **fields: Any) -> Event:
    when = datetime(2025, 3, day, 3, tzinfo=UTC)
    return make_event(
        cls,
        list_id=MARCH,
        line_no=1,
        person_id="P1",
        post_office_code="VNPOST-842",
        occurred_at=when,
        recorded_at=when,
        **fields,
    )


def _not_collected_paid_reversed() -> dict[str, Event]:
    when = datetime(2025, 3, 5, 3, tzinfo=UTC)
    payment = _report(
        PaymentDisbursed,
        6,
        amount_paid_vnd=AMOUNT,
        paid_at=when,
        receipt_no="R1",
        collected_by="self",
    )
    return {
        "absent": _report(
            PaymentNotCollected, 5, amount_vnd=AMOUNT, reason="absent", reported_at=when
        ),
        "paid": payment,
        "reversed": _report(
            PaymentReversed,
            7,
            reverses_event_id=payment.event_id,
            amount_vnd=AMOUNT,
            reason="receipt entered twice",
        ),
    }


@pytest.mark.parametrize(
    "order",
    [
        ("absent", "paid", "reversed"),
        ("paid", "absent", "reversed"),
        ("paid", "reversed", "absent"),
    ],
)
@pytest.mark.parametrize("together", [True, False], ids=["one batch", "one batch each"])
def test_a_payment_its_reversal_and_a_not_collected_report_carry_the_line_in_any_order_and_batches(
    march_listed: Ledger, order: tuple[str, ...], together: bool
) -> None:
    events = _not_collected_paid_reversed()
    batches = [[events[name] for name in order]] if together else [[events[n]] for n in order]
    for batch in batches:
        march_listed.append(batch)

    assert carried(march_listed) == [(MARCH, 1, AMOUNT, AMOUNT)]
    assert still_open(march_listed) == {"carried": AMOUNT}
