"""Relief family (topic ``aid.relief``): donations pledged and received, items handed out."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from schemas.canonical_model import CanonicalModel
from schemas.envelope import Event
from schemas.types import (
    MAX_VND,
    VND,
    CommuneCode,
    DistrictCode,
    Identifier,
    ProvinceCode,
    Quantity,
)

ItemCode = Identifier


class ItemQuantity(CanonicalModel):
    """A quantity of one catalogue item, valued per unit in VND."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_code: ItemCode
    quantity: Quantity
    unit: str = Field(min_length=1, max_length=20)
    unit_value_vnd: VND

    @model_validator(mode="after")
    def _value_fits(self) -> ItemQuantity:
        value_fits(self.quantity, self.unit_value_vnd)
        return self


def value_fits(quantity: int, unit_value_vnd: int) -> None:
    """Refuse goods worth more than one amount may be: the ledger posts their value."""
    if quantity * unit_value_vnd > MAX_VND:
        raise ValueError(
            f"quantity × unit_value_vnd is {quantity * unit_value_vnd} đồng, more than the "
            f"{MAX_VND} đồng one amount may be; split it into several records"
        )


class _Donation(Event):
    family: ClassVar[str] = "relief"
    subject_field: ClassVar[str] = "donor_id"
    donor_id: Identifier
    campaign_id: Identifier
    cash_vnd: VND = 0
    items: tuple[ItemQuantity, ...] = ()
    province_code: ProvinceCode

    @model_validator(mode="after")
    def _gives_something(self) -> _Donation:
        if self.cash_vnd == 0 and not self.items:
            raise ValueError("a donation needs cash_vnd > 0 or at least one item")
        return self


class DonationPledged(_Donation):
    """A donor promised money or goods to a campaign."""

    event_type: Literal["DonationPledged"] = "DonationPledged"
    schema_version: Literal[1] = 1
    pledge_id: Identifier


class DonationReceived(_Donation):
    """Money or goods from a donor arrived (cash in VND, or items)."""

    event_type: Literal["DonationReceived"] = "DonationReceived"
    schema_version: Literal[1] = 1
    receipt_id: Identifier
    pledge_id: Identifier | None = None


class ReliefItemHandedOut(Event):
    """A quantity of an item was handed to a person or a household at a distribution point."""

    family: ClassVar[str] = "relief"
    subject_field: ClassVar[str] = "recipient_id"
    event_type: Literal["ReliefItemHandedOut"] = "ReliefItemHandedOut"
    schema_version: Literal[1] = 1
    campaign_id: Identifier
    donor_id: Identifier
    item_code: ItemCode
    quantity: Quantity
    unit: str = Field(min_length=1, max_length=20)
    unit_value_vnd: VND
    distribution_point: str = Field(min_length=1, max_length=120)
    province_code: ProvinceCode
    district_code: DistrictCode
    commune_code: CommuneCode
    person_id: Identifier | None = None
    household_id: Identifier | None = None

    @model_validator(mode="after")
    def _one_recipient(self) -> ReliefItemHandedOut:
        if (self.person_id is None) == (self.household_id is None):
            raise ValueError("exactly one of person_id or household_id must be given")
        value_fits(self.quantity, self.unit_value_vnd)
        return self

    @property
    def recipient_id(self) -> str:
        return self.person_id or f"household:{self.household_id}"

    @property
    def value_vnd(self) -> int:
        return self.quantity * self.unit_value_vnd


RELIEF_EVENTS = (DonationPledged, DonationReceived, ReliefItemHandedOut)
