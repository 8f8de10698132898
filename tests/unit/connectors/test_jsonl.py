"""Reading a JSON-lines file of events: the whole file refused on any bad line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from connectors.jsonl import FileRefused, read_events
from schemas import canonical_json
from tests.unit.ledger.builders import registered


def test_a_line_whose_text_holds_a_nul_refuses_the_file_naming_the_line_and_field(
    tmp_path: Path,
) -> None:
    bad = registered("P2").model_copy(update={"full_name": "Nguyễn\x00"})
    path = tmp_path / "events.jsonl"
    path.write_bytes(canonical_json(registered("P1")) + b"\n" + canonical_json(bad) + b"\n")
    with pytest.raises(FileRefused) as refused:
        read_events(path)
    (problem,) = refused.value.problems
    assert problem.startswith(f"line 2 (event {bad.event_id}) was refused: full_name: contains")


def test_a_line_on_which_validation_breaks_down_refuses_the_file_naming_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import jsonl

    bad = canonical_json(registered("P2"))
    path = tmp_path / "events.jsonl"
    path.write_bytes(canonical_json(registered("P1")) + b"\n" + bad + b"\n")
    from schemas.registry import parse_storable_event as parse

    def breaking(data: bytes, record: str = "event") -> Any:
        if data.strip() == bad:  # a defect of validation, not an invalid event
            raise OverflowError("date value out of range")
        return parse(data, record)

    monkeypatch.setattr(jsonl, "parse_storable_event", breaking)
    with pytest.raises(FileRefused) as refused:
        read_events(path)
    (problem,) = refused.value.problems
    assert problem.startswith("line 2 was refused: could not be validated (OverflowError")


def test_a_line_whose_time_has_no_utc_equivalent_refuses_the_file_naming_line_and_field(
    tmp_path: Path,
) -> None:
    raw = orjson.loads(canonical_json(registered("P2")))
    raw["recorded_at"] = "9999-12-31T23:59:59-14:00"
    path = tmp_path / "events.jsonl"
    path.write_bytes(canonical_json(registered("P1")) + b"\n" + orjson.dumps(raw) + b"\n")
    with pytest.raises(FileRefused) as refused:
        read_events(path)
    (problem,) = refused.value.problems
    assert problem.startswith("line 2 (BeneficiaryRegistered")
    assert "recorded_at:" in problem and "between the years 1 and 9999 in UTC" in problem


def test_a_file_saved_with_a_byte_order_mark_is_read_like_one_without(tmp_path: Path) -> None:
    events = [registered("P1"), registered("P2")]
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\r\n".join(canonical_json(e) for e in events) + b"\r\n")

    assert read_events(path) == events
