"""The event contract: every fact aidledger records, as frozen pydantic v2 models."""

from schemas.build import deterministic_id, make_event
from schemas.canonical import canonical_json, event_digest
from schemas.envelope import Event, Source
from schemas.errors import AidLedgerError, FieldProblem, InvalidEvent
from schemas.registry import (
    EVENT_TYPES,
    FAMILY_TOPICS,
    TOPIC_DEADLETTER,
    AnyEvent,
    parse_event,
    parse_event_dict,
    topic_for,
)

__all__ = [
    "EVENT_TYPES",
    "FAMILY_TOPICS",
    "TOPIC_DEADLETTER",
    "AidLedgerError",
    "AnyEvent",
    "Event",
    "FieldProblem",
    "InvalidEvent",
    "Source",
    "canonical_json",
    "deterministic_id",
    "event_digest",
    "make_event",
    "parse_event",
    "parse_event_dict",
    "topic_for",
]
