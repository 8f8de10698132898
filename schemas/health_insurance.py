"""Health-insurance family (topic ``aid.health-insurance``): state-paid BHYT cards."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from schemas.envelope import Event
from schemas.types import VND, Identifier, ProvinceCode

#: A BHYT card number: 2 letters (group), 1 digit (benefit level), 2-digit province, 10 digits.
CARD_NUMBER_PATTERN = r"^[A-Z]{2}\d{13}$"


class HealthInsuranceCardIssued(Event):
    """The social security agency (BHXH) issued a state-paid card to a person."""

    family: ClassVar[str] = "health_insurance"
    event_type: Literal["HealthInsuranceCardIssued"] = "HealthInsuranceCardIssued"
    schema_version: Literal[1] = 1
    person_id: Identifier
    card_number: str = Field(pattern=CARD_NUMBER_PATTERN)
    valid_from: date
    valid_to: date
    premium_vnd: VND
    issuer: str = Field(min_length=1, max_length=120)
    province_code: ProvinceCode

    @model_validator(mode="after")
    def _valid_period(self) -> HealthInsuranceCardIssued:
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self


class HealthInsuranceCardRevoked(Event):
    """A card was revoked from a date (death, leaving the program, reissue).

    Without ``card_valid_from`` it revokes every period of the person's card number recorded
    before it that had not ended by ``revoked_from``; with it (version 2), only the period
    that starts that day: a card reissued with the same number for the next period, already
    recorded, keeps its validity."""

    family: ClassVar[str] = "health_insurance"
    event_type: Literal["HealthInsuranceCardRevoked"] = "HealthInsuranceCardRevoked"
    schema_version: Literal[2] = 2
    person_id: Identifier
    card_number: str = Field(pattern=CARD_NUMBER_PATTERN)
    revoked_from: date
    reason: str = Field(min_length=1, max_length=300)
    card_valid_from: date | None = None


HEALTH_INSURANCE_EVENTS = (HealthInsuranceCardIssued, HealthInsuranceCardRevoked)
