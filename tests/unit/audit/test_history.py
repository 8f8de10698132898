"""Ordering Kafka records for a replay: the live ledger's order, or merged by recorded_at."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from ledger.audit.history import KafkaRecord, in_live_order, merged


def _record(topic: str, partition: int, offset: int, recorded: str | None) -> KafkaRecord:
    body = {"recorded_at": recorded, "n": f"{topic}{partition}@{offset}"} if recorded else {}
    return KafkaRecord(topic, partition, offset, orjson.dumps(body) if recorded else b"garbage")


def _labels(records: object) -> list[str]:
    return [r.label for r in records]  # type: ignore[attr-defined]


PARTITIONS = [
    [
        _record("a", 0, 0, "2025-01-02T00:00:00Z"),
        _record("a", 0, 1, "2025-01-01T00:00:00Z"),
        _record("a", 0, 2, "2025-01-05T00:00:00Z"),
    ],
    [
        _record("b", 1, 0, "2025-01-03T00:00:00Z"),
        _record("b", 1, 1, None),
        _record("b", 1, 2, "2025-01-04T00:00:00+07:00"),
    ],
]


def test_partitions_merge_by_recorded_at_without_reordering_a_partition() -> None:
    assert _labels(merged(PARTITIONS)) == [
        "a[0]@0",
        "a[0]@1",
        "b[1]@0",
        "b[1]@1",
        "b[1]@2",
        "a[0]@2",
    ]


def test_merging_is_the_same_whatever_order_the_partitions_come_in() -> None:
    assert _labels(merged(PARTITIONS[::-1])) == _labels(merged(PARTITIONS))


def test_until_leaves_out_later_events_but_keeps_unreadable_records_to_refuse_them() -> None:
    until = datetime(2025, 1, 3, tzinfo=UTC)
    assert _labels(merged(PARTITIONS, until)) == ["a[0]@0", "a[0]@1", "b[1]@1"]


def test_records_the_live_ledger_stored_come_in_its_order_then_the_rest() -> None:
    origins = {("b", 1, 0): 1, ("a", 0, 0): 2, ("a", 0, 2): 3}
    assert _labels(in_live_order(PARTITIONS, origins)) == [
        "b[1]@0",
        "a[0]@0",
        "a[0]@2",
        "b[1]@1",
        "a[0]@1",
        "b[1]@2",
    ]
