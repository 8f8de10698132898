"""Consumer positions, stored in the append transaction: what was processed is never redone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledger.dedupe import Item

Partition = tuple[str, int]


def skip_processed(
    cur: Any,
    q: str,
    consumer: str | None,
    batch: Sequence[Item],
    planned: Mapping[Partition, int] | None = None,
) -> tuple[list[int], dict[Partition, int]]:
    """Indices of the items above the consumer's stored offsets (or the ``planned`` ones of
    batches not committed yet, when higher), and the highest offsets reached."""
    if not consumer or not any(origin for _, origin in batch):
        return list(range(len(batch))), {}
    known = stored_positions(cur, q, consumer)
    for key, offset in (planned or {}).items():
        known[key] = max(offset, known.get(key, -1))
    return unprocessed(batch, known)


def stored_positions(cur: Any, q: str, consumer: str) -> dict[Partition, int]:
    """(topic, partition) -> last offset the consumer has stored."""
    cur.execute(
        f"SELECT topic, partition, last_offset FROM {q}positions WHERE consumer = %s", (consumer,)
    )
    return {(t, p): o for t, p, o in cur.fetchall()}


def unprocessed(
    batch: Sequence[Item], known: Mapping[Partition, int]
) -> tuple[list[int], dict[Partition, int]]:
    """Indices of the items above the ``known`` offsets, and the highest offsets reached."""
    kept: list[int] = []
    reached: dict[Partition, int] = {}
    for index, (_, origin) in enumerate(batch):
        if origin is not None:
            key = (origin.topic, origin.partition)
            if origin.offset <= known.get(key, -1):
                continue
            reached[key] = max(origin.offset, reached.get(key, -1))
        kept.append(index)
    return kept, reached


def store_positions(
    cur: Any, q: str, consumer: str, reached: dict[Partition, int], last_sequence: int
) -> None:
    """Upsert the offsets reached; a position only ever moves forward."""
    if not reached:
        return
    topics, partitions, offsets = zip(*((t, p, o) for (t, p), o in reached.items()), strict=True)
    cur.execute(
        f"INSERT INTO {q}positions (consumer, topic, partition, last_offset, last_sequence) "
        "SELECT %s, r.*, %s FROM unnest(%s::text[], %s::int[], %s::bigint[]) AS r "
        "ON CONFLICT (consumer, topic, partition) DO UPDATE SET "
        "last_offset = GREATEST(positions.last_offset, EXCLUDED.last_offset), "
        "last_sequence = EXCLUDED.last_sequence, updated_at = now()",
        (consumer, last_sequence, list(topics), list(partitions), list(offsets)),
    )


def read_positions(conn: Any, schema: str, consumer: str) -> dict[Partition, int]:
    """A consumer's stored positions: (topic, partition) -> last processed offset."""
    with conn.cursor() as cur:
        return stored_positions(cur, f'"{schema}".', consumer)
