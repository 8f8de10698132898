"""Re-submitting a dead letter: which bytes are sent, and to which topic."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from connectors.deadletters import corrected_message, original_message
from schemas import canonical_json
from schemas.errors import InvalidEvent
from streams.deadletter_store import StoredDeadLetter
from streams.intake import triage
from streams.records import RawRecord
from tests.unit.ledger.builders import accrual, card_issued, registered


def stored(record: RawRecord) -> StoredDeadLetter:
    """The dead letter the worker stores for ``record``."""
    (letter,) = triage([record], "t1.").letters
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
    letter = stored(RawRecord("t1.aid.eligibility", 0, 3, b"P1", canonical_json(bad)))
    fixed = tmp_path / "fixed.json"
    fixed.write_bytes(canonical_json(bad))
    with pytest.raises(InvalidEvent, match="full_name: contains a NUL character"):
        corrected_message(letter, fixed)


def wrong_topic_letter() -> tuple[StoredDeadLetter, bytes]:
    """A BHYT card published on the payments topic (prefix ``t1.``), and its bytes."""
    value = canonical_json(card_issued("P1", "BT2840000000001", "2025-01-01", "2025-12-31"))
    letter = stored(RawRecord("t1.aid.payments", 0, 7, b"someone-else", value))
    assert "belong on topic t1.aid.health-insurance" in letter.reason
    return letter, value


def test_a_correction_of_a_letter_refused_for_its_topic_goes_to_the_topic_its_type_belongs_on(
    tmp_path: Path,
) -> None:
    letter, value = wrong_topic_letter()
    fixed = tmp_path / "fixed.json"
    fixed.write_bytes(value)
    assert corrected_message(letter, fixed) == ("t1.aid.health-insurance", b"P1", value)


def test_a_plain_retry_of_a_letter_refused_for_its_topic_sends_its_bytes_where_they_belong() -> (
    None
):
    letter, value = wrong_topic_letter()
    assert original_message(letter) == ("t1.aid.health-insurance", b"P1", value)


def test_a_plain_retry_of_any_other_letter_goes_back_to_its_topic_unchanged() -> None:
    amount = canonical_json(accrual("P1", 500_000, "2024-07")).replace(b"500000", b"-1")
    for value in (b"{not json", amount):
        letter = stored(RawRecord("t1.aid.payments", 2, 9, b"P1", value))
        assert original_message(letter) == ("t1.aid.payments", b"P1", value)


def test_a_correction_saved_with_a_byte_order_mark_is_sent_without_it(tmp_path: Path) -> None:
    letter, value = wrong_topic_letter()
    fixed = tmp_path / "fixed.json"
    fixed.write_bytes(b"\xef\xbb\xbf" + value + b"\r\n")

    assert corrected_message(letter, fixed) == ("t1.aid.health-insurance", b"P1", value)


def _breaking(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, bad: bytes) -> None:
    """Make ``module.name`` (a parser) break down on ``bad``: a defect of validation."""
    parse = getattr(module, name)

    def breaking(data: bytes, record: str = "event") -> Any:
        if data == bad:
            raise OverflowError("date value out of range")
        return parse(data, record)

    monkeypatch.setattr(module, name, breaking)


def test_a_plain_retry_of_a_letter_whose_validation_broke_down_goes_back_to_its_topic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from connectors import deadletters
    from streams import intake

    value = canonical_json(registered("P1"))
    _breaking(monkeypatch, intake, "parse_storable_event", value)
    letter = stored(RawRecord("t1.aid.eligibility", 1, 4, b"P1", value))
    assert "could not be validated" in letter.reason
    _breaking(monkeypatch, deadletters, "parse_event", value)

    assert original_message(letter) == ("t1.aid.eligibility", b"P1", value)


def test_a_correction_on_which_validation_breaks_down_is_refused_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import deadletters

    letter, value = wrong_topic_letter()
    fixed = tmp_path / "fixed.json"
    fixed.write_bytes(value)
    _breaking(monkeypatch, deadletters, "parse_storable_event", value)
    with pytest.raises(InvalidEvent, match=f"{fixed} was refused: could not be validated"):
        corrected_message(letter, fixed)
