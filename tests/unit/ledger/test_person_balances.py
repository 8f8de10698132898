"""A person's balances from the balances of their accounts."""

from __future__ import annotations

from ledger.person_balances import ReliefReceived, assemble


def test_owed_is_accrued_minus_paid_minus_recovered_and_overpaid_is_its_negative() -> None:
    rows = [
        ("accrued", "regular", "VND", -1_500_000),
        ("accrued", "arrears", "VND", -280_000),
        ("recovery", None, "VND", 500_000),
        ("paid", None, "VND", 1_780_000),
    ]
    b = assemble("P1", None, None, rows, ())
    assert (b.accrued, b.arrears, b.paid, b.recovered) == (1_780_000, 280_000, 1_780_000, 500_000)
    assert (b.owed, b.overpaid) == (-500_000, 500_000)
    assert b.accrued_by_component == {
        "regular": 1_500_000,
        "arrears": 280_000,
        "funeral": 0,
        "recovery": 500_000,
    }


def test_nothing_is_overpaid_while_something_is_still_owed() -> None:
    b = assemble("P1", None, None, [("accrued", "regular", "VND", -500_000)], ())
    assert (b.owed, b.overpaid) == (500_000, 0)


def test_relief_is_reported_per_item_in_quantity_and_value() -> None:
    rows = [
        ("relief", "RICE", "ITEM:RICE", 3),
        ("relief", "RICE", "VND", 600_000),
        ("relief", "OIL", "ITEM:OIL", 1),
    ]
    b = assemble("P1", None, None, rows, ())
    assert b.relief == {"OIL": ReliefReceived(1, 0), "RICE": ReliefReceived(3, 600_000)}
