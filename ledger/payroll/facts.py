"""A person's eligibility history in compact form: what the payroll rules need, nothing more.

Built from events (unit tests, implied events) or from the payroll read model (the run); both
give the same ``Person``. The compact JSON form is what the projector stores.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from ledger.payroll.calendar import date_month_index, month_index
from schemas.eligibility import (
    BeneficiaryDied,
    BeneficiaryGroup,
    BeneficiaryRegistered,
    BeneficiaryRelocated,
    DisabilityLevel,
    EligibilityChanged,
    EligibilityGranted,
    EligibilityResumed,
    EligibilitySuspended,
    EligibilityTerminated,
)
from schemas.envelope import Event


class Place(NamedTuple):
    """Where a person is paid: province, district and commune codes."""

    province: str
    district: str
    commune: str


GRANTED, CHANGED, SUSPENDED, RESUMED = "granted", "changed", "suspended", "resumed"
TERMINATED, RELOCATED, DIED = "terminated", "relocated", "died"


class Fact(NamedTuple):
    """One eligibility fact: ``month`` is its effective month index (death: the month of death).

    A named tuple rather than a frozen dataclass: the payroll builds one per fact per person,
    and a tuple is made several times faster (immutable all the same).
    """

    kind: str
    sequence: int
    month: int
    group: BeneficiaryGroup | None = None
    coefficient: Decimal | None = None
    children: int | None = None
    back_pay: bool = False
    place: Place | None = None
    died_on: date | None = None
    event_id: str = ""
    recorded_at: str = ""
    occurred_at: str = ""
    #: A termination's reason (``TerminationReason`` value): one for a death is superseded
    #: by a later report of the death (a corrected date).
    reason: str | None = None


class Person(NamedTuple):
    """Registration data plus every eligibility fact, in the order the ledger recorded them."""

    person_id: str
    full_name: str | None
    birth_date: date | None
    place: Place | None
    disability_level: DisabilityLevel | None = None
    facts: tuple[Fact, ...] = ()

    def known_at(self, sequence: int) -> Person:
        """The person as known when the ledger held events up to ``sequence``."""
        kept = tuple(f for f in self.facts if f.sequence <= sequence)
        if len(kept) == len(self.facts):
            return self
        return Person(
            self.person_id,
            self.full_name,
            self.birth_date,
            self.place,
            self.disability_level,
            kept,
        )


def fact_from_event(event: Event, sequence: int) -> Fact | None:
    """The compact fact of an eligibility event (None for a registration)."""
    ids = {
        "sequence": sequence,
        "event_id": str(event.event_id),
        "recorded_at": event.recorded_at.isoformat(),
        "occurred_at": event.occurred_at.isoformat(),
    }
    if isinstance(event, EligibilityGranted | EligibilityChanged):
        kind = GRANTED if isinstance(event, EligibilityGranted) else CHANGED
        return Fact(
            kind,
            month=month_index(event.effective_month),
            group=event.group,
            coefficient=event.coefficient,
            children=event.children_raised,
            **ids,  # type: ignore[arg-type]
        )
    if isinstance(event, EligibilitySuspended):
        return Fact(SUSPENDED, month=month_index(event.effective_month), **ids)  # type: ignore[arg-type]
    if isinstance(event, EligibilityResumed):
        return Fact(
            RESUMED,
            month=month_index(event.effective_month),
            back_pay=event.back_pay,
            **ids,  # type: ignore[arg-type]
        )
    if isinstance(event, EligibilityTerminated):
        return Fact(
            TERMINATED,
            month=month_index(event.effective_month),
            reason=event.reason.value,
            **ids,  # type: ignore[arg-type]
        )
    if isinstance(event, BeneficiaryRelocated):
        to = Place(event.to_province_code, event.to_district_code, event.to_commune_code)
        return Fact(RELOCATED, month=month_index(event.effective_month), place=to, **ids)  # type: ignore[arg-type]
    if isinstance(event, BeneficiaryDied):
        return Fact(
            DIED,
            month=date_month_index(event.date_of_death),
            died_on=event.date_of_death,
            **ids,  # type: ignore[arg-type]
        )
    return None


def person_from_events(person_id: str, events: Iterable[tuple[int, Event]]) -> Person:
    """Fold (sequence, event) pairs of one person into a Person."""
    name: str | None = None
    birth: date | None = None
    place: Place | None = None
    level: DisabilityLevel | None = None
    facts: list[Fact] = []
    for sequence, event in events:
        if isinstance(event, BeneficiaryRegistered):
            name, birth, level = event.full_name, event.birth_date, event.disability_level
            place = Place(event.province_code, event.district_code, event.commune_code)
            continue
        fact = fact_from_event(event, sequence)
        if fact is not None:
            facts.append(fact)
    return Person(person_id, name, birth, place, level, tuple(facts))


def fact_to_json(fact: Fact) -> dict[str, Any]:
    """The compact JSON object the payroll read model stores for a fact."""
    out: dict[str, Any] = {"k": fact.kind, "s": fact.sequence, "m": fact.month}
    if fact.group is not None:
        out["g"] = fact.group.value
    if fact.coefficient is not None:
        out["c"] = str(fact.coefficient)
    if fact.children is not None:
        out["n"] = fact.children
    if fact.back_pay:
        out["b"] = True
    if fact.place is not None:
        out["p"] = list(fact.place)
    if fact.died_on is not None:
        out["d"] = fact.died_on.isoformat()
    if fact.reason is not None:
        out["r"] = fact.reason
    if fact.kind in (DIED, RESUMED):
        out.update(id=fact.event_id, ra=fact.recorded_at, oa=fact.occurred_at)
    return out


def fact_from_json(raw: dict[str, Any]) -> Fact:
    """The inverse of :func:`fact_to_json`."""
    place = raw.get("p")
    died = raw.get("d")
    coefficient = raw.get("c")
    group = raw.get("g")
    return Fact(
        raw["k"],
        raw["s"],
        raw["m"],
        group=BeneficiaryGroup(group) if group else None,
        coefficient=Decimal(coefficient) if coefficient is not None else None,
        children=raw.get("n"),
        back_pay=bool(raw.get("b", False)),
        place=Place(*place) if place else None,
        died_on=date.fromisoformat(died) if died else None,
        event_id=raw.get("id", ""),
        recorded_at=raw.get("ra", ""),
        occurred_at=raw.get("oa", ""),
        reason=raw.get("r"),
    )
