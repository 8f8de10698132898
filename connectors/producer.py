"""Publishing events to Kafka with kafka-python: keyed by subject, acks=all, confirmed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from connectors.partitioner import SubjectPartitioner
from connectors.topics import topic_name
from schemas.canonical import canonical_json
from schemas.envelope import Event
from schemas.errors import AidLedgerError
from schemas.registry import topic_for

#: The largest request a producer sends (max_request_size); one message must fit in it.
MAX_REQUEST_BYTES = 8 * 1024 * 1024
#: Room a message needs besides its key and value (record and batch headers).
MESSAGE_OVERHEAD_BYTES = 1024


class PublishFailed(AidLedgerError):
    """The broker did not confirm a message; nothing may be reported as published."""

    exit_code = 4


def message_of(event: Event, prefix: str = "") -> tuple[str, bytes, bytes]:
    """(topic, key, value) of an event: its family topic, its subject, its canonical JSON."""
    return topic_name(topic_for(event), prefix), event.subject.encode(), canonical_json(event)


def too_large(key: bytes | None, value: bytes) -> bool:
    """Whether a message is larger than a producer may send (refused at once, unsent)."""
    return len(key or b"") + len(value) + MESSAGE_OVERHEAD_BYTES > MAX_REQUEST_BYTES


class EventPublisher:
    """Sends events to their family topic; ``flush`` waits until the broker confirmed all."""

    def __init__(self, bootstrap_servers: str, prefix: str = "", **config: Any) -> None:
        from kafka import KafkaProducer

        self.prefix = prefix
        settings: dict[str, Any] = {
            "acks": "all",
            "linger_ms": 20,
            "batch_size": 512 * 1024,
            "max_request_size": MAX_REQUEST_BYTES,
            "retries": 5,
            "client_id": "aidledger-publisher",
            "partitioner": SubjectPartitioner(),
        }
        settings.update(config)
        self._producer = KafkaProducer(bootstrap_servers=bootstrap_servers, **settings)
        self._pending: list[Any] = []

    def send_raw(self, topic: str, key: bytes | None, value: bytes) -> None:
        """Queue bytes for a (real, already prefixed) topic; confirmed by ``flush``."""
        self._pending.append(self._producer.send(topic, key=key, value=value))

    def send(self, event: Event) -> None:
        """Queue one event for its family topic, keyed by its subject."""
        self.send_raw(*message_of(event, self.prefix))

    def publish(self, events: Iterable[Event]) -> int:
        """Send events and wait for every delivery confirmation; returns how many."""
        count = 0
        for event in events:
            self.send(event)
            count += 1
            if len(self._pending) >= 50_000:
                self.flush()
        self.flush()
        return count

    def flush(self, timeout: float = 60.0) -> None:
        """Block until the broker confirmed every queued message, or raise PublishFailed."""
        from kafka.errors import KafkaTimeoutError

        with contextlib.suppress(KafkaTimeoutError):  # the messages not done say how many
            self._producer.flush(timeout)
        pending, self._pending = self._pending, []
        failures = [f for f in pending if f.failed() or not f.is_done]
        if failures:
            first = failures[0]
            reason = first.exception if first.is_done else "no confirmation in time"
            raise PublishFailed(
                f"{len(failures)} of {len(pending)} messages were not confirmed by the broker"
                f" (first: {reason}); publish the same events again: they keep their ids, so"
                " those already recorded are not counted twice"
            )

    def close(self) -> None:
        self._producer.close()

    def __enter__(self) -> EventPublisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
