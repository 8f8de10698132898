"""Checkpoints: the last offset per partition whose after-commit effects were all published.

The ledger stores its positions inside the append; dead-letter messages and implied events
are published after that commit. A worker resumes from the checkpoint, so a crash in between
makes it read those records again: the ledger skips them, the effects are published again
with the same ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Positions = dict[tuple[str, int], int]


def read_checkpoints(conn: Any, schema: str, consumer: str) -> Positions:
    """(topic, partition) -> last offset whose effects were published, for one consumer."""
    with conn.cursor() as cur:
        cur.execute(
            f'SELECT topic, partition, last_offset FROM "{schema}".stream_checkpoints '
            "WHERE consumer = %s",
            (consumer,),
        )
        return {(t, p): o for t, p, o in cur.fetchall()}


def advance_checkpoints(
    conn: Any, schema: str, consumer: str, reached: Mapping[tuple[str, int], int]
) -> None:
    """Move checkpoints forward (never back, whichever worker commits last) and commit."""
    if not reached:
        return
    topics, partitions, offsets = zip(*((t, p, o) for (t, p), o in reached.items()), strict=True)
    with conn.cursor() as cur:
        cur.execute(
            f'INSERT INTO "{schema}".stream_checkpoints AS c (consumer, topic, partition, '
            "last_offset) SELECT %s, * FROM unnest(%s::text[], %s::int[], %s::bigint[]) "
            "ON CONFLICT (consumer, topic, partition) DO UPDATE SET "
            "last_offset = GREATEST(c.last_offset, EXCLUDED.last_offset), updated_at = now()",
            (consumer, list(topics), list(partitions), list(offsets)),
        )
    conn.commit()


def resume_offsets(ledger_positions: Positions, checkpoints: Positions) -> Positions:
    """The next offset to read per partition: after the checkpoint, else after the ledger's.

    A checkpoint behind the ledger's position means the effects of that stretch may not have
    been published yet, so it is read again (the ledger skips what it holds).
    """
    resume = {tp: offset + 1 for tp, offset in ledger_positions.items()}
    resume.update({tp: offset + 1 for tp, offset in checkpoints.items()})
    return resume
