"""Dead letters: stable ids, and messages that carry the original bytes and the reason."""

from __future__ import annotations

import base64
import uuid

import orjson

from ledger.errors import DuplicateEventConflict
from schemas.errors import FieldProblem, InvalidEvent
from streams.deadletters import DeadLetter, DeadLetterKind
from streams.publishing import deadletter_messages
from streams.records import RawRecord

RECORD = RawRecord("t.aid.payments", 3, 1200, b"P0000042", b'{"amount_vnd": 12.5}')
ERROR = InvalidEvent.single("t.aid.payments[3]@1200", "amount_vnd", "must be a whole number")


def test_a_record_read_twice_gives_the_same_dead_letter_id() -> None:
    again = RawRecord(RECORD.topic, RECORD.partition, RECORD.offset, RECORD.key, RECORD.value)

    assert (
        DeadLetter.invalid(RECORD, ERROR).deadletter_id
        == DeadLetter.invalid(again, ERROR).deadletter_id
    )


def test_other_bytes_at_the_same_offset_are_another_dead_letter() -> None:
    # A memory-only broker that restarted numbers its records from 0 again.
    other = RawRecord(RECORD.topic, RECORD.partition, RECORD.offset, RECORD.key, b"{}")

    assert (
        DeadLetter.invalid(other, ERROR).deadletter_id
        != DeadLetter.invalid(RECORD, ERROR).deadletter_id
    )


def test_the_published_message_carries_the_original_bytes_the_origin_and_the_reason() -> None:
    letter = DeadLetter.invalid(RECORD, ERROR)

    (message,) = deadletter_messages([letter], "t.", "group-a", "worker-1")
    body = orjson.loads(message.value)

    assert message.topic == "t.aid.deadletter"
    assert message.key == RECORD.key
    assert base64.b64decode(body["value_b64"]) == RECORD.value
    assert base64.b64decode(body["key_b64"]) == RECORD.key
    assert (body["topic"], body["partition"], body["offset"]) == ("t.aid.payments", 3, 1200)
    assert body["reason"] == ERROR.message
    assert body["problems"] == [{"field": "amount_vnd", "reason": "must be a whole number"}]
    assert body["deadletter_id"] == str(letter.deadletter_id)
    assert (body["kind"], body["consumer"], body["worker"]) == ("invalid", "group-a", "worker-1")


def test_a_conflict_is_dead_lettered_with_the_ledgers_reason_and_the_event_id() -> None:
    event_id = uuid.uuid4()
    conflict = DuplicateEventConflict(
        event_id, "AllowanceAccrued", 17, "a" * 64, "b" * 64, RECORD.origin
    )

    letter = DeadLetter.conflict(RECORD, conflict)

    assert letter.kind is DeadLetterKind.CONFLICT
    assert letter.event_id == event_id
    assert "sequence 17" in letter.reason and "different content" in letter.reason
    assert letter.deadletter_id != DeadLetter.invalid(RECORD, ERROR).deadletter_id


def test_a_refused_record_keeps_the_event_id_it_claims_when_it_has_one() -> None:
    claimed = uuid.uuid4()
    record = RawRecord("t.aid.payments", 0, 1, None, orjson.dumps({"event_id": str(claimed)}))

    assert DeadLetter.invalid(record, ERROR).event_id == claimed
    assert DeadLetter.invalid(RECORD, ERROR).event_id is None


def test_a_record_without_a_key_is_keyed_by_its_dead_letter_id() -> None:
    record = RawRecord("t.aid.payments", 0, 1, None, b"nope")
    letter = DeadLetter.invalid(record, ERROR)

    (message,) = deadletter_messages([letter], "t.", "g", "w")

    assert message.key == str(letter.deadletter_id).encode()


def test_a_letter_too_large_for_one_message_leaves_the_bytes_out_and_says_where_they_are() -> None:
    from streams.deadletters import MESSAGE_MAX_BYTES

    value = b'{"note": "' + b"x" * 900_000 + b'"}'
    record = RawRecord("t.aid.payments", 3, 1201, b"k" * 5000, value)
    problems = [FieldProblem(f"lines[{n}].note", "y" * 5000) for n in range(300)]
    letter = DeadLetter.invalid(record, InvalidEvent(record.label, problems))

    (message,) = deadletter_messages([letter], "t.", "group-a", "worker-1")
    body = orjson.loads(message.value)

    assert (
        len(message.value) <= MESSAGE_MAX_BYTES
        and message.key == str(letter.deadletter_id).encode()
    )
    assert body["value_b64"] is None and body["key_b64"] is None
    assert (
        "900,012 bytes" in body["value_omitted"]
        and "t.aid.payments[3]@1201" in (body["value_omitted"])
    )
    assert (body["topic"], body["partition"], body["offset"]) == ("t.aid.payments", 3, 1201)
    assert body["reason"].startswith("t.aid.payments[3]@1201 was refused: lines[0].note: yyy")
    assert len(body["problems"]) == 100 and body["problems_omitted"] == 200
    assert body["deadletter_id"] == str(letter.deadletter_id)
