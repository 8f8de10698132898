"""The event store hash chain: each hash covers the previous hash and the canonical event."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = bytes(32)


def link(previous_hash: bytes, canonical_event: bytes) -> bytes:
    """The chain hash of an event: SHA-256(previous_hash || canonical_event)."""
    return hashlib.sha256(previous_hash + canonical_event).digest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first stored event whose hash does not match the one recomputed from the chain."""

    sequence: int
    event_id: str
    expected: str
    found: str
    #: ``hash`` (a hash or link differs) or ``gap`` (``expected`` is the missing sequence).
    kind: str = "hash"

    def __str__(self) -> str:
        if self.kind == "gap":
            return (
                f"hash chain broken at event sequence {self.sequence} (id {self.event_id}): "
                f"sequence {self.expected} is missing; an event was removed or its sequence "
                "was altered"
            )
        return (
            f"hash chain broken at event sequence {self.sequence} (id {self.event_id}): "
            f"recomputed hash {self.expected} but stored hash {self.found}; this event, "
            "or the one before it, was altered, removed or reordered"
        )


def verify_chain(
    rows: Iterable[tuple[int, str, bytes, bytes]], start_previous: bytes = GENESIS
) -> ChainBreak | None:
    """Recompute the chain over (sequence, event_id, canonical, stored hash) rows in order.

    Returns the first row whose stored hash differs, or None when every row matches.
    """
    sha = hashlib.sha256
    previous = start_previous
    for sequence, event_id, canonical, stored in rows:
        expected = sha(previous + canonical).digest()
        # psycopg2 returns memoryviews, which never compare equal to bytes.
        if expected != stored and expected != bytes(stored):
            return ChainBreak(sequence, event_id, expected.hex(), bytes(stored).hex())
        previous = expected
    return None
