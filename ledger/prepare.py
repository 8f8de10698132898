"""Work an append can do before it takes the chain lock: canonical bytes and journal entries.

``Ledger.prepare(items)`` returns a Prepared batch; ``Ledger.append(prepared)`` then skips
that work. A consumer can prepare its next batch in a thread while the current one is being
appended (the append mostly waits for the server), and concurrent appenders hold the lock
for less time.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ledger.dedupe import Item
from ledger.posting_rules import Entry, entry_for
from ledger.records import Incoming
from schemas.canonical import canonical_json
from schemas.envelope import Event
from schemas.nul import refuse_nul

_BYTES_HEADER = sys.getsizeof(b"")


def exact(payload: bytes) -> bytes:
    """The payload in an object of exactly its size: orjson's bytes each keep a 4 KiB buffer,
    and stored events outlive the append in its result (pydantic-core's are already exact)."""
    if sys.getsizeof(payload) - len(payload) <= _BYTES_HEADER:
        return payload
    return bytes(memoryview(payload))


def items_of(batch: Iterable[Event | Incoming]) -> list[Item]:
    """(event, origin) pairs of events or Incoming items."""
    # An Incoming is already an (event, origin) pair: a named tuple.
    return [i if isinstance(i, Incoming) else (i, None) for i in batch]


@dataclass(frozen=True)
class Prepared:
    """A batch with its canonical payloads and journal entries already computed."""

    items: tuple[Item, ...]
    payloads: tuple[bytes, ...]
    entries: tuple[Entry, ...]


def prepare(batch: Iterable[Event | Incoming]) -> Prepared:
    """Compute what does not depend on the ledger's state (NoPostingRule if a type has none;
    InvalidEvent if an event's text holds U+0000, which PostgreSQL cannot store)."""
    return prepare_items(items_of(batch))


def prepare_items(items: list[Item], known: Sequence[bytes | None] | None = None) -> Prepared:
    """``prepare`` of (event, origin) pairs; ``known``: their canonical bytes where the caller
    holds them already (``Batch.payloads``), None where not."""
    given = known or [None] * len(items)
    payloads = tuple(
        exact(canonical_json(event)) if payload is None else payload
        for (event, _), payload in zip(items, given, strict=True)
    )
    refuse_unstorable(items, payloads)
    return Prepared(tuple(items), payloads, tuple(entry_for(event) for event, _ in items))


def refuse_unstorable(items: Sequence[Item], payloads: Sequence[bytes]) -> None:
    """Raise InvalidEvent for the first event whose text holds U+0000 (NUL): PostgreSQL
    stores no NUL in text, nor reads one back from a payload as jsonb. One scan per payload."""
    for (event, _), payload in zip(items, payloads, strict=True):
        refuse_nul(payload, f"event {event.event_id} ({event.event_type})")
