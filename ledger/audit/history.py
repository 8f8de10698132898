"""Where a replay reads the history: the event store in sequence order, or Kafka's topics.

Both yield ``Record``s: the exact bytes, where they came from, and a label for messages.
Kafka gives order only within a partition. When the live ledger still holds the records'
origins, records are put in the order it applied them (``in_live_order``: the replay can then
be compared row by row); otherwise partitions are merged by the events' ``recorded_at`` (then
topic, partition, offset): deterministic, and each partition's (each subject's) order is kept.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from psycopg2.extensions import BYTES, register_type

from ledger.audit.db import Database, checked_name, session
from ledger.audit.errors import AuditUnavailable
from ledger.records import KafkaOrigin


class Record(NamedTuple):
    """One event as history holds it."""

    payload: bytes
    origin: KafkaOrigin | None
    label: str
    #: ``payload`` is what the ledger stored and hashed (the event store), not a message as
    #: a producer wrote it: a replay keeps these bytes for an event of its current version.
    stored: bool = False


class StoreRange(NamedTuple):
    """The stored events a store replay reads: those of ``schema`` recorded before ``until``
    (all when None), up to sequence ``through``; ``total`` of them. Fixed before the replay
    starts, so whoever reads the range later reads the same events, whatever was appended
    to the live ledger meanwhile."""

    schema: str
    until: datetime | None
    total: int
    through: int


def store_range(db: Database, schema: str, until: datetime | None = None) -> StoreRange:
    """The range of stored events a store replay reads now."""
    with session(db) as conn, conn.cursor() as cur:
        cur.execute(
            f'SELECT count(*), coalesce(max(sequence), 0) FROM "{checked_name(schema)}".events '
            "WHERE %(until)s::timestamptz IS NULL OR recorded_at < %(until)s",
            {"until": until},
        )
        count, through = cur.fetchone()
        return StoreRange(schema, until, int(count), int(through))


def from_store(
    db: Database, schema: str, until: datetime | None = None, through: int | None = None
) -> Iterator[Record]:
    """Stored events in sequence order (those recorded before ``until`` when given, and up to
    sequence ``through`` when given)."""
    with session(db) as conn, conn.cursor(name="aidledger_replay") as cur:
        cur.itersize = 20_000
        register_type(BYTES, cur)  # text columns as bytes: the payload is not decoded
        cur.execute(
            "SELECT sequence, payload, kafka_topic, kafka_partition, kafka_offset "
            f'FROM "{checked_name(schema)}".events '
            "WHERE (%(until)s::timestamptz IS NULL OR recorded_at < %(until)s) "
            "AND (%(through)s::bigint IS NULL OR sequence <= %(through)s) ORDER BY sequence",
            {"until": until, "through": through},
        )
        for seq, payload, topic, partition, offset in cur:
            origin = KafkaOrigin(topic.decode(), partition, offset) if topic is not None else None
            yield Record(payload, origin, f"stored event {seq}", True)


def from_range(db: Database, stored: StoreRange) -> Iterator[Record]:
    """``from_store`` of a fixed range."""
    return from_store(db, stored.schema, stored.until, stored.through)


class KafkaRecord(NamedTuple):
    topic: str
    partition: int
    offset: int
    value: bytes


def merged(
    partitions: Iterable[list[KafkaRecord]], until: datetime | None = None
) -> Iterator[Record]:
    """Merge partitions by recorded_at, keeping each partition's order; unreadable first."""
    streams = [
        [(_recorded_at(r.value), r.topic, r.partition, r.offset, r.value) for r in part]
        for part in partitions
    ]
    for at, topic, partition, offset, value in heapq.merge(*streams):
        if until is not None and at is not None and at >= until:
            continue
        yield Record(value, KafkaOrigin(topic, partition, offset), f"{topic}[{partition}]@{offset}")


def live_origins(db: Database, schema: str) -> dict[tuple[str, int, int], int]:
    """(topic, partition, offset) -> sequence of every stored event that came from Kafka."""
    with session(db) as conn, conn.cursor(name="aidledger_origins") as cur:
        cur.itersize = 100_000
        cur.execute(
            "SELECT kafka_topic, kafka_partition, kafka_offset, sequence "
            f'FROM "{checked_name(schema)}".events WHERE kafka_topic IS NOT NULL'
        )
        return {(t, p, o): s for t, p, o, s in cur}


def in_live_order(
    partitions: Iterable[list[KafkaRecord]],
    origins: dict[tuple[str, int, int], int],
    until: datetime | None = None,
) -> Iterator[Record]:
    """Records the live ledger stored, in its sequence order; then the others, merged."""
    stored: list[tuple[int, KafkaRecord]] = []
    others: list[list[KafkaRecord]] = []
    for part in partitions:
        rest = []
        for r in part:
            sequence = origins.get((r.topic, r.partition, r.offset))
            if sequence is None:
                rest.append(r)
            else:
                stored.append((sequence, r))
        others.append(rest)
    stored.sort(key=lambda pair: pair[0])
    for _, r in stored:
        at = _recorded_at(r.value)
        if until is None or at < until:
            yield Record(
                r.value,
                KafkaOrigin(r.topic, r.partition, r.offset),
                f"{r.topic}[{r.partition}]@{r.offset}",
            )
    yield from merged(others, until)


def _partitions(consumer: Any, topic: str, timeout: float) -> set[int]:
    """A topic's partitions; the first metadata answer may not know the topic yet."""
    import time

    deadline = time.monotonic() + min(timeout, 10.0)
    while True:
        consumer.topics()  # refreshes the cluster metadata
        found = consumer.partitions_for_topic(topic)
        if found:
            return set(found)
        if time.monotonic() > deadline:
            raise AuditUnavailable(f"Kafka does not know topic {topic}; check the topic prefix")
        time.sleep(0.2)


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _recorded_at(value: bytes) -> datetime:
    """The event's recorded_at, or the earliest time for a record that cannot be read (it is
    then refused by the replay with its reason, like the worker sends it to dead letters)."""
    try:
        raw: Any = orjson.loads(value)
        return datetime.fromisoformat(raw["recorded_at"]).astimezone(UTC)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return _EARLIEST


def read_topics(
    bootstrap_servers: str, topics: list[str], timeout: float = 60.0
) -> list[list[KafkaRecord]]:
    """Every record of ``topics`` from the first offset to the end seen at the start.

    The end of a partition is the larger of its end offset and the high watermark of the first
    fetch (the embedded development broker under-reports end offsets); records appended after
    that are not read.
    """
    import time

    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=8 << 20,
    )
    try:
        parts = [
            TopicPartition(t, p) for t in topics for p in sorted(_partitions(consumer, t, timeout))
        ]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends: dict[Any, int] = dict(consumer.end_offsets(parts))
        known: set[Any] = set()
        records: dict[Any, list[KafkaRecord]] = {tp: [] for tp in parts}
        waiting, deadline = set(parts), time.monotonic() + timeout
        while waiting:
            if time.monotonic() > deadline:
                raise AuditUnavailable(
                    f"Kafka delivered nothing for {timeout:.0f} s with {len(waiting)} partitions "
                    "not read to their end; is the broker up?"
                )
            for tp, messages in consumer.poll(timeout_ms=200, max_records=50_000).items():
                deadline = time.monotonic() + timeout
                records[tp] += [
                    KafkaRecord(tp.topic, tp.partition, m.offset, m.value) for m in messages
                ]
            for tp in list(waiting):
                watermark = consumer.highwater(tp)
                if watermark is not None and tp not in known:
                    known.add(tp)
                    ends[tp] = max(ends[tp], watermark)
                if tp in known and consumer.position(tp) >= ends[tp]:
                    waiting.discard(tp)
        return [[r for r in records[tp] if r.offset < ends[tp]] for tp in parts]
    finally:
        consumer.close()
