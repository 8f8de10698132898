"""Dead letters: records the workers refused, with the original bytes and the reason in words.

A dead letter's id is derived from its kind, its Kafka origin and its bytes, so a record read
again after a crash gives the same id (stored once, published again with the same id).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import orjson

from ledger.errors import DuplicateEventConflict
from schemas.build import deterministic_id
from schemas.errors import FieldProblem, InvalidEvent
from streams.records import RawRecord

#: The largest dead-letter message: a Kafka topic's default max.message.bytes (1 MiB) less room
#: for the key and headers. A larger one would be refused on every attempt and stop the worker,
#: so a letter too large to quote its record whole is shortened (``DeadLetter.message_bytes``).
MESSAGE_MAX_BYTES = 1_000_000
#: What a shortened message keeps: a key up to this size, the start of the reason, the first
#: field problems (each reason cut to PROBLEM_CHARS).
KEY_MAX_BYTES = 1024
REASON_CHARS = 20_000
PROBLEMS_KEPT = 100
PROBLEM_CHARS = 1000


class DeadLetterKind(StrEnum):
    INVALID = "invalid"  # not a valid event: bad JSON, unknown type, a field refused
    CONFLICT = "conflict"  # a valid event whose id the ledger holds with other content


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One refused record: where it came from, its bytes, and why it was refused."""

    deadletter_id: UUID
    kind: DeadLetterKind
    record: RawRecord
    reason: str
    problems: tuple[FieldProblem, ...] = ()
    event_id: UUID | None = None
    recorded_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def invalid(cls, record: RawRecord, error: InvalidEvent) -> DeadLetter:
        """A record that failed validation; ``error`` names each field and its problem.

        A NUL the record holds may be quoted in the reason (a refused id, a field name);
        it is written ``\\u0000`` there, as PostgreSQL stores no NUL in text.
        """
        return cls(
            letter_id(DeadLetterKind.INVALID, record),
            DeadLetterKind.INVALID,
            record,
            _without_nul(error.message),
            tuple(
                FieldProblem(_without_nul(p.field), _without_nul(p.reason)) for p in error.problems
            ),
            _claimed_event_id(record.value),
        )

    @classmethod
    def conflict(cls, record: RawRecord, conflict: DuplicateEventConflict) -> DeadLetter:
        """A valid event the ledger refused: same id as a recorded event, other content."""
        return cls(
            letter_id(DeadLetterKind.CONFLICT, record),
            DeadLetterKind.CONFLICT,
            record,
            str(conflict),
            (),
            conflict.event_id,
        )

    def to_message(self, consumer: str, worker: str) -> dict[str, Any]:
        """The JSON object published to ``aid.deadletter`` (bytes as base64)."""
        r = self.record
        return {
            "deadletter_id": str(self.deadletter_id),
            "kind": self.kind.value,
            "topic": r.topic,
            "partition": r.partition,
            "offset": r.offset,
            "key_b64": _b64(r.key),
            "value_b64": _b64(r.value),
            "reason": self.reason,
            "problems": [{"field": p.field, "reason": p.reason} for p in self.problems],
            "event_id": str(self.event_id) if self.event_id else None,
            "consumer": consumer,
            "worker": worker,
            "recorded_at": self.recorded_at.isoformat(),
        }

    def message_bytes(self, consumer: str, worker: str) -> bytes:
        """``to_message`` as JSON; shortened when larger than MESSAGE_MAX_BYTES: the record's
        bytes are left out (``value_b64`` null, ``value_omitted`` says where they are) and a
        long reason is cut. The dead letter in PostgreSQL keeps everything."""
        message = self.to_message(consumer, worker)
        data = orjson.dumps(message, option=orjson.OPT_SORT_KEYS)
        if len(data) > MESSAGE_MAX_BYTES:
            data = orjson.dumps(self._shortened(message), option=orjson.OPT_SORT_KEYS)
        return data

    def _shortened(self, message: dict[str, Any]) -> dict[str, Any]:
        r = self.record
        where = "`aidledger deadletters retry` sends them again"
        message["value_b64"] = None
        message["value_omitted"] = (
            f"the record's {len(r.value):,} bytes (sha256 {hashlib.sha256(r.value).hexdigest()})"
            f" are too many for a dead-letter message; they are kept with the dead letter in"
            f" PostgreSQL ({where}) and at {r.label}"
        )
        if r.key is not None and len(r.key) > KEY_MAX_BYTES:
            message["key_b64"] = None
        message["reason"] = _cut(self.reason, REASON_CHARS)
        message["problems"] = [
            {"field": _cut(p.field, PROBLEM_CHARS), "reason": _cut(p.reason, PROBLEM_CHARS)}
            for p in self.problems[:PROBLEMS_KEPT]
        ]
        if len(self.problems) > PROBLEMS_KEPT:
            message["problems_omitted"] = len(self.problems) - PROBLEMS_KEPT
        return message


def letter_id(kind: DeadLetterKind, record: RawRecord) -> UUID:
    """Same kind, origin and bytes: same id (a record read twice is one dead letter)."""
    digest = hashlib.sha256(record.value).hexdigest()
    return deterministic_id(
        "deadletter", kind.value, record.topic, record.partition, record.offset, digest
    )


def _cut(text: str, chars: int) -> str:
    if len(text) <= chars:
        return text
    return f"{text[:chars]}… ({len(text) - chars:,} more characters in `aidledger deadletters`)"


def _without_nul(text: str) -> str:
    return text.replace("\x00", "\\u0000")


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data is not None else None


def _claimed_event_id(value: bytes) -> UUID | None:
    """The event id a refused record claims, when it has a readable one (helps operators)."""
    try:
        raw = orjson.loads(value)
        return UUID(str(raw["event_id"])) if isinstance(raw, dict) else None
    except (orjson.JSONDecodeError, KeyError, ValueError):
        return None
