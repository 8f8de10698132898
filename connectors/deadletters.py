"""Re-submitting a dead letter: its original bytes, or a corrected event, as a new message on
the topic its event type belongs on."""

from __future__ import annotations

import codecs
import getpass
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from uuid import UUID

from connectors.topics import topic_name
from schemas.canonical import canonical_json
from schemas.envelope import Event
from schemas.errors import InvalidEvent
from schemas.registry import FAMILY_TOPICS, parse_event, parse_storable_event, topic_for
from streams.deadletter_store import DeadLetterStore, StoredDeadLetter
from streams.intake import unreadable


@dataclass(frozen=True)
class Retried:
    """A dead letter sent again: where the new message landed, and the retry's record."""

    retry_id: UUID
    letter: StoredDeadLetter
    fixed: bool
    topic: str
    partition: int
    offset: int


class RetryMessage(NamedTuple):
    """What a retry sends: the topic, the key and the bytes."""

    topic: str
    key: bytes | None
    value: bytes


def corrected_message(letter: StoredDeadLetter, path: Path) -> RetryMessage:
    """The corrected event in ``path``, keyed by its subject, for the topic its type belongs
    on (the letter's topic prefix kept); refused unless valid."""
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)  # as Windows editors save UTF-8
    try:
        event = parse_storable_event(data, record=str(path))
    except InvalidEvent:
        raise
    except Exception as exc:  # validation broke down on it: refused all the same, named
        raise unreadable(str(path), exc) from None
    return RetryMessage(_home(letter, event), event.subject.encode(), canonical_json(event))


def original_message(letter: StoredDeadLetter) -> RetryMessage:
    """The letter's own bytes, for the topic its event type belongs on: its original topic,
    unless it was refused for being on another one (then keyed by its subject there)."""
    try:
        event = parse_event(letter.value, record=f"dead letter {letter.deadletter_id}")
    except Exception:  # not a readable event (InvalidEvent, or validation broke down on it)
        return RetryMessage(letter.topic, letter.key, letter.value)
    topic = _home(letter, event)
    key = letter.key if topic == letter.topic else event.subject.encode()
    return RetryMessage(topic, key, letter.value)


def _home(letter: StoredDeadLetter, event: Event) -> str:
    """The topic of ``event``'s family, with the prefix of the topic the letter came from
    (one subject's events share one topic, or their order is lost)."""
    prefix = next(
        (letter.topic[: -len(t)] for t in FAMILY_TOPICS.values() if letter.topic.endswith(t)),
        "",
    )
    return topic_name(topic_for(event), prefix)


def retry_deadletter(
    store: DeadLetterStore, bootstrap_servers: str, deadletter_id: str, fixed: Path | None = None
) -> Retried:
    """Publish the letter (or its correction) again, to the topic its event type belongs on
    (confirmed by the broker), and record the retry; the letter stays."""
    from kafka import KafkaProducer

    letter = store.get(deadletter_id)
    message = corrected_message(letter, fixed) if fixed else original_message(letter)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        retries=5,
        max_request_size=8 * 1024 * 1024,
        client_id="aidledger-deadletters",
    )
    try:
        sent = producer.send(message.topic, key=message.key, value=message.value).get(timeout=30)
    finally:
        producer.close()
    retry_id = store.record_retry(
        letter,
        fixed=fixed is not None,
        value_sha256=hashlib.sha256(message.value).hexdigest(),
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
