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
