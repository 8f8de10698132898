"""Reading events back from Kafka (for the demo and for operators checking a topic)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from schemas.envelope import Event
from schemas.registry import parse_event


def read_back(
    bootstrap_servers: str, topics: list[str], wanted: set[str], timeout: float = 20.0
) -> Iterator[tuple[str, int, int, Event]]:
    """Yield (topic, partition, offset, event) for each wanted event id found on the topics."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        remaining = set(wanted)
        deadline = time.monotonic() + timeout
        while remaining and time.monotonic() < deadline:
            for tp, messages in consumer.poll(timeout_ms=500, max_records=10_000).items():
                for message in messages:
                    event = parse_event(message.value, record=f"{tp.topic}@{message.offset}")
                    if str(event.event_id) in remaining:
                        remaining.discard(str(event.event_id))
                        yield tp.topic, tp.partition, message.offset, event
    finally:
        consumer.close()
