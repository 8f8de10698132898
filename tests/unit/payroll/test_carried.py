"""Carried lines settled event by event: a payment takes back what a line carries (off the
open carried amount, else as a recovery), a reversal carries it again (cancelling a recovery
first), never beyond what the line was due."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ledger.payroll.carried import Key, Line, Settlement, followed, still_due
from schemas.build import make_event
from schemas.envelope import Event
from schemas.payments import (
    AllowanceAccrued,
    PaymentDisbursed,
    PaymentNotCollected,
    PaymentReversed,
)

MARCH: Key = ("PL-2025-03-84201", 1)
AMOUNT = 750_000
PLACE = ("P1", "84201")


def _settlement(*, carried: int | None = None, paid: int = 0) -> Settlement:
    line = Line("P1", "84201", "84", AMOUNT, paid, carried, AMOUNT if carried is not None else 0)
    opened = {PLACE: [carried or 0, 0]}
    return Settlement({MARCH: line}, frozenset({"P1"}), opened)


def _state(s: Settlement) -> tuple[int | None, list[int], dict[tuple[str, str, str], int]]:
    return s.lines[MARCH].carried_vnd, s.open[PLACE], s.moved


def test_what_a_line_carries_is_what_it_was_due_less_what_is_paid_on_it() -> None:
    assert [still_due(AMOUNT, paid) for paid in (0, 500_000, AMOUNT, 2 * AMOUNT, -AMOUNT)] == [
        AMOUNT,
        250_000,
        0,
        0,
        AMOUNT,
    ]


def test_a_line_reported_not_collected_carries_what_is_unpaid_of_it_once() -> None:
    s = _settlement(paid=500_000)
    s.not_collected(MARCH, "P1", 900_000)  # more than listed: at most the listed amount
    s.not_collected(MARCH, "P1", AMOUNT)  # a repeated report

    assert _state(s) == (250_000, [250_000, 0], {("P1", "84201", "carried"): 250_000})
    assert s.lines[MARCH].due_vnd == AMOUNT


def test_a_report_naming_another_person_than_the_line_carries_nothing() -> None:
    s = _settlement()
    s.not_collected(MARCH, "P2", AMOUNT)
    assert _state(s) == (None, [0, 0], {})


def test_a_late_payment_takes_the_carried_amount_off_what_is_open() -> None:
    s = _settlement(carried=AMOUNT)
    s.paid(MARCH, 500_000)
    assert _state(s) == (250_000, [250_000, 0], {("P1", "84201", "carried"): -500_000})


def test_a_late_payment_after_the_next_list_held_the_amount_opens_a_recovery() -> None:
    s = _settlement(carried=AMOUNT)
    s.opened("P1", "84201", "carried", -AMOUNT)  # April's list holds it
    s.paid(MARCH, AMOUNT)
    assert _state(s) == (0, [0, AMOUNT], {("P1", "84201", "recovery"): AMOUNT})


def test_a_reversed_late_payment_cancels_the_recovery_it_opened_and_carries_nothing_more() -> None:
    s = _settlement(carried=AMOUNT)
    s.opened("P1", "84201", "carried", -AMOUNT)
    s.paid(MARCH, AMOUNT)
    s.reversed(MARCH, AMOUNT)
    assert _state(s) == (AMOUNT, [0, 0], {("P1", "84201", "recovery"): 0})
    assert s.open_changes() == []


def test_a_reversal_after_the_recovery_was_netted_carries_the_line_again() -> None:
    s = _settlement(carried=AMOUNT)
    s.opened("P1", "84201", "carried", -AMOUNT)
    s.paid(MARCH, AMOUNT)
    s.opened("P1", "84201", "recovery", -AMOUNT)  # May's line netted it
    s.reversed(MARCH, AMOUNT)
    assert _state(s)[:2] == (AMOUNT, [AMOUNT, 0])
    assert sorted(s.open_changes()) == [
        ("P1", "84201", "carried", "84", AMOUNT),
        ("P1", "84201", "recovery", "84", AMOUNT),
    ]


def test_a_reversal_carries_again_only_what_the_line_lacks_of_what_it_was_due() -> None:
    s = _settlement(carried=AMOUNT)
    s.paid(MARCH, AMOUNT)
    s.paid(MARCH, AMOUNT)  # paid twice
    s.reversed(MARCH, AMOUNT)  # one of them reversed: the line is still paid
    assert _state(s)[:2] == (0, [0, 0])
    s.reversed(MARCH, 500_000)  # part of the other one too
    assert _state(s)[:2] == (500_000, [500_000, 0])


def test_a_reversal_of_a_line_never_carried_moves_nothing() -> None:
    s = _settlement(paid=AMOUNT)
    s.reversed(MARCH, AMOUNT)
    s.not_collected(MARCH, "P1", AMOUNT)  # ...until it is reported not collected
    assert _state(s) == (AMOUNT, [AMOUNT, 0], {("P1", "84201", "carried"): AMOUNT})


def _report(cls: type[Event], line_no: int, **fields: Any) -> Event:
    when = datetime(2025, 3, 5, tzinfo=UTC)
    return make_event(
        cls,
        list_id=MARCH[0],
        line_no=line_no,
        person_id="P1" if line_no == 1 else "P2",
        post_office_code="VNPOST-842",
        occurred_at=when,
        recorded_at=when,
        **fields,
    )


def test_a_settlement_follows_the_reports_on_its_lines_and_the_amounts_of_its_people() -> None:
    when = datetime(2025, 3, 5, tzinfo=UTC)
    paid = _report(
        PaymentDisbursed,
        1,
        amount_paid_vnd=AMOUNT,
        paid_at=when,
        receipt_no="R1",
        collected_by="self",
    )
    other = _report(
        PaymentDisbursed,
        2,
        amount_paid_vnd=AMOUNT,
        paid_at=when,
        receipt_no="R2",
        collected_by="self",
    )
    absent = _report(PaymentNotCollected, 3, amount_vnd=AMOUNT, reason="absent", reported_at=when)
    reversed_ = _report(
        PaymentReversed, 1, reverses_event_id=paid.event_id, amount_vnd=AMOUNT, reason="error"
    )

    def recovery(person: str) -> Event:
        return make_event(
            AllowanceAccrued,
            person_id=person,
            month="2025-04",
            service_month="2025-03",
            component="recovery",
            amount_vnd=100_000,
            province_code="84",
            commune_code="84201",
        )

    mine, theirs = recovery("P1"), recovery("P2")
    batch = [paid, other, absent, mine, theirs, reversed_]

    follow = followed(batch, {MARCH}, frozenset({"P1"}))

    assert follow.events == [paid, mine, reversed_]
    assert follow.lines == {MARCH}
    assert follow.reports == [str(paid.event_id), str(reversed_.event_id)]
