"""Recompute the stored hash chain and report the first row that does not match.

One global chain per schema, in sequence order, starting from 32 zero bytes (``GENESIS``):
``hash = sha256(prev_hash || payload)`` where ``payload`` is the event's canonical JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Engine

from ledger.audit.chain import GENESIS, ChainBreak, link
from ledger.storage import raw_connection


def _rows(conn: Any, schema: str, after_sequence: int) -> Iterator[tuple[Any, ...]]:
    with conn.cursor(name="aidledger_chain") as cur:
        cur.itersize = 20_000
        cur.execute(
            f'SELECT sequence, event_id::text, payload, prev_hash, hash FROM "{schema}".events '
            "WHERE sequence > %s ORDER BY sequence",
            (after_sequence,),
        )
        yield from cur


def verify_chain(
    engine: Engine, schema: str = "ledger", after_sequence: int = 0, start_hash: bytes = GENESIS
) -> ChainBreak | None:
    """The first event whose stored hash (or previous hash) differs from the recomputed one,
    or that does not follow the sequence before it (a gap).

    ``after_sequence`` / ``start_hash`` resume from a trusted checkpoint; None means intact.
    """
    with raw_connection(engine) as conn:
        previous, expected_sequence = start_hash, after_sequence + 1
        for sequence, event_id, payload, stored_prev, stored in _rows(conn, schema, after_sequence):
            if sequence != expected_sequence:
                return ChainBreak(sequence, event_id, str(expected_sequence), str(sequence), "gap")
            if bytes(stored_prev) != previous:
                return ChainBreak(sequence, event_id, previous.hex(), bytes(stored_prev).hex())
            expected = link(previous, payload.encode())
            if expected != bytes(stored):
                return ChainBreak(sequence, event_id, expected.hex(), bytes(stored).hex())
            previous, expected_sequence = expected, sequence + 1
        conn.rollback()
    return None
