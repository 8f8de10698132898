"""Events for ledger tests: short builders with sensible defaults, and one of every type."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from schemas import Event, make_event
from schemas.canonical import lines_digest
from schemas.eligibility import (
    BeneficiaryDied,
    BeneficiaryRegistered,
    BeneficiaryRelocated,
    EligibilityChanged,
    EligibilityGranted,
    EligibilityResumed,
    EligibilitySuspended,
    EligibilityTerminated,
)
from schemas.health_insurance import HealthInsuranceCardIssued, HealthInsuranceCardRevoked
from schemas.payments import (
    AllowanceAccrued,
    FundsTransferred,
    PaymentDisbursed,
    PaymentLine,
    PaymentListIssued,
    PaymentNotCollected,
    PaymentReversed,
    PostOfficeFeeCharged,
    ReconciliationClosed,
)
from schemas.policy import BaseSalarySet, StandardLevelSet
from schemas.relief import DonationPledged, DonationReceived, ItemQuantity, ReliefItemHandedOut

PROVINCE, DISTRICT, COMMUNE, POST_OFFICE = "84", "842", "29362", "PO-842"


def at(day: str, hour: int = 3) -> datetime:
    """A UTC instant on a day written YYYY-MM-DD."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(hour=hour)


def _env(recorded: str | datetime | None, event_id: uuid.UUID | None) -> dict[str, Any]:
    when = at(recorded) if isinstance(recorded, str) else recorded or at("2024-07-05")
    return {"occurred_at": when, "recorded_at": when, "event_id": event_id or uuid.uuid4()}


def accrual(
    person: str,
    amount: int,
    service_month: str,
    *,
    month: str | None = None,
    component: str = "regular",
    recorded: str | datetime | None = None,
    event_id: uuid.UUID | None = None,
    note: str | None = None,
) -> AllowanceAccrued:
    """An AllowanceAccrued for a service month (payroll month defaults to the same)."""
    return make_event(
        AllowanceAccrued,
        person_id=person,
        month=month or service_month,
        service_month=service_month,
        component=component,
        amount_vnd=amount,
        province_code=PROVINCE,
        commune_code=COMMUNE,
        note=note,
        **_env(recorded, event_id),
    )


def disbursement(
    person: str,
    amount: int,
    paid_on: str,
    *,
    line_no: int = 1,
    post_office: str = POST_OFFICE,
    recorded: str | datetime | None = None,
    event_id: uuid.UUID | None = None,
) -> PaymentDisbursed:
    """A PaymentDisbursed paid on a day (recorded that day unless given)."""
    return make_event(
        PaymentDisbursed,
        list_id=f"L-{paid_on[:7]}",
        line_no=line_no,
        person_id=person,
        post_office_code=post_office,
        amount_paid_vnd=amount,
        paid_at=at(paid_on),
        receipt_no=f"R-{uuid.uuid4().hex[:8]}",
        collected_by="self",
        **_env(recorded or paid_on, event_id),
    )


def reversal(
    of: PaymentDisbursed,
    *,
    recorded: str | datetime | None = None,
    event_id: uuid.UUID | None = None,
) -> PaymentReversed:
    """The reversal of a disbursement, for its full amount."""
    return make_event(
        PaymentReversed,
        list_id=of.list_id,
        line_no=of.line_no,
        person_id=of.person_id,
        post_office_code=of.post_office_code,
        reverses_event_id=of.event_id,
        amount_vnd=of.amount_paid_vnd,
        reason="reported in error",
        **_env(recorded or of.recorded_at, event_id),
    )


def handout(
    person: str,
    item: str,
    quantity: int,
    unit_value: int,
    *,
    donor: str = "D1",
    campaign: str = "TET-2025",
    recorded: str | datetime | None = None,
    event_id: uuid.UUID | None = None,
) -> ReliefItemHandedOut:
    """A ReliefItemHandedOut to a person."""
    return make_event(
        ReliefItemHandedOut,
        campaign_id=campaign,
        donor_id=donor,
        item_code=item,
        quantity=quantity,
        unit="piece",
        unit_value_vnd=unit_value,
        distribution_point="UBND xã",
        province_code=PROVINCE,
        district_code=DISTRICT,
        commune_code=COMMUNE,
        person_id=person,
        **_env(recorded, event_id),
    )


def card_issued(
    person: str,
    card: str,
    valid_from: str,
    valid_to: str,
    *,
    premium: int = 758_160,
    recorded: str | datetime | None = None,
) -> HealthInsuranceCardIssued:
    """A BHYT card issued for a period."""
    return make_event(
        HealthInsuranceCardIssued,
        person_id=person,
        card_number=card,
        valid_from=date.fromisoformat(valid_from),
        valid_to=date.fromisoformat(valid_to),
        premium_vnd=premium,
        issuer="BHXH Trà Vinh",
        province_code=PROVINCE,
        **_env(recorded, None),
    )


def card_revoked(
    person: str,
    card: str,
    revoked_from: str,
    *,
    recorded: str | datetime | None = None,
    period: str | None = None,
) -> HealthInsuranceCardRevoked:
    """A BHYT card revoked from a day (only its period starting on ``period``, if given)."""
    return make_event(
        HealthInsuranceCardRevoked,
        person_id=person,
        card_number=card,
        revoked_from=date.fromisoformat(revoked_from),
        reason="died",
        card_valid_from=None if period is None else date.fromisoformat(period),
        **_env(recorded, None),
    )


def registered(person: str, *, recorded: str | datetime | None = None) -> BeneficiaryRegistered:
    """A BeneficiaryRegistered (no money effect)."""
    return make_event(
        BeneficiaryRegistered,
        person_id=person,
        full_name="Nguyễn Văn A",
        birth_date=date(1940, 5, 1),
        sex="male",
        province_code=PROVINCE,
        district_code=DISTRICT,
        commune_code=COMMUNE,
        **_env(recorded, None),
    )


def died(person: str, on: str, *, recorded: str | datetime | None = None) -> BeneficiaryDied:
    """A BeneficiaryDied (no money effect: payroll accrues funeral support and recoveries)."""
    return make_event(
        BeneficiaryDied,
        person_id=person,
        date_of_death=date.fromisoformat(on),
        **_env(recorded or on, None),
    )


def one_of_each() -> list[Event]:
    """One valid event of every type in schemas.EVENT_TYPES (money-moving ones non-zero)."""
    env = _env("2025-03-05", None)
    p, decision = "P1", {"decision_number": "12/QĐ", "decision_date": date(2025, 1, 20)}
    line = PaymentLine(
        line_no=1,
        person_id=p,
        full_name="Nguyễn Văn A",
        commune_code=COMMUNE,
        components={"regular": 750_000},
        amount_vnd=750_000,
    )
    place = {"province_code": PROVINCE, "post_office_code": POST_OFFICE, "month": "2025-03"}
    gift = {
        "donor_id": "D1",
        "campaign_id": "TET-2025",
        "province_code": PROVINCE,
        "cash_vnd": 5_000_000,
        "items": (ItemQuantity(item_code="RICE", quantity=10, unit="bag", unit_value_vnd=200_000),),
    }

    def e(cls: type[Event], **fields: Any) -> Event:
        return make_event(cls, **{**env, "event_id": uuid.uuid4()}, **fields)

    disbursed = disbursement(p, 750_000, "2025-03-05")
    return [
        registered(p),
        e(
            EligibilityGranted,
            person_id=p,
            group="elderly_poor_no_supporter",
            coefficient=Decimal("1.5"),
            effective_month="2025-01",
            **decision,
        ),
        e(
            EligibilityChanged,
            person_id=p,
            group="disability_severe",
            effective_month="2025-02",
            **decision,
        ),
        e(EligibilitySuspended, person_id=p, reason="detained", effective_month="2025-03"),
        e(EligibilityResumed, person_id=p, effective_month="2025-04"),
        e(EligibilityTerminated, person_id=p, reason="moved", effective_month="2025-05"),
        e(
            BeneficiaryRelocated,
            person_id=p,
            from_province_code=PROVINCE,
            from_district_code=DISTRICT,
            from_commune_code=COMMUNE,
            to_province_code=PROVINCE,
            to_district_code=DISTRICT,
            to_commune_code="29363",
            effective_month="2025-05",
        ),
        died(p, "2025-06-01"),
        e(
            StandardLevelSet,
            legal_basis="76/2024/NĐ-CP",
            amount_vnd=500_000,
            effective_month="2024-07",
        ),
        e(
            BaseSalarySet,
            legal_basis="73/2024/NĐ-CP",
            amount_vnd=2_340_000,
            effective_date=date(2024, 7, 1),
        ),
        accrual(p, 750_000, "2025-03"),
        e(
            PaymentListIssued,
            list_id="L-2025-03",
            district_code=DISTRICT,
            commune_code=COMMUNE,
            lines=(line,),
            total_vnd=750_000,
            digest=lines_digest((line,)),
            **place,
        ),
        disbursed,
        e(
            PaymentNotCollected,
            list_id="L-2025-03",
            line_no=2,
            person_id="P2",
            post_office_code=POST_OFFICE,
            amount_vnd=500_000,
            reason="absent",
            reported_at=at("2025-03-20"),
        ),
        reversal(disbursed),
        e(
            FundsTransferred,
            transfer_id="T1",
            direction="to_post_office",
            amount_vnd=9_000_000,
            **place,
        ),
        e(
            PostOfficeFeeCharged,
            paid_basis_vnd=750_000,
            fee_rate=Decimal("0.012"),
            fee_vnd=9_000,
            **place,
        ),
        e(
            ReconciliationClosed,
            listed_vnd=750_000,
            paid_vnd=750_000,
            unpaid_vnd=0,
            variance_vnd=0,
            deposited_vnd=9_000_000,
            returned_vnd=0,
            fee_vnd=9_000,
            totals_digest="0" * 64,
            as_of_sequence=0,
            **place,
        ),
        card_issued(p, "BT2848420000001", "2025-01-01", "2025-12-31"),
        card_revoked(p, "BT2848420000001", "2025-06-02"),
        e(DonationPledged, pledge_id="PL1", **gift),
        e(DonationReceived, receipt_id="RC1", pledge_id="PL1", **gift),
        handout(p, "RICE", 2, 200_000),
    ]
