"""Invalid events are refused with a message that names the field and the reason."""

from __future__ import annotations

import pytest

from schemas import InvalidEvent, parse_event, parse_event_dict
from tests.unit.schemas.examples import raw_event


def refusal(raw: object) -> InvalidEvent:
    with pytest.raises(InvalidEvent) as caught:
        parse_event_dict(raw, record="line 7")
    return caught.value


def test_a_negative_amount_is_refused_naming_the_field() -> None:
    error = refusal(raw_event("AllowanceAccrued", amount_vnd=-750_000))
    assert "amount_vnd" in error.message
    assert "amount_vnd: must not be negative, got -750000" in error.message
    assert error.message.startswith("line 7 (AllowanceAccrued ")


def test_a_negative_premium_is_refused_as_negative() -> None:
    error = refusal(raw_event("HealthInsuranceCardIssued", premium_vnd=-1))
    assert "premium_vnd: must not be negative, got -1" in error.message


def test_a_float_amount_is_refused_even_when_whole() -> None:
    for amount in (750_000.5, 750_000.0):
        error = refusal(raw_event("AllowanceAccrued", amount_vnd=amount))
        assert "amount_vnd: must be a whole number (amounts are whole đồng)" in error.message


def test_a_float_amount_in_json_text_is_refused() -> None:
    raw = raw_event("PaymentDisbursed")
    text = parse_event_dict(raw).model_dump_json().replace("750000", "750000.25")
    with pytest.raises(InvalidEvent, match="amount_paid_vnd: must be a whole number"):
        parse_event(text)


def test_an_unknown_event_type_is_refused_listing_the_known_ones() -> None:
    error = refusal({**raw_event("BeneficiaryDied"), "event_type": "BeneficiaryVanished"})
    assert "event_type: 'BeneficiaryVanished' is not a known event type" in error.message
    assert "BeneficiaryDied" in error.message


def test_a_bad_commune_code_is_refused_with_the_expected_format() -> None:
    error = refusal(raw_event("BeneficiaryRegistered", commune_code="2936"))
    assert "commune_code: must be a 5-digit commune code, got '2936'" in error.message


def test_a_missing_field_is_refused_as_missing() -> None:
    raw = raw_event("BeneficiaryDied")
    del raw["date_of_death"]
    error = refusal(raw)
    assert "date_of_death: is required but missing" in error.message


def test_an_extra_field_is_refused_as_unknown() -> None:
    error = refusal(raw_event("BeneficiaryDied", cause_of_death="x"))
    assert "cause_of_death: is not a field of BeneficiaryDied" in error.message


def test_a_naive_timestamp_is_refused_asking_for_a_timezone() -> None:
    error = refusal(raw_event("BeneficiaryDied", occurred_at="2025-03-05T08:00:00"))
    assert "occurred_at: must be a date and time that includes a timezone" in error.message
    assert "got '2025-03-05T08:00:00'" in error.message


def test_a_timestamp_that_is_not_a_date_is_refused_with_one_reason() -> None:
    error = refusal(raw_event("BeneficiaryDied", recorded_at="yesterday"))
    assert [p.field for p in error.problems] == ["recorded_at"]
    assert "must be a date and time that includes a timezone" in error.message
    assert "got 'yesterday'" in error.message


def test_a_badly_written_month_is_refused() -> None:
    error = refusal(raw_event("EligibilityResumed", effective_month="2025-13"))
    assert "effective_month: must be a month written as YYYY-MM, e.g. 2025-03, got '2025-13'" in (
        error.message
    )


def test_every_problem_of_an_event_is_reported_at_once() -> None:
    raw = raw_event("AllowanceAccrued", amount_vnd=-1, commune_code="x", extra=1)
    fields = {problem.field for problem in refusal(raw).problems}
    assert {"amount_vnd", "commune_code", "extra"} <= fields


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(InvalidEvent, match="is not valid JSON"):
        parse_event(b"{not json")


def test_a_json_value_that_is_not_an_object_is_refused() -> None:
    error = refusal([1, 2])
    assert "must be a JSON object, got list" in error.message


def test_a_newer_schema_version_than_known_is_refused_with_advice() -> None:
    error = refusal(raw_event("BeneficiaryDied", schema_version=9))
    assert "newer than this aidledger knows (1); upgrade aidledger" in error.message


def test_relief_worth_more_than_one_amount_may_be_is_refused_naming_the_fields() -> None:
    # Each within its own limit (10^9 units, 10^15 đồng a unit), but worth 10^24 đồng: no
    # posting can hold it, and the ledger failed the whole batch on every attempt.
    huge = {"quantity": 1_000_000_000, "unit_value_vnd": 10**15}
    error = refusal(raw_event("ReliefItemHandedOut", **huge))
    assert "quantity × unit_value_vnd is 1000000000000000000000000 đồng" in error.message
    items = [{"item_code": "RICE", "unit": "kg", **huge}]
    error = refusal(raw_event("DonationReceived", items=items))
    assert "items[0]: quantity × unit_value_vnd is 1000000000000000000000000" in error.message
    at_the_limit = {"quantity": 1_000, "unit_value_vnd": 10**12}
    handed = parse_event_dict(raw_event("ReliefItemHandedOut", **at_the_limit))
    assert handed.model_dump()["quantity"] == 1_000


def test_a_time_with_no_utc_equivalent_is_refused_naming_the_field_not_as_a_breakdown() -> None:
    import pytest

    from schemas import parse_event_dict
    from schemas.errors import InvalidEvent
    from tests.unit.schemas.examples import raw_event

    raw = raw_event("BeneficiaryDied", occurred_at="0001-01-01T00:00:00+14:00")

    with pytest.raises(InvalidEvent, match=r"occurred_at: .*between the years 1 and 9999 in UTC"):
        parse_event_dict(raw)
