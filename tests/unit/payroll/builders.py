"""Small builders of eligibility histories for the payroll rule tests (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ledger.payroll.calendar import month_index
from ledger.payroll.facts import Person, person_from_events
from ledger.reconciliation.funds import transfer_event
from schemas.build import make_event
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
    Sex,
    SuspensionReason,
    TerminationReason,
)
from schemas.envelope import Event
from schemas.payments import FundsTransferred

AT = datetime(2025, 1, 1, tzinfo=UTC)


class History:
    """A person's events in recording order; ``person()`` folds them like the ledger would."""

    def __init__(
        self,
        person_id: str = "P1",
        born: date = date(1950, 6, 15),
        commune: str = "84201",
        district: str = "842",
        province: str = "84",
        disability: DisabilityLevel | None = None,
    ) -> None:
        self.person_id = person_id
        self.events: list[Event] = [
            make_event(
                BeneficiaryRegistered,
                person_id=person_id,
                full_name="Nguyễn Văn A",
                birth_date=born,
                sex=Sex.MALE,
                province_code=province,
                district_code=district,
                commune_code=commune,
                disability_level=disability,
                recorded_at=AT,
                occurred_at=AT,
            )
        ]

    def add(self, cls: type[Event], **fields: Any) -> History:
        fields.setdefault("recorded_at", AT)
        fields.setdefault("occurred_at", AT)
        self.events.append(make_event(cls, person_id=self.person_id, **fields))
        return self

    def grant(
        self,
        group: BeneficiaryGroup,
        month: str,
        coefficient: str | None = None,
        children: int | None = None,
        signed: date = date(2021, 7, 1),
    ) -> History:
        return self.add(
            EligibilityGranted,
            group=group,
            effective_month=month,
            coefficient=Decimal(coefficient) if coefficient else None,
            children_raised=children,
            decision_number="QD-1",
            decision_date=signed,
        )

    def change(
        self, group: BeneficiaryGroup, month: str, coefficient: str | None = None
    ) -> History:
        return self.add(
            EligibilityChanged,
            group=group,
            effective_month=month,
            coefficient=Decimal(coefficient) if coefficient else None,
            decision_number="QD-2",
            decision_date=date(2024, 1, 1),
        )

    def suspend(self, month: str) -> History:
        return self.add(
            EligibilitySuspended,
            reason=SuspensionReason.NOT_COLLECTED_3_MONTHS,
            effective_month=month,
        )

    def resume(self, month: str, back_pay: bool = True) -> History:
        return self.add(EligibilityResumed, effective_month=month, back_pay=back_pay)

    def terminate(self, month: str) -> History:
        return self.add(
            EligibilityTerminated,
            reason=TerminationReason.NO_LONGER_ELIGIBLE,
            effective_month=month,
        )

    def die(self, day: date, recorded: datetime = AT) -> History:
        return self.add(
            BeneficiaryDied, date_of_death=day, recorded_at=recorded, occurred_at=recorded
        )

    def relocate(
        self,
        month: str,
        to_commune: str = "84305",
        to_district: str = "843",
        to_province: str = "84",
    ) -> History:
        return self.add(
            BeneficiaryRelocated,
            from_province_code="84",
            from_district_code="842",
            from_commune_code="84201",
            to_province_code=to_province,
            to_district_code=to_district,
            to_commune_code=to_commune,
            effective_month=month,
        )

    def person(self) -> Person:
        return person_from_events(self.person_id, enumerate(self.events, start=1))


def m(month: str) -> int:
    return month_index(month)


def funds_transfer(
    amount: int, reference: str = "UNC-0224", on: date = date(2025, 2, 24), **more: Any
) -> FundsTransferred:
    """Funds moved for VNPOST-842's March 2025 (province 84), by payment order ``reference``;
    ``returned=True``: sent back to the treasury."""
    return transfer_event(
        province="84",
        post_office="VNPOST-842",
        month="2025-03",
        amount_vnd=amount,
        reference=reference,
        on=on,
        **more,
    )
