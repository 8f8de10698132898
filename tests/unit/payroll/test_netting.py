"""Netting a recovery against a line: never negative, the remainder stays owed."""

from __future__ import annotations

from ledger.payroll.netting import net_line
from schemas.payments import Component as C


def test_a_recovery_smaller_than_the_line_is_deducted_in_full() -> None:
    line = net_line({C.REGULAR: 1_000_000, C.RECOVERY: 300_000})
    assert line is not None
    assert (line.amount_vnd, line.components[C.RECOVERY], line.recovery_left_vnd) == (
        700_000,
        300_000,
        0,
    )


def test_a_recovery_larger_than_the_line_leaves_a_zero_line_and_carries_the_rest() -> None:
    line = net_line({C.REGULAR: 1_000_000, C.ARREARS: 500_000, C.RECOVERY: 3_000_000})
    assert line is not None
    assert (line.amount_vnd, line.components[C.RECOVERY], line.recovery_left_vnd) == (
        0,
        1_500_000,
        1_500_000,
    )


def test_nothing_positive_to_pay_gives_no_line_and_the_recovery_waits() -> None:
    assert net_line({C.RECOVERY: 500_000}) is None


def test_carried_amounts_are_listed_with_the_month_s_components() -> None:
    line = net_line({C.REGULAR: 750_000, C.CARRIED: 750_000})
    assert line is not None
    assert line.amount_vnd == 1_500_000
    assert line.components == {C.REGULAR: 750_000, C.CARRIED: 750_000}
