"""One valid example of every event type, shared by the schema tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from schemas.canonical import lines_digest
from schemas.payments import PaymentLine

WHEN = datetime(2025, 3, 5, 1, 0, tzinfo=UTC)
ENVELOPE = {
    "occurred_at": "2025-03-05T08:00:00+07:00",
    "recorded_at": "2025-03-05T09:00:00+07:00",
    "source": {"system": "test", "operator": "officer-1"},
}
_LINES = (
    PaymentLine(
        line_no=1,
        person_id="P1",
        full_name="Nguyễn Văn A",
        commune_code="29362",
        components={"regular": 750_000},
        amount_vnd=750_000,
    ),
    PaymentLine(
        line_no=2,
        person_id="P2",
        full_name="Trần Thị B",
        commune_code="29362",
        components={"regular": 1_000_000, "arrears": 500_000},
        amount_vnd=1_500_000,
    ),
)

PAYLOADS: dict[str, dict[str, Any]] = {
    "BeneficiaryRegistered": {
        "person_id": "P1",
        "full_name": "Nguyễn Văn A",
        "birth_date": "1944-05-10",
        "sex": "male",
        "citizen_id": "084044000123",
        "province_code": "84",
        "district_code": "842",
        "commune_code": "29362",
        "groups": ["elderly_poor_no_supporter"],
    },
    "EligibilityGranted": {
        "person_id": "P1",
        "group": "elderly_poor_no_supporter",
        "coefficient": "1.5",
        "decision_number": "123/QĐ-UBND",
        "decision_date": "2025-01-20",
        "effective_month": "2025-01",
    },
    "EligibilityChanged": {
        "person_id": "P1",
        "group": "disability_severe",
        "decision_number": "124/QĐ-UBND",
        "decision_date": "2025-02-20",
        "effective_month": "2025-02",
    },
    "EligibilitySuspended": {
        "person_id": "P1",
        "reason": "not_collected_3_months",
        "effective_month": "2025-04",
    },
    "EligibilityResumed": {"person_id": "P1", "effective_month": "2025-06"},
    "EligibilityTerminated": {"person_id": "P1", "reason": "died", "effective_month": "2025-07"},
    "BeneficiaryRelocated": {
        "person_id": "P1",
        "from_province_code": "84",
        "from_district_code": "842",
        "from_commune_code": "29362",
        "to_province_code": "84",
        "to_district_code": "843",
        "to_commune_code": "29400",
        "effective_month": "2025-05",
    },
    "BeneficiaryDied": {"person_id": "P1", "date_of_death": "2025-06-14"},
    "StandardLevelSet": {
        "amount_vnd": 500_000,
        "effective_month": "2024-07",
        "legal_basis": "Decree 76/2024/NĐ-CP",
    },
    "BaseSalarySet": {
        "amount_vnd": 2_340_000,
        "effective_date": "2024-07-01",
        "legal_basis": "Decree 73/2024/NĐ-CP",
    },
    "AllowanceAccrued": {
        "person_id": "P1",
        "month": "2025-03",
        "service_month": "2025-03",
        "component": "regular",
        "amount_vnd": 750_000,
        "province_code": "84",
        "commune_code": "29362",
        "coefficient": "1.5",
        "standard_level_vnd": 500_000,
    },
    "PaymentListIssued": {
        "list_id": "PL-2025-03-29362",
        "month": "2025-03",
        "province_code": "84",
        "district_code": "842",
        "commune_code": "29362",
        "post_office_code": "VNP84842",
        "lines": [line.model_dump(mode="json") for line in _LINES],
        "total_vnd": 2_250_000,
        "digest": lines_digest(_LINES),
    },
    "PaymentDisbursed": {
        "list_id": "PL-2025-03-29362",
        "line_no": 1,
        "person_id": "P1",
        "post_office_code": "VNP84842",
        "amount_paid_vnd": 750_000,
        "paid_at": "2025-04-03T09:30:00+07:00",
        "receipt_no": "R-0001",
        "collected_by": "self",
    },
    "PaymentNotCollected": {
        "list_id": "PL-2025-03-29362",
        "line_no": 2,
        "person_id": "P2",
        "post_office_code": "VNP84842",
        "amount_vnd": 1_500_000,
        "reason": "absent",
        "reported_at": "2025-04-20T09:30:00+07:00",
    },
    "PaymentReversed": {
        "list_id": "PL-2025-03-29362",
        "line_no": 1,
        "person_id": "P1",
        "post_office_code": "VNP84842",
        "reverses_event_id": str(uuid.UUID(int=7)),
        "amount_vnd": 750_000,
        "reason": "receipt entered twice",
    },
    "FundsTransferred": {
        "transfer_id": "T-2025-03-1",
        "direction": "to_post_office",
        "province_code": "84",
        "post_office_code": "VNP84842",
        "month": "2025-03",
        "amount_vnd": 2_250_000,
    },
    "PostOfficeFeeCharged": {
        "province_code": "84",
        "post_office_code": "VNP84842",
        "month": "2025-03",
        "paid_basis_vnd": 750_000,
        "fee_rate": "0.015",
        "fee_vnd": 11_250,
    },
    "ReconciliationClosed": {
        "province_code": "84",
        "post_office_code": "VNP84842",
        "month": "2025-03",
        "listed_vnd": 2_250_000,
        "paid_vnd": 750_000,
        "unpaid_vnd": 1_500_000,
        "variance_vnd": 0,
        "deposited_vnd": 2_250_000,
        "returned_vnd": 0,
        "fee_vnd": 11_250,
        "totals_digest": "0" * 64,
        "as_of_sequence": 1_234,
    },
    "HealthInsuranceCardIssued": {
        "person_id": "P1",
        "card_number": "BT2848420123456",
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "premium_vnd": 1_263_600,
        "issuer": "BHXH Trà Vinh",
        "province_code": "84",
    },
    "HealthInsuranceCardRevoked": {
        "person_id": "P1",
        "card_number": "BT2848420123456",
        "revoked_from": "2025-07-01",
        "reason": "died",
    },
    "DonationPledged": {
        "donor_id": "D1",
        "campaign_id": "C-TET-2025",
        "pledge_id": "PLG-1",
        "cash_vnd": 100_000_000,
        "province_code": "84",
    },
    "DonationReceived": {
        "donor_id": "D1",
        "campaign_id": "C-TET-2025",
        "receipt_id": "RCV-1",
        "items": [{"item_code": "RICE", "quantity": 1000, "unit": "kg", "unit_value_vnd": 20_000}],
        "province_code": "84",
    },
    "ReliefItemHandedOut": {
        "campaign_id": "C-TET-2025",
        "donor_id": "D1",
        "item_code": "RICE",
        "quantity": 10,
        "unit": "kg",
        "unit_value_vnd": 20_000,
        "distribution_point": "UBND xã Long Đức",
        "province_code": "84",
        "district_code": "842",
        "commune_code": "29362",
        "person_id": "P1",
    },
}


def raw_event(event_type: str, **overrides: Any) -> dict[str, Any]:
    """A valid raw event (a decoded JSON object) of the given type, with overrides applied."""
    from schemas.registry import CURRENT_VERSIONS

    raw: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": CURRENT_VERSIONS[event_type],
        **ENVELOPE,
        **PAYLOADS[event_type],
    }
    raw.update(overrides)
    return raw


__all__ = ["PAYLOADS", "WHEN", "Decimal", "date", "raw_event"]
