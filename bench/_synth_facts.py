"""Facts in a synthetic person's life, each first known at an instant, and their events."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from schemas import Event, Source, deterministic_id, make_event
from schemas.eligibility import (
    BeneficiaryGroup,
    BeneficiaryRegistered,
    BeneficiaryRelocated,
    EligibilityChanged,
    EligibilityGranted,
    EligibilityResumed,
    EligibilitySuspended,
    EligibilityTerminated,
    SuspensionReason,
    TerminationReason,
)

if TYPE_CHECKING:
    from bench._synth_geography import Commune
    from bench._synth_people import Person

E = TypeVar("E", bound=Event)

REGISTER = Source(system="commune-register")
PAYROLL = Source(system="payroll")
POST_OFFICE = Source(system="vnpost-report")
BHXH = Source(system="bhxh")
RELIEF = Source(system="relief-desk")
POLICY = Source(system="policy-desk")


def build(
    seed: int,
    cls: type[E],
    key: tuple[object, ...],
    when: datetime,
    source: Source,
    recorded_at: datetime | None = None,
    **fields: Any,
) -> E:
    """An event with a deterministic id from (seed, type, key): same seed, same bytes."""
    return make_event(
        cls,
        source=source,
        event_id=deterministic_id("bench", seed, cls.__name__, *key),
        occurred_at=when,
        recorded_at=recorded_at or when,
        **fields,
    )


@dataclass(frozen=True, slots=True)
class Fact(ABC):
    """Something about a person that the department learns at ``known_at``."""

    known_at: datetime

    @abstractmethod
    def events(self, seed: int, person: Person) -> list[Event]:
        """The events that record this fact for ``person``."""


@dataclass(frozen=True, slots=True)
class Registration(Fact):
    def events(self, seed: int, person: Person) -> list[Event]:
        home = person.home
        return [
            build(
                seed,
                BeneficiaryRegistered,
                (person.person_id,),
                self.known_at,
                REGISTER,
                person_id=person.person_id,
                full_name=person.full_name,
                birth_date=person.birth,
                sex=person.sex,
                citizen_id=person.citizen_id,
                province_code=home.province_code,
                district_code=home.district_code,
                commune_code=home.commune_code,
                household_id=person.household_id,
                groups=person.groups,
                disability_level=person.disability,
                landmine_victim=person.landmine,
            )
        ]


@dataclass(frozen=True, slots=True)
class Decision(Fact):
    """A grant (``first``) or a change of group/coefficient from ``effective``."""

    effective: str
    coef: Decimal
    group: BeneficiaryGroup
    number: str
    signed: date
    first: bool

    def events(self, seed: int, person: Person) -> list[Event]:
        cls = EligibilityGranted if self.first else EligibilityChanged
        key = (person.person_id, self.effective)
        return [
            build(
                seed,
                cls,
                key,
                self.known_at,
                REGISTER,
                person_id=person.person_id,
                group=self.group,
                coefficient=self.coef,
                decision_number=self.number,
                decision_date=self.signed,
                effective_month=self.effective,
                children_raised=person.children
                if self.group is BeneficiaryGroup.SINGLE_PARENT_POOR
                else None,
            )
        ]


@dataclass(frozen=True, slots=True)
class Stop(Fact):
    """Payment stops from ``effective`` (the first month no longer paid)."""

    effective: str
    reason: TerminationReason
    number: str | None

    def events(self, seed: int, person: Person) -> list[Event]:
        return [
            build(
                seed,
                EligibilityTerminated,
                (person.person_id, self.effective),
                self.known_at,
                REGISTER,
                person_id=person.person_id,
                reason=self.reason,
                effective_month=self.effective,
                decision_number=self.number,
            )
        ]


@dataclass(frozen=True, slots=True)
class Pause(Fact):
    effective: str
    reason: SuspensionReason

    def events(self, seed: int, person: Person) -> list[Event]:
        return [
            build(
                seed,
                EligibilitySuspended,
                (person.person_id, self.effective),
                self.known_at,
                REGISTER,
                person_id=person.person_id,
                reason=self.reason,
                effective_month=self.effective,
            )
        ]


@dataclass(frozen=True, slots=True)
class Resume(Fact):
    effective: str
    back_pay: bool

    def events(self, seed: int, person: Person) -> list[Event]:
        return [
            build(
                seed,
                EligibilityResumed,
                (person.person_id, self.effective),
                self.known_at,
                REGISTER,
                person_id=person.person_id,
                effective_month=self.effective,
                back_pay=self.back_pay,
            )
        ]


@dataclass(frozen=True, slots=True)
class Move(Fact):
    """The person moves to another commune, which pays from ``effective``."""

    effective: str
    old: Commune
    new: Commune

    def events(self, seed: int, person: Person) -> list[Event]:
        return [
            build(
                seed,
                BeneficiaryRelocated,
                (person.person_id, self.effective),
                self.known_at,
                REGISTER,
                person_id=person.person_id,
                effective_month=self.effective,
                from_province_code=self.old.province_code,
                from_district_code=self.old.district_code,
                from_commune_code=self.old.commune_code,
                to_province_code=self.new.province_code,
                to_district_code=self.new.district_code,
                to_commune_code=self.new.commune_code,
            )
        ]
