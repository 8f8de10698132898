"""pydantic-core's own JSON of a CanonicalModel is byte for byte the sorted-keys canonical JSON."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas import EVENT_TYPES, Event, canonical_json, parse_event
from schemas.canonical import canonical_bytes, lines_digest
from schemas.canonical_model import CanonicalModel, SortedKeys, serializes_canonically
from schemas.eligibility import BeneficiaryRegistered
from schemas.envelope import Source
from schemas.payments import Component, PaymentLine
from tests.unit.ledger.builders import one_of_each, registered


def _reference(event: Event) -> bytes:
    """The definition: dump to JSON-compatible Python, then sorted keys, no spaces, UTF-8."""
    return canonical_bytes(event.model_dump(mode="json"))


@pytest.mark.parametrize("event", one_of_each(), ids=lambda e: e.event_type)
def test_every_event_type_has_the_canonical_bytes_of_the_definition(event: Event) -> None:
    assert canonical_json(event) == _reference(event)


def test_the_hot_event_types_take_the_direct_path() -> None:
    direct = {name for name, cls in EVENT_TYPES.items() if serializes_canonically(cls)}
    assert {
        "AllowanceAccrued",
        "PaymentDisbursed",
        "PaymentListIssued",
        "BeneficiaryRegistered",
        "HealthInsuranceCardIssued",
        "ReliefItemHandedOut",
        "DonationReceived",
    } <= direct


class _Plain(CanonicalModel):
    amounts: dict[str, int]


class _Sorted(CanonicalModel):
    amounts: SortedKeys[str, int]


def test_a_dict_field_takes_the_direct_path_only_when_its_keys_are_kept_sorted() -> None:
    assert not serializes_canonically(_Plain)
    assert serializes_canonically(_Sorted)
    given = {"regular": 3, "arrears": 2, "funeral": 1}
    assert list(_Plain(amounts=given).amounts) == ["regular", "arrears", "funeral"]
    model = _Sorted(amounts=given)
    assert list(model.amounts) == ["arrears", "funeral", "regular"]
    assert canonical_json(model) == b'{"amounts":{"arrears":2,"funeral":1,"regular":3}}'
    assert canonical_json(model) == canonical_bytes(model.model_dump(mode="json"))


@given(
    st.dictionaries(st.sampled_from(list(Component)), st.integers(0, 10**9), min_size=1),
    st.randoms(use_true_random=False),
)
def test_payment_lines_are_canonical_whatever_order_their_components_come_in(
    components: dict[Component, int], rnd: Any
) -> None:
    items = list(components.items())
    rnd.shuffle(items)
    recovery = components.get(Component.RECOVERY, 0)
    total = sum(components.values()) - 2 * recovery
    if total < 0:
        return
    line = PaymentLine(
        line_no=1,
        person_id="P1",
        full_name="Nguyễn Thị Ánh",
        commune_code="84201",
        components=dict(items),
        amount_vnd=total,
    )
    assert canonical_json(line) == canonical_bytes(line.model_dump(mode="json"))
    assert (
        lines_digest([line, line])
        == hashlib.sha256(canonical_bytes([line.model_dump(mode="json")] * 2)).hexdigest()
    )


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
