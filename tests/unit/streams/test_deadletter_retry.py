"""Re-submitting a dead letter: which bytes are sent, and to which topic."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from connectors.deadletters import corrected_message
from schemas import canonical_json
from schemas.errors import InvalidEvent
from streams.deadletter_store import StoredDeadLetter
from streams.intake import triage
from streams.records import RawRecord
from tests.unit.ledger.builders import registered


def stored(record: RawRecord) -> StoredDeadLetter:
    """The dead letter the worker stores for ``record``."""
    (letter,) = triage([record]).letters
    return StoredDeadLetter(
        uuid4(),
        letter.kind.value,
        record.topic,
        record.partition,
        record.offset,
        record.key,
        record.value,
        letter.reason,
        datetime.now(UTC),
    )


def test_a_correction_that_still_holds_a_nul_is_refused_before_it_is_sent(
    tmp_path: Path,
) -> None:
    bad = registered("P1").model_copy(update={"full_name": "Nguyễn\x00"})
    letter = stored(RawRecord("aid.eligibility", 0, 3, b"P1", canonical_json(bad)))
    fixed = tmp_path / "fixed.json"
    fixed.write_bytes(canonical_json(bad))
    with pytest.raises(InvalidEvent, match="full_name: contains a NUL character"):
        corrected_message(letter, fixed)
