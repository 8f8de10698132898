"""Reading a JSON-lines file of events: the whole file refused on any bad line."""

from __future__ import annotations

from pathlib import Path

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
