"""DeadLetterRecorder: a ledger projector that writes a batch's dead letters in its append.

The ledger stores the batch's Kafka positions in the same transaction, so a record is never
counted as processed while its dead letter is missing. Conflicts (an id the ledger holds with
other content) are found here too, inside that transaction, with the ledger's own comparison.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ledger.dedupe import sort_batch
from ledger.records import StoredEvent
from schemas.envelope import Event
from streams.deadletter_store import insert_letters
from streams.deadletters import DeadLetter
from streams.records import RawRecord


@dataclass
class Staged:
    """What one append carries besides its events: the invalid records and the candidates."""

    letters: list[DeadLetter]
    accepted: list[tuple[RawRecord, Event]]
    #: Filled during the append: the conflicts found, as dead letters.
    conflicts: list[DeadLetter] = field(default_factory=list)


class DeadLetterRecorder:
    """Register it on the worker's Ledger; wrap each append in :meth:`staging`."""

    name = "streams.deadletters"

    def __init__(self, schema: str, consumer: str, worker: str) -> None:
        self.schema = schema
        self.consumer = consumer
        self.worker = worker
        # Appends run in the worker's executor thread; other appends through the same Ledger
        # (none staged) are left alone.
        self._local = threading.local()

    @contextmanager
    def staging(
        self, letters: list[DeadLetter], accepted: list[tuple[RawRecord, Event]]
    ) -> Iterator[Staged]:
        """Stage one batch's dead letters and candidates for the next append in this thread."""
        staged = Staged(letters, accepted)
        self._local.staged = staged
        try:
            yield staged
        finally:
            self._local.staged = None

    def project(self, conn: Any, batch: Sequence[StoredEvent]) -> None:
        staged: Staged | None = getattr(self._local, "staged", None)
        if staged is None:
            return
        stored_now = {(o.topic, o.partition, o.offset) for s in batch if (o := s.origin)}
        staged.conflicts = self._conflicts(conn, staged.accepted, stored_now)
        with conn.cursor() as cur:
            insert_letters(
                cur, self.schema, [*staged.letters, *staged.conflicts], self.consumer, self.worker
            )

    def _conflicts(
        self,
        conn: Any,
        accepted: list[tuple[RawRecord, Event]],
        stored_now: set[tuple[str, int, int]],
    ) -> list[DeadLetter]:
        """Candidates not stored by this append whose id the ledger holds with other bytes."""
        rest = [(r, e) for r, e in accepted if (r.topic, r.partition, r.offset) not in stored_now]
        if not rest:
            return []
        with conn.cursor() as cur:
            cur.execute(
                f'SELECT event_id, sequence, payload FROM "{self.schema}".events '
                "WHERE event_id = ANY(%s::uuid[])",
                (sorted({str(e.event_id) for _, e in rest}),),
            )
            known = {UUID(str(i)): (int(s), p.encode()) for i, s, p in cur.fetchall()}
        by_origin = {r.origin: r for r, _ in rest}
        # Ids the ledger does not hold at all cannot conflict; sort_batch calls them new.
        outcome = sort_batch([(e, r.origin) for r, e in rest], known, lambda i: 0)
        return [
            DeadLetter.conflict(by_origin[c.origin], c)
            for c in outcome.conflicts
            if c.origin is not None
        ]
