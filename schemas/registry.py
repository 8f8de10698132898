"""Every event type, its topic, and parsing raw bytes into a validated, upcast event."""

from __future__ import annotations

from typing import Annotated, Any, Union

import orjson
from pydantic import Field, TypeAdapter, ValidationError

from schemas.eligibility import ELIGIBILITY_EVENTS
from schemas.envelope import Event
from schemas.errors import InvalidEvent, from_validation_error
from schemas.health_insurance import HEALTH_INSURANCE_EVENTS
from schemas.nul import refuse_nul
from schemas.payments import PAYMENT_EVENTS
from schemas.policy import POLICY_EVENTS
from schemas.relief import RELIEF_EVENTS
from schemas.upcasting import upcast

ALL_EVENT_CLASSES: tuple[type[Event], ...] = (
    *ELIGIBILITY_EVENTS,
    *POLICY_EVENTS,
    *PAYMENT_EVENTS,
    *HEALTH_INSURANCE_EVENTS,
    *RELIEF_EVENTS,
)

#: event_type -> model class
EVENT_TYPES: dict[str, type[Event]] = {
    cls.model_fields["event_type"].default: cls for cls in ALL_EVENT_CLASSES
}
CURRENT_VERSIONS: dict[str, int] = {
    name: cls.model_fields["schema_version"].default for name, cls in EVENT_TYPES.items()
}

#: family -> Kafka topic. Keys are the subject id so one subject's events stay in order.
FAMILY_TOPICS: dict[str, str] = {
    "eligibility": "aid.eligibility",
    "policy": "aid.policy",
    "payments": "aid.payments",
    "health_insurance": "aid.health-insurance",
    "relief": "aid.relief",
}
TOPIC_DEADLETTER = "aid.deadletter"

#: Any registered event (every one is an ``Event`` subclass listed in EVENT_TYPES).
AnyEvent = Event

#: The whole contract as one discriminated union on ``event_type`` (for JSON Schema).
_UNION: TypeAdapter[Any] = TypeAdapter(
    Annotated[  # type: ignore[arg-type]
        Union[tuple(EVENT_TYPES.values())],  # noqa: UP007
        Field(discriminator="event_type"),
    ]
)


def topic_for(event: Event | type[Event]) -> str:
    """The Kafka topic of an event's family."""
    return FAMILY_TOPICS[event.family]


def parse_event_dict(raw: Any, record: str = "event") -> Event:
    """Validate a decoded JSON object as an event, upgrading old schema versions first."""
    if not isinstance(raw, dict):
        raise InvalidEvent.single(record, "", f"must be a JSON object, got {type(raw).__name__}")
    event_type = raw.get("event_type")
    label = record
    if "event_id" in raw:
        label = f"{record} (event {raw.get('event_id')})"
    if event_type is None:
        raise InvalidEvent.single(label, "event_type", "is required but missing")
    cls = EVENT_TYPES.get(event_type) if isinstance(event_type, str) else None
    if cls is None:
        known = ", ".join(sorted(EVENT_TYPES))
        raise InvalidEvent.single(
            label, "event_type", f"{event_type!r} is not a known event type (known: {known})"
        )
    current = CURRENT_VERSIONS[event_type]
    version = raw.get("schema_version")
    if isinstance(version, int) and version > current:
        raise InvalidEvent.single(
            label,
            "schema_version",
            f"version {version} of {event_type} is newer than this aidledger knows ({current});"
            " upgrade aidledger",
        )
    try:
        return cls.model_validate(upcast(raw, current))
    except ValidationError as exc:
        where = f"{record} ({event_type} {raw.get('event_id', 'without event_id')})"
        raise from_validation_error(exc, where, event_type) from None


def _current_version(data: bytes | str) -> Event | None:
    """The event when ``data`` is a valid event of its current version, validated straight
    from JSON by the discriminated union (a third cheaper than decoding, then validating the
    dict); None for anything else (an older version to upcast, invalid input to explain)."""
    try:
        event: Event = _UNION.validate_json(data)
    except ValidationError:
        return None
    return event if event.schema_version == CURRENT_VERSIONS[event.event_type] else None


def parse_event(data: bytes | str, record: str = "event") -> Event:
    """Parse JSON bytes into a validated event; raises InvalidEvent with readable reasons."""
    event = _current_version(data)
    return event if event is not None else _parse_other(data, record)


def parse_storable_event(data: bytes, record: str = "event") -> Event:
    """``parse_event`` of an event arriving to be stored, refused also when its text holds
    U+0000, which the ledger cannot store (``schemas.nul``; names ``record (event id)``)."""
    event = parse_event(data, record)
    refuse_nul(data, f"{record} (event {event.event_id})")
    return event


def _parse_other(data: bytes | str, record: str) -> Event:
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidEvent.single(record, "", f"is not valid JSON ({exc})") from None
    return parse_event_dict(raw, record)


def json_schema() -> dict[str, Any]:
    """JSON Schema of the union of all events (for other systems that produce events)."""
    return _UNION.json_schema()
