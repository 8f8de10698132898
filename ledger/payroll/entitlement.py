"""What is due to a person for each service month, from their facts and the rates table.

Pure functions. Facts apply in the order of their effective month (ties: the order recorded),
so a backdated decision changes exactly the months it covers; a termination overrides the
decisions recorded before it that take effect from its month on (docs/payroll.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from ledger.payroll.calendar import birthday_month
from ledger.payroll.errors import NoRateRule
from ledger.payroll.facts import (
    CHANGED,
    DIED,
    GRANTED,
    RELOCATED,
    RESUMED,
    SUSPENDED,
    TERMINATED,
    Fact,
    Person,
    Place,
)
from ledger.payroll.rates import RateTable
from schemas.eligibility import BeneficiaryGroup, TerminationReason

#: Funeral support is this many times the standard level of the month of death.
FUNERAL_MULTIPLE = 20
SINGLE_PARENT = BeneficiaryGroup.SINGLE_PARENT_POOR


def whole_vnd(amount: Decimal) -> int:
    """Round an exact amount to whole đồng, half away from zero (0.5 đồng rounds up)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


_ZERO = Decimal(0)
#: level x coefficient -> whole VND; a handful of pairs recur for a whole province.
_AMOUNTS: dict[tuple[int, Decimal], int] = {}


def _amount(level: int, coefficient: Decimal) -> int:
    found = _AMOUNTS.get((level, coefficient))
    if found is None:
        found = whole_vnd(level * coefficient)
        if len(_AMOUNTS) < 4096:
            _AMOUNTS[(level, coefficient)] = found
    return found


class Segment(NamedTuple):
    """Consecutive months ``first..last`` with the same amount due and the same paying place."""

    first: int
    last: int
    amount_vnd: int
    coefficient: Decimal
    standard_level_vnd: int
    place: Place


class Funeral(NamedTuple):
    """Funeral support due once: 20 x the standard level of the month of death."""

    month: int
    amount_vnd: int
    standard_level_vnd: int
    place: Place


@dataclass
class Entitlement:
    """Due segments up to a month, funeral support, and where the person is paid over time."""

    person_id: str = ""
    segments: list[Segment] = field(default_factory=list)
    funeral: Funeral | None = None
    places: list[tuple[int, Place]] = field(default_factory=list)
    #: Suspended month -> event id of the resumption whose back pay makes it due.
    back_pay: dict[int, str] = field(default_factory=dict)

    def due(self, month: int) -> int:
        for seg in self.segments:
            if seg.first <= month <= seg.last:
                return seg.amount_vnd
        return 0

    def place_at(self, month: int) -> Place | None:
        """The place that pays a month: the latest relocation in force, else the registration."""
        found: Place | None = None
        for start, place in self.places:
            if start <= month:
                found = place
        return found


@dataclass
class _State:
    grants: dict[BeneficiaryGroup, Fact] = field(default_factory=dict)
    suspended_since: int | None = None
    place: Place | None = None
    #: Ended by a termination, not granted again since: a change has no grant to change.
    terminated: bool = False


def _apply(state: _State, fact: Fact, back_paid: list[tuple[int, int, str]]) -> None:
    if fact.kind in (GRANTED, CHANGED) and fact.group is not None:
        if fact.kind == CHANGED and state.terminated:
            return  # only a grant restarts payment after a termination
        if fact.kind == GRANTED:
            state.terminated = False
        if fact.kind == CHANGED and fact.group not in state.grants and fact.group != SINGLE_PARENT:
            # A change of group replaces the main allowance; a single parent's is paid in
            # addition, so it is kept (and a change to that group replaces only that one).
            state.grants = {g: f for g, f in state.grants.items() if g == SINGLE_PARENT}
        state.grants[fact.group] = fact
    elif fact.kind == SUSPENDED:
        if state.suspended_since is None:
            state.suspended_since = fact.month
    elif fact.kind == RESUMED:
        if state.suspended_since is not None and fact.back_pay:
            back_paid.append((state.suspended_since, fact.month - 1, fact.event_id))
        state.suspended_since = None
    elif fact.kind == TERMINATED:
        state.grants.clear()
        state.suspended_since = None
        state.terminated = True
    elif fact.kind == RELOCATED and fact.place is not None:
        state.place = fact.place


def _coefficient(
    person: Person, rates: RateTable, grants: dict[BeneficiaryGroup, Fact], month: int
) -> Decimal:
    """Highest coefficient of the groups, plus a poor single parent's 1.0 per child."""
    if person.birth_date is None:
        raise NoRateRule(f"person {person.person_id} has decisions but no registration")
    age = (month - (person.birth_date.year * 12 + person.birth_date.month - 1)) // 12
    main = extra = _ZERO
    for group, fact in grants.items():
        value = fact.coefficient
        if value is None:
            value = rates.coefficient(group, age, person.disability_level, month)
        if value is None:
            continue
        if group == SINGLE_PARENT:
            # An explicit coefficient in the decision is the whole amount, not per child.
            extra = value if fact.coefficient is not None else value * (fact.children or 1)
        elif value > main:
            main = value
    return main + extra if extra else main


def _boundaries(
    person: Person, rates: RateTable, facts: list[Fact], start: int, end: int
) -> list[int]:
    """Months in [start, end] where the amount due may change: facts, rate tables, birthdays."""
    marks = {start}
    for fact in facts:
        if start <= fact.month <= end:
            marks.add(fact.month)
        if fact.place is not None:
            marks.update(rates.table_changes_between(fact.place.province, start, end))
    if person.place is not None:
        marks.update(rates.table_changes_between(person.place.province, start, end))
    if person.birth_date is not None:
        born = birthday_month(person.birth_date, 0)
        for offset in rates.birthday_offsets:
            if start <= born + offset <= end:
                marks.add(born + offset)
    return sorted(marks)


def _in_force_order(fact: Fact) -> tuple[int, int]:
    return fact.month, fact.sequence


_DIED = TerminationReason.DIED.value
#: Decisions a termination recorded after them overrides from its effective month on.
_DECISIONS = frozenset((GRANTED, CHANGED, SUSPENDED, RESUMED))


def _in_force(facts: Sequence[Fact]) -> list[Fact]:
    """The facts in the order they apply, without those a later fact overrides.

    A later report of a death (a corrected date) overrides the termination the earlier report
    implied. A termination is the later decision over every grant, change, suspension or
    resumption recorded before it that takes effect from its effective month on: a decision
    taken earlier for a later month does not restart a payment stopped by a backdated
    termination.
    """
    ordered = sorted(facts, key=_in_force_order)
    deaths = [f.sequence for f in ordered if f.kind == DIED]
    if len(deaths) > 1:
        latest = max(deaths)
        ordered = [f for f in ordered if not _for_an_earlier_death(f, latest)]
    ends = [(f.month, f.sequence) for f in ordered if f.kind == TERMINATED]
    if not ends:
        return ordered
    return [
        f
        for f in ordered
        if f.kind not in _DECISIONS
        or not any(month <= f.month and f.sequence < seq for month, seq in ends)
    ]


def _for_an_earlier_death(fact: Fact, latest_death: int) -> bool:
    return fact.kind == TERMINATED and fact.reason == _DIED and fact.sequence < latest_death


def entitlement(person: Person, rates: RateTable, through: int) -> Entitlement:
    """Everything due to a person for service months up to ``through`` (a month index).

    Raises NoRateRule when a month cannot be priced (no registration, no rule for a group).
    """
    facts = _in_force(person.facts)
    result = Entitlement(person.person_id)
    if person.place is not None:
        result.places.append((0, person.place))
    result.places.extend((f.month, f.place) for f in facts if f.kind == RELOCATED and f.place)
    decisions = [f for f in facts if f.kind in (GRANTED, CHANGED)]
    if not decisions:
        return result
    deaths = [f for f in person.facts if f.kind == DIED]
    death = max(deaths, key=lambda f: f.sequence) if deaths else None
    end = through if death is None else min(through, death.month)
    start = decisions[0].month
    state = _State(place=person.place)
    back_paid: list[tuple[int, int, str]] = []
    raw: list[tuple[int, int, Decimal, int, Place, int | None]] = []
    marks = _boundaries(person, rates, facts, start, max(end, start))
    at = 0
    for index, first in enumerate(marks):
        last = marks[index + 1] - 1 if index + 1 < len(marks) else end
        while at < len(facts) and facts[at].month <= first:
            _apply(state, facts[at], back_paid)
            at += 1
        if first > end or not state.grants or state.place is None:
            continue
        coefficient = _coefficient(person, rates, state.grants, first)
        if coefficient == 0:
            continue
        level = rates.standard_level(state.place.province, first)
        raw.append((first, last, coefficient, level, state.place, state.suspended_since))
    # Apply the remaining facts (after ``end``) so a late resumption's back pay is seen.
    for fact in facts[at:]:
        _apply(state, fact, back_paid)
    for first, last, coefficient, level, place, suspended in raw:
        if suspended is not None:
            closing = [cause for s, _, cause in back_paid if s == suspended]
            if not closing:
                continue
            for month in range(first, last + 1):
                result.back_pay[month] = closing[0]
        amount = _amount(level, coefficient)
        segment = Segment(first, last, amount, coefficient, level, place)
        if result.segments and _continues(result.segments[-1], segment):
            prev = result.segments[-1]
            segment = Segment(prev.first, last, amount, coefficient, level, place)
            result.segments[-1] = segment
        else:
            result.segments.append(segment)
    if death is not None:
        result.funeral = _funeral(person, rates, facts, death)
    return result


def suspended_in(person: Person, month: int) -> bool:
    """Whether the person's payment is suspended in ``month`` (a month index): a suspension in
    force then, not yet ended by a resumption or a termination."""
    if not any(fact.kind == SUSPENDED for fact in person.facts):
        return False
    state = _State()
    for fact in _in_force(person.facts):
        if fact.month > month:
            break
        _apply(state, fact, [])
    return state.suspended_since is not None


def _continues(prev: Segment, seg: Segment) -> bool:
    return (
        prev.last + 1 == seg.first
        and prev.amount_vnd == seg.amount_vnd
        and prev.coefficient == seg.coefficient
        and prev.place == seg.place
    )


def funeral_support(person: Person, rates: RateTable) -> Funeral | None:
    """Funeral support for the latest reported death (None: no death, or no active decision).

    Needs only the standard level of the month of death, not the coefficient; raises NoRateRule
    when no level is in force then.
    """
    deaths = [f for f in person.facts if f.kind == DIED]
    if not deaths:
        return None
    death = max(deaths, key=lambda f: f.sequence)
    return _funeral(person, rates, _in_force(person.facts), death)


def _funeral(person: Person, rates: RateTable, facts: list[Fact], death: Fact) -> Funeral | None:
    """Funeral support when the person was a recipient (an active decision) in the death month."""
    state = _State(place=person.place)
    for fact in facts:
        if fact.month > death.month:
            break
        if fact.kind != DIED:
            _apply(state, fact, [])
    if not state.grants or state.place is None:
        return None
    level = rates.standard_level(state.place.province, death.month)
    return Funeral(death.month, FUNERAL_MULTIPLE * level, level, state.place)
