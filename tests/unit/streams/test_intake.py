"""Intake: every record is either an accepted event or a dead letter saying what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.records import Incoming, KafkaOrigin
from streams.deadletters import DeadLetterKind
from streams.intake import triage
from streams.records import RawRecord
from tests.fixtures.streams import Message, event_message, invalid_messages, sample_events

PREFIX = "t1."


def record(message: Message, offset: int, partition: int = 0) -> RawRecord:
    return RawRecord(PREFIX + message.topic, partition, offset, message.key, message.value)


def test_valid_records_become_ledger_items_with_their_kafka_origin() -> None:
    events = sample_events(20)
    records = [record(event_message(e), i) for i, e in enumerate(events)]

    intake = triage(records, PREFIX)

    assert intake.letters == []
    assert [e for _, e in intake.accepted] == events
    assert intake.incoming()[3] == Incoming(events[3], KafkaOrigin(records[3].topic, 0, 3))


@pytest.mark.parametrize(("message", "phrase"), invalid_messages())
def test_an_invalid_record_becomes_a_dead_letter_naming_the_record_and_the_problem(
    message: Message, phrase: str
) -> None:
    intake = triage([record(message, 41, partition=2)], PREFIX)

    assert intake.accepted == []
    (letter,) = intake.letters
    assert letter.kind is DeadLetterKind.INVALID
    assert phrase in letter.reason
    assert f"{PREFIX}{message.topic}[2]@41" in letter.reason
    assert letter.record.value == message.value


def test_a_mixed_batch_drops_nothing_and_keeps_the_order_of_each_kind() -> None:
    valid = [event_message(e) for e in sample_events(10)]
    bad = [m for m, _ in invalid_messages()]
    mixed = [valid[0], bad[0], *valid[1:5], bad[1], bad[2], *valid[5:], *bad[3:]]

    intake = triage([record(m, i) for i, m in enumerate(mixed)], PREFIX)

    assert len(intake.accepted) + len(intake.letters) == len(mixed)
    assert [r.value for r, _ in intake.accepted] == [m.value for m in valid]
    assert [d.record.value for d in intake.letters] == [m.value for m in bad]


def test_field_problems_are_kept_one_by_one_for_the_people_who_fix_the_data() -> None:
    message = next(m for m, phrase in invalid_messages() if phrase.startswith("group"))

    (letter,) = triage([record(message, 0)], PREFIX).letters

    assert [p.field for p in letter.problems] == ["group"]
    assert "astronaut" in letter.problems[0].reason


def test_an_event_on_the_wrong_topic_is_refused_with_the_topic_it_belongs_on() -> None:
    event = sample_events(4)[3]  # a BHYT card, published to aid.payments by mistake
    wrong = Message("aid.payments", b"k", event_message(event).value)

    (letter,) = triage([record(wrong, 7)], PREFIX).letters

    assert f"belong on topic {PREFIX}aid.health-insurance, not {PREFIX}aid.payments" in (
        letter.reason
    )
    assert letter.event_id == event.event_id


def test_a_valid_event_whose_text_holds_a_nul_becomes_a_dead_letter_naming_the_field() -> None:
    registered, granted = [e for e in sample_events(3) if e.event_type != "StandardLevelSet"][:2]
    bad = registered.model_copy(update={"full_name": "Nguyễn Văn A\x00"})
    messages = [event_message(bad), event_message(granted)]

    intake = triage([record(m, i) for i, m in enumerate(messages)], PREFIX)

    assert [e for _, e in intake.accepted] == [granted]
    (letter,) = intake.letters
    assert letter.kind is DeadLetterKind.INVALID and letter.event_id == bad.event_id
    assert [p.field for p in letter.problems] == ["full_name"]
    assert f"{PREFIX}aid.eligibility[0]@0" in letter.reason
    assert "full_name: contains a NUL character (U+0000" in letter.reason


def test_a_record_whose_validation_breaks_down_becomes_a_dead_letter_and_the_batch_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streams import intake as intake_module

    registered, granted = [e for e in sample_events(3) if e.event_type != "StandardLevelSet"][:2]
    bad = event_message(registered)
    from schemas.registry import parse_storable_event as parse

    def breaking(data: bytes, record: str = "event") -> Any:
        if data == bad.value:  # a defect of validation, not an invalid event
            raise OverflowError("date value out of range")
        return parse(data, record)

    monkeypatch.setattr(intake_module, "parse_storable_event", breaking)

    intake = triage([record(bad, 0), record(event_message(granted), 1)], PREFIX)

    assert [e for _, e in intake.accepted] == [granted]
    (letter,) = intake.letters
    assert letter.kind is DeadLetterKind.INVALID and letter.record.value == bad.value
    assert letter.reason.startswith(f"{PREFIX}aid.eligibility[0]@0 was refused:")
    assert "could not be validated" in letter.reason and "out of range" in letter.reason
    assert letter.event_id == registered.event_id
