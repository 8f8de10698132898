"""Old schema versions are upgraded on read; the stored original is never rewritten."""

from __future__ import annotations

import copy

from schemas import canonical_json, parse_event_dict
from schemas.eligibility import BeneficiaryRegistered
from schemas.upcasting import upcast_beneficiary_registered_v1_v2
from tests.unit.schemas.examples import raw_event


def version_1() -> dict[str, object]:
    raw = raw_event("BeneficiaryRegistered", schema_version=1)
    raw["name"] = raw.pop("full_name")
    return raw


def test_the_v1_to_v2_upcaster_renames_name_to_full_name() -> None:
    upgraded = upcast_beneficiary_registered_v1_v2(version_1())
    assert upgraded["full_name"] == "Nguyễn Văn A"
    assert "name" not in upgraded
    assert upgraded["schema_version"] == 2


def test_the_upcaster_does_not_modify_its_input() -> None:
    original = version_1()
    kept = copy.deepcopy(original)
    upcast_beneficiary_registered_v1_v2(original)
    assert original == kept


def test_a_v1_event_parses_as_the_current_version() -> None:
    event = parse_event_dict(version_1())
    assert isinstance(event, BeneficiaryRegistered)
    assert event.schema_version == 2
    assert event.full_name == "Nguyễn Văn A"


def test_an_upcast_event_equals_the_same_fact_written_as_v2() -> None:
    old = version_1()
    new = raw_event("BeneficiaryRegistered", event_id=old["event_id"])
    assert canonical_json(parse_event_dict(old)) == canonical_json(parse_event_dict(new))


def test_json_of_an_old_version_is_upcast_even_though_the_current_model_reads_json_directly() -> (
    None
):
    import orjson

    from schemas import parse_event

    event = parse_event(orjson.dumps(version_1()))
    assert isinstance(event, BeneficiaryRegistered)
    assert (event.full_name, event.schema_version) == ("Nguyễn Văn A", 2)


def test_every_event_type_parses_from_json_as_from_its_decoded_object() -> None:
    import orjson

    from schemas import EVENT_TYPES, parse_event

    for event_type in EVENT_TYPES:
        raw = raw_event(event_type)
        fast = parse_event(orjson.dumps(raw))
        assert fast == parse_event_dict(raw), event_type
        assert canonical_json(fast) == canonical_json(parse_event_dict(raw))


def test_a_version_1_close_reads_as_a_close_that_does_not_say_where_its_totals_were_computed() -> (
    None
):
    from schemas.payments import ReconciliationClosed

    raw = raw_event("ReconciliationClosed", schema_version=1)
    del raw["as_of_sequence"]

    event = parse_event_dict(raw)

    assert isinstance(event, ReconciliationClosed)
    assert (event.schema_version, event.as_of_sequence) == (2, None)
    assert "as_of_sequence" not in raw  # the input is not modified


def test_a_version_2_close_must_say_where_its_totals_were_computed() -> None:
    import pytest

    from schemas.errors import InvalidEvent

    raw = raw_event("ReconciliationClosed")
    del raw["as_of_sequence"]

    with pytest.raises(InvalidEvent, match="as_of_sequence"):
        parse_event_dict(raw)


def test_a_version_1_card_revocation_reads_as_one_naming_no_period() -> None:
    from schemas.health_insurance import HealthInsuranceCardRevoked

    raw = raw_event("HealthInsuranceCardRevoked", schema_version=1)
    raw.pop("card_valid_from", None)

    event = parse_event_dict(raw)

    assert isinstance(event, HealthInsuranceCardRevoked)
    assert (event.schema_version, event.card_valid_from) == (2, None)
