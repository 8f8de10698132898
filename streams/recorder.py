"""A stream batch's dead letters, written inside the batch's ledger append.

The ledger stores the batch's Kafka positions in the same transaction, so a record is never
counted as processed while its dead letter is missing. Conflicts (an id the ledger holds with
other content) are named by the append's own result and dead-lettered in that transaction too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.records import AppendResult
from streams.deadletter_store import insert_letters, recorded_conflicts
from streams.deadletters import DeadLetter
from streams.intake import Intake


@dataclass
class BatchLetters:
    """One batch's dead letters: its invalid records, then the conflicts its append found.

    ``write`` is the batch's in-transaction work (``ledger.records.Batch.also``).
    """

    schema: str
    consumer: str
    worker: str
    intake: Intake
    #: Filled by the append: the conflicts it found, as dead letters.
    conflicts: list[DeadLetter] = field(default_factory=list)
    #: Filled by the append of a batch read again: the conflicts found when its records were
    #: first processed (the ledger skips those records now), to be published again.
    repeated: list[DeadLetter] = field(default_factory=list)

    @property
    def letters(self) -> tuple[DeadLetter, ...]:
        return (*self.intake.letters, *self.conflicts, *self.repeated)

    @property
    def refused(self) -> tuple[DeadLetter, ...]:
        """The accepted records the ledger refused: conflicts, found now or before."""
        return (*self.conflicts, *self.repeated)

    def write(self, conn: Any, result: AppendResult) -> None:
        self.conflicts = []
        self.repeated = []
        if result.conflicts:  # rare: look the records up only then (this runs under the lock)
            by_origin = {record.origin: record for record, _ in self.intake.accepted}
            self.conflicts = [
                DeadLetter.conflict(by_origin[c.origin], c)
                for c in result.conflicts
                if c.origin in by_origin
            ]
        with conn.cursor() as cur:
            if result.skipped:  # rare: a batch read again after a crash or a rebalance
                found = {d.deadletter_id for d in self.conflicts}
                self.repeated = [
                    d
                    for d in recorded_conflicts(
                        cur, self.schema, [record for record, _ in self.intake.accepted]
                    )
                    if d.deadletter_id not in found
                ]
            insert_letters(cur, self.schema, self.letters, self.consumer, self.worker)
