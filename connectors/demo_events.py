"""A small, realistic set of events of every family, used by ``aidledger demo``."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from schemas import deterministic_id
from schemas import make_event as _make_event
from schemas.canonical import lines_digest
from schemas.eligibility import BeneficiaryRegistered, EligibilityGranted
from schemas.envelope import Event, Source
from schemas.health_insurance import HealthInsuranceCardIssued
from schemas.payments import (
    AllowanceAccrued,
    FundsTransferred,
    PaymentDisbursed,
    PaymentLine,
    PaymentListIssued,
)
from schemas.policy import StandardLevelSet
from schemas.relief import DonationReceived, ItemQuantity, ReliefItemHandedOut

SOURCE = Source(system="aidledger-demo", operator="demo")
#: Fixed ids and times: running the demo again publishes the very same events (no-ops).
WHEN = datetime(2025, 3, 5, 2, 0, tzinfo=UTC)


def demo_events() -> list[Event]:
    """One commune in Trà Vinh (84): a beneficiary, her allowance, card and relief."""
    numbers = itertools.count()

    def make_event(cls: Any, **fields: Any) -> Any:
        event_id = deterministic_id("demo", cls.__name__, next(numbers))
        return _make_event(
            cls, event_id=event_id, occurred_at=WHEN, recorded_at=WHEN, source=SOURCE, **fields
        )

    person, commune, district = "P-84-000001", "29362", "842"
    line = PaymentLine(
        line_no=1,
        person_id=person,
        full_name="Thạch Thị Sa Rênh",
        commune_code=commune,
        components={"regular": 750_000},
        amount_vnd=750_000,
    )
    return [
        make_event(
            StandardLevelSet,
            amount_vnd=500_000,
            effective_month="2024-07",
            legal_basis="Decree 76/2024/NĐ-CP",
        ),
        make_event(
            BeneficiaryRegistered,
            person_id=person,
            full_name="Thạch Thị Sa Rênh",
            birth_date=date(1950, 4, 2),
            sex="female",
            province_code="84",
            district_code=district,
            commune_code=commune,
            groups=("elderly_poor_no_supporter",),
        ),
        make_event(
            EligibilityGranted,
            person_id=person,
            group="elderly_poor_no_supporter",
            decision_number="15/QĐ-UBND",
            decision_date=date(2025, 2, 20),
            effective_month="2025-03",
        ),
        make_event(
            AllowanceAccrued,
            person_id=person,
            month="2025-03",
            service_month="2025-03",
            component="regular",
            amount_vnd=750_000,
            province_code="84",
            commune_code=commune,
        ),
        make_event(
            PaymentListIssued,
            list_id="PL-2025-03-29362",
            month="2025-03",
            province_code="84",
            district_code=district,
            commune_code=commune,
            post_office_code="VNP84842",
            lines=(line,),
            total_vnd=750_000,
            digest=lines_digest([line]),
        ),
        make_event(
            FundsTransferred,
            transfer_id="T-2025-03-84842",
            direction="to_post_office",
            province_code="84",
            post_office_code="VNP84842",
            month="2025-03",
            amount_vnd=750_000,
        ),
        make_event(
            PaymentDisbursed,
            list_id="PL-2025-03-29362",
            line_no=1,
            person_id=person,
            post_office_code="VNP84842",
            amount_paid_vnd=750_000,
            paid_at="2025-04-03T02:30:00Z",
            receipt_no="R-000001",
            collected_by="self",
        ),
        make_event(
            HealthInsuranceCardIssued,
            person_id=person,
            card_number="BT2848420000001",
            valid_from=date(2025, 1, 1),
            valid_to=date(2025, 12, 31),
            premium_vnd=1_263_600,
            issuer="BHXH Trà Vinh",
            province_code="84",
        ),
        make_event(
            DonationReceived,
            donor_id="D-REDCROSS",
            campaign_id="C-TET-2026",
            receipt_id="RCV-1",
            items=(ItemQuantity(item_code="RICE", quantity=500, unit="kg", unit_value_vnd=20_000),),
            province_code="84",
        ),
        make_event(
            ReliefItemHandedOut,
            campaign_id="C-TET-2026",
            donor_id="D-REDCROSS",
            item_code="RICE",
            quantity=10,
            unit="kg",
            unit_value_vnd=20_000,
            distribution_point="UBND xã Long Đức",
            province_code="84",
            district_code=district,
            commune_code=commune,
            person_id=person,
        ),
    ]
