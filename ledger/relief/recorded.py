"""Which of a list's events the ledger already holds: identical (a re-import) or different
(a changed row: a conflict to resolve, never silently applied)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from ledger.relief.sql import events_table
from schemas.canonical import canonical_json
from schemas.envelope import Event


@dataclass
class RecordedCheck:
    """Events split by what the ledger holds under their ids."""

    new: list[Event] = field(default_factory=list)
    already_recorded: list[Event] = field(default_factory=list)
    conflicts: list[tuple[Event, int]] = field(default_factory=list)


def check_recorded(
    conn: Connection, events: Sequence[Event], schema: str = "ledger"
) -> RecordedCheck:
    """Compare each event's canonical bytes with the payload stored under its id (if any)."""
    stored: dict[str, tuple[int, bytes]] = {}
    ids = [str(e.event_id) for e in events]
    for chunk in range(0, len(ids), 20_000):
        rows = conn.execute(
            text(
                f"SELECT event_id::text, sequence, payload FROM {events_table(schema)}"
                " WHERE event_id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"ids": ids[chunk : chunk + 20_000]},
        )
        stored.update({r[0]: (int(r[1]), r[2].encode()) for r in rows})
    result = RecordedCheck()
    for event in events:
        known = stored.get(str(event.event_id))
        if known is None:
            result.new.append(event)
        elif known[1] == canonical_json(event):
            result.already_recorded.append(event)
        else:
            result.conflicts.append((event, known[0]))
    return result
