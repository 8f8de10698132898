"""The raw Kafka records a worker takes from the family topics, before any parsing."""

from __future__ import annotations

from typing import Any, NamedTuple

from ledger.records import KafkaOrigin


class RawRecord(NamedTuple):
    """One consumed record: where it sits in Kafka and its bytes, exactly as they arrived.
    (A named tuple: one is built per consumed record, at a third of a dataclass's cost.)"""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int | None = None

    @property
    def origin(self) -> KafkaOrigin:
        return KafkaOrigin(self.topic, self.partition, self.offset)

    @property
    def label(self) -> str:
        """How people refer to the record: ``topic[partition]@offset``."""
        return f"{self.topic}[{self.partition}]@{self.offset}"

    @classmethod
    def from_consumer_record(cls, record: Any) -> RawRecord:
        """From an aiokafka ``ConsumerRecord`` (a tombstone's value becomes empty bytes)."""
        return cls(
            record.topic,
            record.partition,
            record.offset,
            record.key,
            record.value if record.value is not None else b"",
            record.timestamp,
        )
