"""Eligibility family (topic ``aid.eligibility``): who is served, from when, and why it stops."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from schemas.envelope import Event
from schemas.types import (
    CitizenId,
    Coefficient,
    CommuneCode,
    DistrictCode,
    Identifier,
    Month,
    ProvinceCode,
)


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class DisabilityLevel(StrEnum):
    PARTICULARLY_SEVERE = "particularly_severe"  # "đặc biệt nặng"
    SEVERE = "severe"  # "nặng"
    MILD = "mild"  # "nhẹ": no monthly allowance


class BeneficiaryGroup(StrEnum):
    """Groups of Decree 20/2021/NĐ-CP art. 5 that a monthly allowance is paid for."""

    CHILD_NO_CAREGIVER = "child_no_caregiver"
    ELDERLY_POOR_NO_SUPPORTER = "elderly_poor_no_supporter"
    ELDERLY_80_NO_PENSION = "elderly_80_no_pension"
    DISABILITY_PARTICULARLY_SEVERE = "disability_particularly_severe"
    DISABILITY_SEVERE = "disability_severe"
    LANDMINE_VICTIM = "landmine_victim"
    HIV_POOR_HOUSEHOLD = "hiv_poor_household"
    SINGLE_PARENT_POOR = "single_parent_poor"


class SuspensionReason(StrEnum):
    NOT_COLLECTED_3_MONTHS = "not_collected_3_months"
    REFUSED_REASSESSMENT = "refused_reassessment"
    DETAINED = "detained"


class TerminationReason(StrEnum):
    DIED = "died"
    MOVED = "moved"
    NO_LONGER_ELIGIBLE = "no_longer_eligible"
    REFUSED = "refused"
    IMPRISONED = "imprisoned"
    MISSING = "missing"


class _EligibilityEvent(Event):
    family: ClassVar[str] = "eligibility"
    person_id: Identifier


class BeneficiaryRegistered(_EligibilityEvent):
    """A person was entered in the commune's register of social-assistance beneficiaries.

    Version 2 renamed ``name`` to ``full_name`` (see ``schemas.upcasting``).
    """

    event_type: Literal["BeneficiaryRegistered"] = "BeneficiaryRegistered"
    schema_version: Literal[2] = 2
    full_name: str = Field(min_length=1, max_length=200)
    birth_date: date
    sex: Sex
    citizen_id: CitizenId | None = None
    province_code: ProvinceCode
    district_code: DistrictCode
    commune_code: CommuneCode
    household_id: Identifier | None = None
    groups: tuple[BeneficiaryGroup, ...] = ()
    disability_level: DisabilityLevel | None = None
    landmine_victim: bool = False


class _Decision(_EligibilityEvent):
    group: BeneficiaryGroup
    #: The coefficient written in the decision; None means "by the rules table".
    coefficient: Coefficient | None = None
    #: For a poor single parent: the number of children raised (1.0 per child).
    children_raised: int | None = Field(default=None, ge=1, le=20)
    decision_number: str = Field(min_length=1, max_length=64)
    decision_date: date
    effective_month: Month


class EligibilityGranted(_Decision):
    """A decision granted the monthly allowance for a group from a month."""

    event_type: Literal["EligibilityGranted"] = "EligibilityGranted"
    schema_version: Literal[1] = 1


class EligibilityChanged(_Decision):
    """A decision changed the group or coefficient from a month (may be backdated)."""

    event_type: Literal["EligibilityChanged"] = "EligibilityChanged"
    schema_version: Literal[1] = 1


class EligibilitySuspended(_EligibilityEvent):
    """Payment was suspended from a month (nothing collected 3 months, refusal, detention)."""

    event_type: Literal["EligibilitySuspended"] = "EligibilitySuspended"
    schema_version: Literal[1] = 1
    reason: SuspensionReason
    effective_month: Month
    decision_number: str | None = Field(default=None, max_length=64)


class EligibilityResumed(_EligibilityEvent):
    """Payment resumed from a month; with back pay the suspended months become arrears."""

    event_type: Literal["EligibilityResumed"] = "EligibilityResumed"
    schema_version: Literal[1] = 1
    effective_month: Month
    back_pay: bool = True
    decision_number: str | None = Field(default=None, max_length=64)


class EligibilityTerminated(_EligibilityEvent):
    """Payment stopped: ``effective_month`` is the first month no longer paid."""

    event_type: Literal["EligibilityTerminated"] = "EligibilityTerminated"
    schema_version: Literal[1] = 1
    reason: TerminationReason
    effective_month: Month
    decision_number: str | None = Field(default=None, max_length=64)


class BeneficiaryRelocated(_EligibilityEvent):
    """The person moved; the new commune pays from ``effective_month``."""

    event_type: Literal["BeneficiaryRelocated"] = "BeneficiaryRelocated"
    schema_version: Literal[1] = 1
    from_province_code: ProvinceCode
    from_district_code: DistrictCode
    from_commune_code: CommuneCode
    to_province_code: ProvinceCode
    to_district_code: DistrictCode
    to_commune_code: CommuneCode
    effective_month: Month

    @model_validator(mode="after")
    def _moves_somewhere(self) -> BeneficiaryRelocated:
        if self.from_commune_code == self.to_commune_code:
            raise ValueError("to_commune_code must differ from from_commune_code")
        return self


class BeneficiaryDied(_EligibilityEvent):
    """The person died; payment stops from the month after, funeral support is due."""

    event_type: Literal["BeneficiaryDied"] = "BeneficiaryDied"
    schema_version: Literal[1] = 1
    date_of_death: date
    death_certificate: str | None = Field(default=None, max_length=64)


ELIGIBILITY_EVENTS = (
    BeneficiaryRegistered,
    EligibilityGranted,
    EligibilityChanged,
    EligibilitySuspended,
    EligibilityResumed,
    EligibilityTerminated,
    BeneficiaryRelocated,
    BeneficiaryDied,
)
