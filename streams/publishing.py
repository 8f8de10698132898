"""Publishing a batch's effects (dead letters, implied events) and waiting for every ack."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from connectors.topics import topic_name
from schemas.canonical import canonical_json
from schemas.envelope import Event
from schemas.registry import TOPIC_DEADLETTER, topic_for
from streams.deadletters import KEY_MAX_BYTES, DeadLetter


@dataclass(frozen=True, slots=True)
class OutMessage:
    """One message to publish: a real (prefixed) topic, a key and the value bytes."""

    topic: str
    key: bytes | None
    value: bytes


class Publisher(Protocol):
    async def publish(self, messages: Sequence[OutMessage]) -> None:
        """Send all, return once the broker acknowledged every one (raise otherwise)."""


class FaustPublisher:
    """Publishes with the Faust app's producer (acks from all in-sync replicas)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def publish(self, messages: Sequence[OutMessage]) -> None:
        producer = self.app.producer
        pending = [await producer.send(m.topic, m.key, m.value, None, None, None) for m in messages]
        if pending:
            await asyncio.gather(*pending)


def deadletter_messages(
    letters: Iterable[DeadLetter], prefix: str, consumer: str, worker: str
) -> list[OutMessage]:
    """Messages for ``aid.deadletter``, keyed like the original so one subject's stay together."""
    topic = topic_name(TOPIC_DEADLETTER, prefix)
    return [
        OutMessage(
            topic,
            d.record.key
            if d.record.key and len(d.record.key) <= KEY_MAX_BYTES
            else str(d.deadletter_id).encode(),
            d.message_bytes(consumer, worker),
        )
        for d in letters
    ]


def event_messages(events: Iterable[Event], prefix: str) -> list[OutMessage]:
    """Messages for events: their family topic, keyed by subject, canonical JSON."""
    return [
        OutMessage(topic_name(topic_for(e), prefix), e.subject.encode(), canonical_json(e))
        for e in events
    ]
