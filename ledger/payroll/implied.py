"""Events implied by an eligibility fact, for the stream worker to append with their cause.

BeneficiaryDied -> EligibilityTerminated(died, from the month after) + funeral support;
EligibilityResumed(back_pay) -> arrears for each suspended month not yet accrued. Ids and
payloads depend only on the cause and what the ledger held before it, so a replay gives the
same events; the payroll run subtracts them (it diffs due against accrued per service month).

An amount the rates cannot price (NoRateRule) is not implied: the cause and the termination
are recorded all the same, the worker logs why, and the payroll run names the person as not
paid until the rates or the decision are fixed, then accrues it with the same ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from ledger.payroll.accruals import ALLOWANCE, FUNERAL
from ledger.payroll.calendar import month_index, month_text
from ledger.payroll.entitlement import entitlement, funeral_support
from ledger.payroll.errors import NoRateRule
from ledger.payroll.facts import (
    DIED,
    RESUMED,
    SUSPENDED,
    TERMINATED,
    Fact,
    Person,
    fact_from_event,
    person_from_events,
)
from ledger.payroll.rates import RateTable, load_rates
from ledger.records import StoredEvent
from schemas.build import deterministic_id, make_event
from schemas.eligibility import (
    BeneficiaryDied,
    EligibilityResumed,
    EligibilityTerminated,
    TerminationReason,
)
from schemas.envelope import Event, Source
from schemas.payments import AllowanceAccrued, Component
from schemas.policy import StandardLevelSet

#: ``source.system`` of every implied event (the cause is its ``correlation_id``).
IMPLIED_SOURCE = "aidledger-implied"
_VIETNAM = timedelta(hours=7)
log = logging.getLogger("aidledger.payroll")
T = TypeVar("T")


class EventSource(Protocol):
    """What implied_events reads: the ledger's ``events`` (a Ledger satisfies it)."""

    def events(
        self,
        person_id: str | None = None,
        event_types: list[str] | None = None,
        after_sequence: int = 0,
    ) -> Iterator[StoredEvent]: ...


@lru_cache(maxsize=1)
def _default_rates() -> RateTable:
    return load_rates()


def implied_events(
    event: Event, ledger: EventSource, rates: RateTable | None = None
) -> list[Event]:
    """The events a fact implies (empty for other events); append them with their cause."""
    if not isinstance(event, BeneficiaryDied | EligibilityResumed):
        return []
    if isinstance(event, EligibilityResumed) and not event.back_pay:
        return []
    before: list[StoredEvent] = []
    for stored in ledger.events(person_id=event.person_id):
        if stored.event_id == event.event_id:
            break
        before.append(stored)
    cutoff = before[-1].sequence if before else 0
    table = (rates or _default_rates()).with_level_events(
        s.event
        for s in ledger.events(event_types=["StandardLevelSet"])
        if s.sequence <= cutoff and isinstance(s.event, StandardLevelSet)
    )
    history = [(s.sequence, s.event) for s in before]
    person = person_from_events(event.person_id, [*history, (cutoff + 1, event)])
    cause = fact_from_event(event, cutoff + 1)
    assert cause is not None
    accrued = _accrued(s.event for s in before)
    return implied_by(person, table, cause, accrued)


def _accrued(events: Iterable[Event]) -> dict[tuple[str, int], int]:
    totals: dict[tuple[str, int], int] = {}
    for e in events:
        if isinstance(e, AllowanceAccrued):
            kind = FUNERAL if e.component is Component.FUNERAL else ALLOWANCE
            sign = -1 if e.component is Component.RECOVERY else 1
            key = (kind, month_index(e.service_month))
            totals[key] = totals.get(key, 0) + sign * e.amount_vnd
    return totals


def implied_by(
    person: Person, rates: RateTable, cause: Fact, accrued: dict[tuple[str, int], int]
) -> list[Event]:
    """Pure core: the implied events of ``cause`` for a person as known at the cause."""
    recorded = _parse_time(cause.recorded_at)
    occurred = _parse_time(cause.occurred_at)
    source = Source(system=IMPLIED_SOURCE, reference=f"implied by event {cause.event_id}")
    month = month_text(month_index((recorded + _VIETNAM).strftime("%Y-%m")))
    common: dict[str, Any] = {
        "source": source,
        "occurred_at": occurred,
        "recorded_at": recorded,
        "correlation_id": cause.event_id,
    }
    out: list[Event] = []
    if cause.kind == DIED:
        out.append(
            make_event(
                EligibilityTerminated,
                event_id=deterministic_id("implied-terminated", cause.event_id),
                person_id=person.person_id,
                reason=TerminationReason.DIED,
                effective_month=month_text(cause.month + 1),
                **common,
            )
        )
        funeral = _priced(person, "funeral support", lambda: funeral_support(person, rates))
        already = sum(v for (k, _), v in accrued.items() if k == FUNERAL)
        if funeral is not None and funeral.amount_vnd > already:
            out.append(
                make_event(
                    AllowanceAccrued,
                    event_id=deterministic_id("funeral", person.person_id),
                    person_id=person.person_id,
                    month=month,
                    service_month=month_text(funeral.month),
                    component=Component.FUNERAL,
                    amount_vnd=funeral.amount_vnd - already,
                    province_code=funeral.place.province,
                    commune_code=funeral.place.commune,
                    standard_level_vnd=funeral.standard_level_vnd,
                    note=f"funeral support: 20 x standard level of {month_text(funeral.month)}",
                    **common,
                )
            )
    elif cause.kind == RESUMED:
        ent = _priced(person, "back pay", lambda: entitlement(person, rates, cause.month - 1))
        suspended = _suspended_months(person, cause)
        for seg in ent.segments if ent is not None else ():
            for service in range(seg.first, seg.last + 1):
                if service not in suspended:
                    continue
                owed = seg.amount_vnd - accrued.get((ALLOWANCE, service), 0)
                if owed <= 0:
                    continue
                out.append(
                    make_event(
                        AllowanceAccrued,
                        event_id=deterministic_id("back-pay", cause.event_id, month_text(service)),
                        person_id=person.person_id,
                        month=month,
                        service_month=month_text(service),
                        component=Component.ARREARS,
                        amount_vnd=owed,
                        province_code=seg.place.province,
                        commune_code=seg.place.commune,
                        coefficient=seg.coefficient,
                        standard_level_vnd=seg.standard_level_vnd,
                        note="back pay for a suspended month",
                        **common,
                    )
                )
    return out


def _priced(person: Person, what: str, price: Callable[[], T]) -> T | None:
    """``price()``, or None (logged) when the rates cannot price the person: a poison batch,
    retried for ever, would stop every event behind it."""
    try:
        return price()
    except NoRateRule as exc:
        log.warning(
            "person %s: %s not implied: %s; the payroll run reports the person as not paid"
            " and accrues it once the rates or the decision are fixed",
            person.person_id,
            what,
            exc,
        )
        return None


def _suspended_months(person: Person, cause: Fact) -> set[int]:
    """Months of the suspension this resumption ends (from its start to the month before)."""
    start: int | None = None
    for fact in sorted(person.facts, key=lambda f: (f.month, f.sequence)):
        if fact.month > cause.month:
            break
        if fact.sequence >= cause.sequence:
            continue
        if fact.kind == SUSPENDED and start is None:
            start = fact.month
        elif fact.kind in (RESUMED, TERMINATED):
            start = None
    return set(range(start, cause.month)) if start is not None else set()


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
