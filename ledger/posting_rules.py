"""Posting rules: the journal entry (business date, postings, description) of every event type.

Each rule returns legs ``(account, amount)``, debit positive, that sum to zero per asset. Events
with no money effect (registrations, decisions, lists, card revocations...) get no legs.
Descriptions live in ``ledger.descriptions`` (written while the server inserts postings).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from ledger import accounts as A
from ledger.errors import NoPostingRule
from schemas.envelope import Event
from schemas.months import first_day

Leg = tuple[A.Account, int]


class Entry(NamedTuple):
    """What one event writes to the journal."""

    business_date: date
    legs: tuple[Leg, ...]


def _move(debit: A.Account, credit: A.Account, amount: int) -> tuple[Leg, ...]:
    return ((debit, amount), (credit, -amount)) if amount else ()


def _no_money(day: Callable[[Any], date]) -> Callable[[Any], Entry]:
    def rule(e: Any) -> Entry:
        return Entry(day(e), ())

    return rule


_first_day = lru_cache(maxsize=4096)(first_day)


def _occurred(e: Any) -> date:
    return e.occurred_at.date()  # type: ignore[no-any-return]


def _accrued(e: Any) -> Entry:
    comp = e.component.value
    expense = A.program(e.province_code, "allowance_expense")
    if comp == "recovery":
        legs = _move(A.person_recovery(e.person_id), expense, e.amount_vnd)
    else:
        legs = _move(expense, A.person_accrued(e.person_id, comp), e.amount_vnd)
    return Entry(_first_day(e.service_month), legs)


def _disbursed(e: Any) -> Entry:
    legs = _move(
        A.person_paid(e.person_id), A.post_office(e.post_office_code, "paid_out"), e.amount_paid_vnd
    )
    return Entry(e.paid_at.date(), legs)


def _reversed(e: Any) -> Entry:
    legs = _move(
        A.post_office(e.post_office_code, "paid_out"), A.person_paid(e.person_id), e.amount_vnd
    )
    return Entry(_occurred(e), legs)


def _transferred(e: Any) -> Entry:
    po, amount = e.post_office_code, e.amount_vnd
    if e.direction.value == "to_post_office":
        legs = _move(
            A.post_office(po, "deposited"), A.program(e.province_code, "funds_sent"), amount
        )
    else:
        legs = _move(
            A.program(e.province_code, "funds_returned"), A.post_office(po, "returned"), amount
        )
    return Entry(_occurred(e), legs)


def _fee(e: Any) -> Entry:
    legs = _move(
        A.program(e.province_code, "post_office_fees"),
        A.post_office(e.post_office_code, "fees"),
        e.fee_vnd,
    )
    return Entry(_occurred(e), legs)


def _card_issued(e: Any) -> Entry:
    legs = _move(
        A.program(e.province_code, "bhyt_premium"), A.bhxh_premiums(e.province_code), e.premium_vnd
    )
    return Entry(_occurred(e), legs)


def _donation_legs(e: Any, debit_kind: str, credit_kind: str, goods: bool) -> tuple[Leg, ...]:
    d, c = e.donor_id, e.campaign_id
    legs = _move(A.donor(d, c, debit_kind), A.donor(d, c, credit_kind), e.cash_vnd)
    for item in e.items:
        asset = A.item_asset(item.item_code)
        legs += _move(
            A.donor(d, c, debit_kind, asset), A.donor(d, c, credit_kind, asset), item.quantity
        )
        if goods:
            legs += _move(
                A.donor(d, c, "goods_held"),
                A.donor(d, c, "goods_received"),
                item.quantity * item.unit_value_vnd,
            )
    return legs


def _pledged(e: Any) -> Entry:
    return Entry(_occurred(e), _donation_legs(e, "pledge_receivable", "pledged", goods=False))


def _received(e: Any) -> Entry:
    return Entry(_occurred(e), _donation_legs(e, "held", "received", goods=True))


def _handed_out(e: Any) -> Entry:
    owner = (A.PERSON, e.person_id) if e.person_id else (A.HOUSEHOLD, e.household_id)
    item, asset, d, c = e.item_code, A.item_asset(e.item_code), e.donor_id, e.campaign_id
    legs = _move(A.recipient_relief(*owner, item, asset), A.donor(d, c, "held", asset), e.quantity)
    legs += _move(
        A.recipient_relief(*owner, item, A.VND),
        A.donor(d, c, "goods_held"),
        e.quantity * e.unit_value_vnd,
    )
    return Entry(_occurred(e), legs)


#: event_type -> rule. Every type in schemas.EVENT_TYPES has one (a unit test checks).
RULES: dict[str, Callable[[Any], Entry]] = {
    "BeneficiaryRegistered": _no_money(_occurred),
    "EligibilityGranted": _no_money(lambda e: e.decision_date),
    "EligibilityChanged": _no_money(lambda e: e.decision_date),
    "EligibilitySuspended": _no_money(_occurred),
    "EligibilityResumed": _no_money(_occurred),
    "EligibilityTerminated": _no_money(_occurred),
    "BeneficiaryRelocated": _no_money(_occurred),
    "BeneficiaryDied": _no_money(lambda e: e.date_of_death),
    "StandardLevelSet": _no_money(lambda e: _first_day(e.effective_month)),
    "BaseSalarySet": _no_money(lambda e: e.effective_date),
    "AllowanceAccrued": _accrued,
    "PaymentListIssued": _no_money(_occurred),
    "PaymentDisbursed": _disbursed,
    "PaymentNotCollected": _no_money(lambda e: e.reported_at.date()),
    "PaymentReversed": _reversed,
    "FundsTransferred": _transferred,
    "PostOfficeFeeCharged": _fee,
    "ReconciliationClosed": _no_money(_occurred),
    "HealthInsuranceCardIssued": _card_issued,
    "HealthInsuranceCardRevoked": _no_money(_occurred),
    "DonationPledged": _pledged,
    "DonationReceived": _received,
    "ReliefItemHandedOut": _handed_out,
}


def entry_for(event: Event) -> Entry:
    """The journal entry of an event; NoPostingRule if its type has none."""
    rule = RULES.get(event.event_type)
    if rule is None:
        raise NoPostingRule(event)
    return rule(event)
