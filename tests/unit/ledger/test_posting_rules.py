"""Posting rules: every event type has one, and every entry balances per asset."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from ledger import accounts as A
from ledger.descriptions import describe
from ledger.posting_rules import RULES, entry_for
from schemas import EVENT_TYPES, Event
from tests.unit.ledger.builders import (
    accrual,
    card_issued,
    disbursement,
    handout,
    one_of_each,
    registered,
    reversal,
)

EXAMPLES = one_of_each()


def _sums(event: Event) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for account, amount in entry_for(event).legs:
        totals[account.asset] += amount
    return dict(totals)


def test_every_event_type_has_a_posting_rule() -> None:
    assert set(RULES) == set(EVENT_TYPES)
    assert {e.event_type for e in EXAMPLES} == set(EVENT_TYPES)


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_type)
def test_postings_of_every_event_type_sum_to_zero_per_asset(event: Event) -> None:
    assert all(total == 0 for total in _sums(event).values())
    assert all(amount != 0 for _, amount in entry_for(event).legs)
    assert describe(event)


def test_events_without_a_money_effect_get_an_entry_with_no_postings() -> None:
    entry = entry_for(registered("P1", recorded="2025-01-02"))
    assert entry.legs == ()
    assert entry.business_date == date(2025, 1, 2)


def test_an_accrual_credits_the_person_component_and_charges_the_program() -> None:
    entry = entry_for(accrual("P1", 500_000, "2024-07", month="2024-08", component="arrears"))
    assert entry.business_date == date(2024, 7, 1)  # the service month, not the payroll month
    assert dict(entry.legs) == {
        A.program("84", "allowance_expense"): 500_000,
        A.person_accrued("P1", "arrears"): -500_000,
    }


def test_a_recovery_accrual_is_owed_back_by_the_person() -> None:
    entry = entry_for(accrual("P1", 360_000, "2024-09", component="recovery"))
    assert dict(entry.legs) == {
        A.person_recovery("P1"): 360_000,
        A.program("84", "allowance_expense"): -360_000,
    }


def test_a_reversal_undoes_exactly_what_its_disbursement_posted() -> None:
    paid = disbursement("P1", 500_000, "2024-07-05")
    net: dict[A.Account, int] = defaultdict(int)
    for event in (paid, reversal(paid)):
        for account, amount in entry_for(event).legs:
            net[account] += amount
    assert set(net.values()) == {0}
    assert entry_for(paid).business_date == date(2024, 7, 5)


def test_a_handout_posts_the_quantity_and_the_value_to_the_recipient() -> None:
    legs = dict(entry_for(handout("P1", "RICE", 3, 200_000)).legs)
    assert legs[A.recipient_relief("person", "P1", "RICE", "ITEM:RICE")] == 3
    assert legs[A.recipient_relief("person", "P1", "RICE", "VND")] == 600_000
    assert legs[A.donor("D1", "TET-2025", "held", "ITEM:RICE")] == -3


def test_a_card_with_no_premium_posts_nothing() -> None:
    assert (
        entry_for(card_issued("P1", "BT2848420000001", "2025-01-01", "2025-12-31", premium=0)).legs
        == ()
    )
