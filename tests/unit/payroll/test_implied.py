"""Events implied by a death and by a resumption with back pay (fake ledger, no database)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from ledger.payroll.accruals import new_accruals
from ledger.payroll.entitlement import entitlement
from ledger.payroll.implied import IMPLIED_SOURCE, implied_events
from ledger.payroll.rates import load_rates
from ledger.records import StoredEvent
from schemas.eligibility import BeneficiaryGroup as G
from schemas.eligibility import EligibilityTerminated, TerminationReason
from schemas.envelope import Event
from schemas.payments import AllowanceAccrued, Component
from tests.unit.payroll.builders import History, m


class FakeLedger:
    """Stored events in memory, filtered like ``Ledger.events``."""

    def __init__(self, events: list[Event]) -> None:
        self.stored = [
            StoredEvent(n, e, b"", b"", b"", date(2025, 1, 1)) for n, e in enumerate(events, 1)
        ]

    def events(
        self,
        person_id: str | None = None,
        event_types: list[str] | None = None,
        after_sequence: int = 0,
    ) -> Iterator[StoredEvent]:
        for s in self.stored:
            if person_id is not None and getattr(s.event, "person_id", None) != person_id:
                continue
            if event_types is not None and s.event.event_type not in event_types:
                continue
            yield s


def test_a_death_implies_a_termination_from_the_next_month_and_funeral_support() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2024-01")
    h.die(date(2024, 12, 10), recorded=datetime(2025, 3, 3, tzinfo=UTC))
    death = h.events[-1]
    implied = implied_events(death, FakeLedger(h.events[:-1]))
    terminated = [e for e in implied if isinstance(e, EligibilityTerminated)]
    funeral = [e for e in implied if isinstance(e, AllowanceAccrued)]
    assert terminated[0].reason is TerminationReason.DIED
    assert terminated[0].effective_month == "2025-01"
    assert (funeral[0].component, funeral[0].amount_vnd) == (Component.FUNERAL, 10_000_000)
    assert (funeral[0].service_month, funeral[0].month) == ("2024-12", "2025-03")
    assert all(e.source.system == IMPLIED_SOURCE for e in implied)
    assert all(e.correlation_id == death.event_id for e in implied)


def test_implied_events_are_the_same_on_replay_even_once_the_cause_is_stored() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2024-01")
    h.die(date(2024, 12, 10))
    first = implied_events(h.events[-1], FakeLedger(h.events[:-1]))
    h.grant(G.DISABILITY_SEVERE, "2025-01")  # a later fact must not change the replay
    again = implied_events(h.events[-2], FakeLedger(h.events))
    assert first == again


def test_a_resumption_with_back_pay_implies_arrears_for_each_suspended_month() -> None:
    h = (
        History(born=date(1970, 1, 1))
        .grant(G.DISABILITY_SEVERE, "2024-12")
        .suspend("2025-01")
        .resume("2025-03", back_pay=True)
    )
    implied = implied_events(h.events[-1], FakeLedger(h.events[:-1]))
    assert [(e.service_month, e.component, e.amount_vnd) for e in implied] == [  # type: ignore[attr-defined]
        ("2025-01", Component.ARREARS, 750_000),
        ("2025-02", Component.ARREARS, 750_000),
    ]


def test_back_pay_already_accrued_for_a_month_is_not_implied_again() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2024-12").suspend("2025-01")
    h.add(
        AllowanceAccrued,
        month="2025-01",
        service_month="2025-01",
        component=Component.REGULAR,
        amount_vnd=750_000,
        province_code="84",
        commune_code="84201",
    )
    h.resume("2025-03", back_pay=True)
    implied = implied_events(h.events[-1], FakeLedger(h.events[:-1]))
    assert [e.service_month for e in implied] == ["2025-02"]  # type: ignore[attr-defined]


def test_a_resumption_without_back_pay_implies_nothing() -> None:
    h = (
        History(born=date(1970, 1, 1))
        .grant(G.DISABILITY_SEVERE, "2024-12")
        .suspend("2025-01")
        .resume("2025-03", back_pay=False)
    )
    assert implied_events(h.events[-1], FakeLedger(h.events[:-1])) == []


def test_the_payroll_gives_first_funeral_support_and_back_pay_the_implied_ids() -> None:
    from ledger.payroll.issue import accrual_event

    h = (
        History(born=date(1940, 1, 1))
        .grant(G.ELDERLY_POOR_NO_SUPPORTER, "2024-12")
        .suspend("2025-01")
        .resume("2025-02", back_pay=True)
    )
    h.die(date(2025, 2, 10))
    ledger = FakeLedger(h.events[:-2])
    implied = {
        e.event_id
        for cause in h.events[-2:]
        for e in implied_events(cause, ledger)
        if isinstance(e, AllowanceAccrued)
    }
    ent = entitlement(h.person(), load_rates(), m("2025-03"))
    payroll = {
        accrual_event("P1", "2025-03", a, 0).event_id
        for a in new_accruals(ent, {m("2024-12"): 1_000_000}, 0, m("2025-03"))
    }
    assert len(implied) == 2 and implied <= payroll


def test_a_date_of_death_corrected_to_a_later_month_keeps_the_funeral_and_pays_that_month() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2024-07")
    h.die(date(2025, 1, 5), recorded=datetime(2025, 1, 20, tzinfo=UTC))
    h.events.extend(implied_events(h.events[-1], FakeLedger(h.events)))
    h.die(date(2025, 2, 5), recorded=datetime(2025, 2, 20, tzinfo=UTC))  # the correction
    corrected = implied_events(h.events[-1], FakeLedger(h.events))
    h.events.extend(corrected)

    # The correction stops payment from the month after the real death; the funeral support
    # is already accrued, so none is implied again.
    assert [(type(e).__name__, getattr(e, "effective_month", None)) for e in corrected] == [
        ("EligibilityTerminated", "2025-03")
    ]
    ent = entitlement(h.person(), load_rates(), m("2025-03"))
    accrued = {x: 1_000_000 for x in range(m("2024-07"), m("2025-01") + 1)}
    due = new_accruals(ent, accrued, 10_000_000, m("2025-03"))
    assert [(a.service_month, a.component, a.amount_vnd) for a in due] == [
        (m("2025-02"), Component.ARREARS, 1_000_000)
    ]


def test_a_death_implies_funeral_support_even_when_the_allowance_cannot_be_priced() -> None:
    # A landmine victim without a disability level or a coefficient: the monthly allowance
    # cannot be priced, funeral support (20 x the standard level) can.
    h = History(born=date(1970, 1, 1)).grant(G.LANDMINE_VICTIM, "2025-01")
    h.die(date(2025, 2, 5))
    implied = implied_events(h.events[-1], FakeLedger(h.events[:-1]))
    assert [(type(e).__name__, getattr(e, "amount_vnd", None)) for e in implied] == [
        ("EligibilityTerminated", None),
        ("AllowanceAccrued", 10_000_000),
    ]


def test_what_the_rates_cannot_price_is_not_implied_and_the_worker_logs_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    early = History("P-E", born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2021-01")
    early.die(date(2021, 3, 10))  # no standard level before 2021-07: no funeral support priced
    implied = implied_events(early.events[-1], FakeLedger(early.events[:-1]))
    assert [type(e).__name__ for e in implied] == ["EligibilityTerminated"]

    unpriced = History("P-L", born=date(1970, 1, 1)).grant(G.LANDMINE_VICTIM, "2024-12")
    unpriced.suspend("2025-01").resume("2025-03", back_pay=True)
    assert implied_events(unpriced.events[-1], FakeLedger(unpriced.events[:-1])) == []

    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w.split(":")[0] for w in warned] == ["person P-E", "person P-L"]
    assert "funeral support not implied: no national standard level" in warned[0]
    assert "back pay not implied" in warned[1] and "reports the person as not paid" in warned[1]
