"""Finding U+0000 (NUL) in an event's JSON: named by field, and no false alarm on a backslash."""

from __future__ import annotations

import orjson
import pytest

from schemas import canonical_json
from schemas.errors import InvalidEvent
from schemas.nul import nul_fields, refuse_nul
from tests.unit.ledger.builders import registered


def test_each_field_holding_a_nul_is_named_with_its_path() -> None:
    payload = orjson.dumps({"reason": "x\x00", "lines": [{"note": "ok"}, {"note": "\x00y"}]})
    assert nul_fields(payload) == ["reason", "lines[1].note"]


def test_an_escaped_backslash_followed_by_u0000_is_not_a_nul() -> None:
    event = registered("P1").model_copy(update={"full_name": "C:\\u0000 Nguyễn"})
    payload = canonical_json(event)
    assert b"\\\\u0000" in payload  # the fast scan hits; the precise check clears it
    assert nul_fields(payload) == []
    refuse_nul(payload, "event")


def test_a_nul_in_an_event_is_refused_with_a_reason_a_person_can_act_on() -> None:
    event = registered("P1").model_copy(update={"full_name": "Nguyễn\x00"})
    with pytest.raises(InvalidEvent) as raised:
        refuse_nul(canonical_json(event), "line 3")
    assert raised.value.message.startswith("line 3 was refused: full_name: contains a NUL")
    assert "remove it" in raised.value.message
