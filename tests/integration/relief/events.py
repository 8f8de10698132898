"""Event factories for the relief and BHYT integration tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ledger.relief.catalogue import load_catalogue
from schemas.build import make_event
from schemas.eligibility import (
    BeneficiaryDied,
    BeneficiaryGroup,
    BeneficiaryRegistered,
    EligibilityGranted,
    EligibilityTerminated,
    Sex,
    TerminationReason,
)
from schemas.health_insurance import HealthInsuranceCardIssued
from schemas.relief import DonationPledged, DonationReceived, ItemQuantity, ReliefItemHandedOut

AT = datetime(2021, 8, 5, 3, 0, tzinfo=UTC)
UNIT_VALUES = {
    "RICE": 18_000,
    "COOKING-OIL": 45_000,
    "INSTANT-NOODLES": 110_000,
    "WHEELCHAIR": 3_500_000,
    "GIFT-PACKAGE": 500_000,
    "MILK": 30_000,
}
_UNITS = {code: item.unit for code, item in load_catalogue().items.items()}


def handout(
    person: str | None,
    item: str,
    quantity: int,
    *,
    household: str | None = None,
    campaign: str = "COVID-NNBM-2021",
    donor: str = "DONOR-A",
    district: str = "842",
    at: datetime = AT,
) -> ReliefItemHandedOut:
    return make_event(
        ReliefItemHandedOut,
        occurred_at=at,
        recorded_at=at,
        campaign_id=campaign,
        donor_id=donor,
        item_code=item,
        quantity=quantity,
        unit=_UNITS[item],
        unit_value_vnd=UNIT_VALUES[item],
        distribution_point="UBND xã",
        province_code="84",
        district_code=district,
        commune_code=f"{district}01",
        person_id=person,
        household_id=household,
    )


def donation(
    kind: str,
    ref: str,
    *,
    cash: int = 0,
    items: dict[str, int] | None = None,
    donor: str = "DONOR-A",
    campaign: str = "COVID-NNBM-2021",
    at: datetime = AT,
) -> DonationPledged | DonationReceived:
    lines = tuple(
        ItemQuantity(item_code=c, quantity=q, unit=_UNITS[c], unit_value_vnd=UNIT_VALUES[c])
        for c, q in (items or {}).items()
    )
    common: dict[str, Any] = dict(
        occurred_at=at,
        recorded_at=at,
        donor_id=donor,
        campaign_id=campaign,
        province_code="84",
        cash_vnd=cash,
        items=lines,
    )
    if kind == "pledged":
        return make_event(DonationPledged, pledge_id=ref, **common)
    return make_event(DonationReceived, receipt_id=ref, **common)


def registered(person: str, born: date, household: str | None = None) -> BeneficiaryRegistered:
    return make_event(
        BeneficiaryRegistered,
        person_id=person,
        full_name=f"Nguyễn Văn {person}",
        birth_date=born,
        sex=Sex.MALE,
        citizen_id="084123456789",
        province_code="84",
        district_code="842",
        commune_code="84201",
        household_id=household,
    )


def granted(person: str, month: str) -> EligibilityGranted:
    return make_event(
        EligibilityGranted,
        person_id=person,
        group=BeneficiaryGroup.LANDMINE_VICTIM,
        decision_number="QD-1",
        decision_date=date(2024, 1, 5),
        effective_month=month,
    )


def terminated(person: str, month: str) -> EligibilityTerminated:
    return make_event(
        EligibilityTerminated,
        person_id=person,
        reason=TerminationReason.NO_LONGER_ELIGIBLE,
        effective_month=month,
    )


def died(person: str, day: date) -> BeneficiaryDied:
    return make_event(BeneficiaryDied, person_id=person, date_of_death=day)


def card(
    person: str,
    number: str,
    valid_from: date,
    valid_to: date,
    premium: int,
    at: datetime | None = None,
) -> HealthInsuranceCardIssued:
    return make_event(
        HealthInsuranceCardIssued,
        occurred_at=at,
        recorded_at=at,
        person_id=person,
        card_number=number,
        valid_from=valid_from,
        valid_to=valid_to,
        premium_vnd=premium,
        issuer="BHXH Trà Vinh",
        province_code="84",
    )
