"""Sort a batch into new events, replays (already recorded) and conflicts, by event id.

An id seen before — stored earlier, or earlier in the same batch — is a replay when its
canonical bytes are identical and a conflict otherwise; only new ids go on to be appended.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from ledger.errors import DuplicateEventConflict
from ledger.records import KafkaOrigin
from schemas.canonical import canonical_json
from schemas.envelope import Event

Item = tuple[Event, KafkaOrigin | None]


@dataclass
class Sorted:
    """The outcome of sorting one batch."""

    new: list[Item] = field(default_factory=list)
    #: Where each new item stood in the sorted batch.
    new_index: list[int] = field(default_factory=list)
    #: Canonical bytes already computed while comparing (index into ``new`` -> bytes).
    payloads: dict[int, bytes] = field(default_factory=dict)
    already_recorded: list[UUID] = field(default_factory=list)
    conflicts: list[DuplicateEventConflict] = field(default_factory=list)


def _digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def sort_batch(
    items: Sequence[Item],
    stored: Mapping[UUID, tuple[int, bytes]],
    next_sequence: Callable[[int], int],
    payloads: Sequence[bytes | None] | None = None,
) -> Sorted:
    """Sort ``items``; ``stored`` maps ids already in the ledger to (sequence, payload).

    ``next_sequence(i)`` is the sequence the i-th new event will get (for conflicts that
    collide with an event earlier in this same batch); ``payloads`` are the items' canonical
    bytes where already known (see ``ledger.prepare``; None where not).
    """
    out = Sorted()

    def payload(i: int) -> bytes:
        known = payloads[i] if payloads is not None else None
        return known if known is not None else canonical_json(items[i][0])

    # Keyed by the uuid's integer: hashing a UUID object runs Python code, an int does not.
    known_ids = {key.int: value for key, value in stored.items()}
    first_in_batch: dict[int, int] = {}
    for position, (event, origin) in enumerate(items):
        event_id, key = event.event_id, event.event_id.int
        if key in known_ids:
            sequence, known = known_ids[key]
        elif key in first_in_batch:
            index = first_in_batch[key]
            if index not in out.payloads:
                out.payloads[index] = payload(out.new_index[index])
            sequence, known = next_sequence(index), out.payloads[index]
        else:
            first_in_batch[key] = len(out.new)
            out.new.append((event, origin))
            out.new_index.append(position)
            continue
        incoming = payload(position)
        if incoming == known:
            out.already_recorded.append(event_id)
        else:
            out.conflicts.append(
                DuplicateEventConflict(
                    event_id, event.event_type, sequence, _digest(known), _digest(incoming), origin
                )
            )
    if payloads is not None:
        given = ((k, payloads[i]) for k, i in enumerate(out.new_index))
        out.payloads.update((k, p) for k, p in given if p is not None)
    return out
