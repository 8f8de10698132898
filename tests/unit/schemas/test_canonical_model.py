"""pydantic-core's own JSON of a CanonicalModel is byte for byte the sorted-keys canonical JSON."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas import EVENT_TYPES, Event, canonical_json, parse_event
from schemas.canonical import canonical_bytes
from schemas.canonical_model import serializes_canonically
from schemas.eligibility import BeneficiaryRegistered
from schemas.envelope import Source
from tests.unit.ledger.builders import one_of_each, registered


def _reference(event: Event) -> bytes:
    """The definition: dump to JSON-compatible Python, then sorted keys, no spaces, UTF-8."""
    return canonical_bytes(event.model_dump(mode="json"))


@pytest.mark.parametrize("event", one_of_each(), ids=lambda e: e.event_type)
def test_every_event_type_has_the_canonical_bytes_of_the_definition(event: Event) -> None:
    assert canonical_json(event) == _reference(event)


def test_the_hot_event_types_take_the_direct_path_and_dict_fields_do_not() -> None:
    direct = {name for name, cls in EVENT_TYPES.items() if serializes_canonically(cls)}
    assert {
        "AllowanceAccrued",
        "PaymentDisbursed",
        "BeneficiaryRegistered",
        "HealthInsuranceCardIssued",
        "ReliefItemHandedOut",
        "DonationReceived",
    } <= direct
    # Payment lines carry a dict of components, whose key order pydantic-core keeps as given.
    assert "PaymentListIssued" not in direct


def test_fields_are_stored_in_sorted_order_whatever_order_the_input_had() -> None:
    event = registered("P1")
    data = orjson.loads(canonical_json(event))
    shuffled = dict(reversed(list(data.items())))
    again = parse_event(orjson.dumps(shuffled))
    assert list(again.__dict__) == sorted(again.__dict__)
    assert canonical_json(again) == canonical_json(event) == _reference(again)


@given(
    name=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=60),
    reference=st.none() | st.text(st.characters(exclude_categories=["Cs"]), max_size=80),
)
def test_any_text_is_escaped_exactly_as_the_definition_escapes_it(
    name: str, reference: str | None
) -> None:
    base = registered("P1")
    event = BeneficiaryRegistered.model_validate(
        {
            **base.model_dump(),
            "full_name": name,
            "source": Source(system="aidledger", reference=reference),
        }
    )
    assert canonical_json(event) == _reference(event)
