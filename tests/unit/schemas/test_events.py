"""Every event type: valid examples parse, round-trip through JSON, and bad ones are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import orjson
import pytest

from schemas import InvalidEvent, canonical_json, parse_event, parse_event_dict, topic_for
from schemas.registry import EVENT_TYPES, FAMILY_TOPICS
from tests.unit.schemas.examples import PAYLOADS, raw_event

ALL_TYPES = sorted(EVENT_TYPES)


def test_every_event_type_has_an_example() -> None:
    assert set(PAYLOADS) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_a_valid_event_parses_into_its_own_class(event_type: str) -> None:
    event = parse_event_dict(raw_event(event_type))
    assert type(event) is EVENT_TYPES[event_type]
    assert event.event_type == event_type


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_an_event_round_trips_through_json_unchanged(event_type: str) -> None:
    event = parse_event_dict(raw_event(event_type))
    again = parse_event(canonical_json(event))
    assert again == event
    assert canonical_json(again) == canonical_json(event)


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_events_are_frozen(event_type: str) -> None:
    event = parse_event_dict(raw_event(event_type))
    with pytest.raises(Exception, match="frozen"):
        event.event_type = "Other"  # type: ignore[misc]


@pytest.mark.parametrize("event_type", ALL_TYPES)
def test_every_event_has_a_family_topic_and_a_subject(event_type: str) -> None:
    event = parse_event_dict(raw_event(event_type))
    assert topic_for(event) in FAMILY_TOPICS.values()
    assert event.subject


def test_timestamps_are_normalised_to_utc() -> None:
    event = parse_event_dict(raw_event("BeneficiaryDied"))
    assert event.occurred_at.tzinfo is UTC
    assert event.occurred_at.hour == 1  # 08:00 +07:00


def test_coefficients_are_exact_decimals() -> None:
    event = parse_event_dict(raw_event("EligibilityGranted"))
    assert event.coefficient == Decimal("1.5")  # type: ignore[attr-defined]
    assert json.loads(canonical_json(event))["coefficient"] == "1.5"


def test_canonical_json_sorts_keys_without_spaces() -> None:
    data = canonical_json(parse_event_dict(raw_event("BeneficiaryDied")))
    decoded = orjson.loads(data)
    assert list(decoded) == sorted(decoded)
    assert b", " not in data and b": " not in data


def test_a_handout_names_exactly_one_recipient() -> None:
    with pytest.raises(InvalidEvent, match="exactly one of person_id or household_id"):
        parse_event_dict(raw_event("ReliefItemHandedOut", household_id="H1"))


def test_a_payment_list_total_must_equal_its_lines() -> None:
    with pytest.raises(InvalidEvent, match="total_vnd 1 is not the sum of the lines"):
        parse_event_dict(raw_event("PaymentListIssued", total_vnd=1))


def test_a_payment_list_digest_must_match_its_lines() -> None:
    with pytest.raises(InvalidEvent, match="digest does not match the lines"):
        parse_event_dict(raw_event("PaymentListIssued", digest="a" * 64))


def test_a_timestamp_already_in_utc_is_kept_as_written_and_others_are_converted() -> None:
    written = raw_event("BeneficiaryDied", recorded_at="2025-03-05T01:00:00.250000Z")
    event = parse_event_dict(written)
    assert event.recorded_at == datetime(2025, 3, 5, 1, 0, 0, 250000, tzinfo=UTC)
    assert json.loads(canonical_json(event))["recorded_at"] == "2025-03-05T01:00:00.250000Z"
    hanoi = timezone(timedelta(hours=7))
    built = type(event).model_validate(
        {**event.model_dump(), "occurred_at": datetime(2025, 3, 5, 8, tzinfo=hanoi)}
    )
    assert built.occurred_at.tzinfo is UTC and built.occurred_at.hour == 1
