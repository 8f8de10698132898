"""Re-submitting a dead letter: its original bytes, or a corrected event, as a new message."""

from __future__ import annotations

import getpass
import hashlib
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from schemas.canonical import canonical_json
from schemas.errors import InvalidEvent
from schemas.nul import refuse_nul
from schemas.registry import parse_event, topic_for
from streams.deadletter_store import DeadLetterStore, StoredDeadLetter


@dataclass(frozen=True)
class Retried:
    """A dead letter sent again: where the new message landed, and the retry's record."""

    retry_id: UUID
    letter: StoredDeadLetter
    fixed: bool
    topic: str
    partition: int
    offset: int


def corrected_message(letter: StoredDeadLetter, path: Path) -> tuple[bytes, bytes]:
    """(key, canonical bytes) of a corrected event; refused unless valid for the letter's topic."""
    data = path.read_bytes()
    event = parse_event(data, record=str(path))
    refuse_nul(data, str(path))
    family_topic = topic_for(event)
    if not letter.topic.endswith(family_topic):
        raise InvalidEvent.single(
            str(path),
            "event_type",
            f"{event.event_type} belongs on {family_topic}, but the dead letter came from"
            f" {letter.topic}; a correction goes back to the topic it came from",
        )
    return event.subject.encode(), canonical_json(event)


def retry_deadletter(
    store: DeadLetterStore, bootstrap_servers: str, deadletter_id: str, fixed: Path | None = None
) -> Retried:
    """Publish the letter again (confirmed by the broker) and record the retry."""
    from kafka import KafkaProducer

    letter = store.get(deadletter_id)
    key, value = corrected_message(letter, fixed) if fixed else (letter.key, letter.value)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        retries=5,
        max_request_size=8 * 1024 * 1024,
        client_id="aidledger-deadletters",
    )
    try:
        sent = producer.send(letter.topic, key=key, value=value).get(timeout=30)
    finally:
        producer.close()
    retry_id = store.record_retry(
        letter,
        fixed=fixed is not None,
        value_sha256=hashlib.sha256(value).hexdigest(),
        topic=sent.topic,
        partition=sent.partition,
        offset=sent.offset,
        retried_by=_operator(),
    )
    return Retried(retry_id, letter, fixed is not None, sent.topic, sent.partition, sent.offset)


def _operator() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None
