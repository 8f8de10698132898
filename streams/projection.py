"""The ledger projection: one batch of records -> one ledger append (blocking; run in a thread).

Valid events are appended with their Kafka origins under the consumer group's name, so the
ledger stores the positions in the same transaction; the batch's dead letters are written in
that transaction too (by the DeadLetterRecorder projector).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from ledger import AppendResult, Ledger
from ledger.storage import raw_connection
from schemas.envelope import Event
from streams.checkpoints import Positions, advance_checkpoints, read_checkpoints, resume_offsets
from streams.deadletters import DeadLetter
from streams.intake import triage
from streams.recorder import DeadLetterRecorder
from streams.records import RawRecord

log = logging.getLogger("aidledger.streams")


@dataclass(frozen=True)
class BatchOutcome:
    """What one batch did: the ledger's result, its dead letters, and how far it reached."""

    result: AppendResult
    accepted: tuple[tuple[RawRecord, Event], ...]
    letters: tuple[DeadLetter, ...]
    #: (topic, partition) -> highest offset of the batch (its after-commit checkpoint).
    reached: Positions


class LedgerProjection:
    """Appends batches to a Ledger whose projectors include this projection's recorder."""

    def __init__(
        self, ledger: Ledger, recorder: DeadLetterRecorder, consumer: str, prefix: str = ""
    ) -> None:
        if recorder not in ledger.projectors:
            raise ValueError("the ledger must be built with this projection's recorder")
        self.ledger = ledger
        self.recorder = recorder
        self.consumer = consumer
        self.prefix = prefix

    def process(self, records: Sequence[RawRecord]) -> BatchOutcome:
        """Validate and append one batch in one transaction; returns what happened."""
        intake = triage(records, self.prefix)
        with self.recorder.staging(intake.letters, intake.accepted) as staged:
            result = self.ledger.append(intake.incoming(), consumer=self.consumer)
        if len(staged.conflicts) != len(result.conflicts):
            log.warning(
                "the ledger reported %d conflicts, the recorder dead-lettered %d",
                len(result.conflicts),
                len(staged.conflicts),
            )
        accepted = tuple(intake.accepted)
        if staged.conflicts:
            refused = {id(letter.record) for letter in staged.conflicts}
            accepted = tuple((r, e) for r, e in accepted if id(r) not in refused)
        reached: Positions = {}
        for record in records:
            key = (record.topic, record.partition)
            reached[key] = max(reached.get(key, -1), record.offset)
        return BatchOutcome(result, accepted, (*intake.letters, *staged.conflicts), reached)

    def resume_offsets(self) -> Positions:
        """Next offset to read per partition, from the positions stored in PostgreSQL."""
        positions = self.ledger.positions(self.consumer)
        with raw_connection(self.ledger.engine) as conn:
            checkpoints = read_checkpoints(conn, self.ledger.schema, self.consumer)
        return resume_offsets(positions, checkpoints)

    def stored_positions(self) -> Positions:
        """Last offset settled per partition (in the ledger, or dead-lettered and published)."""
        positions = self.ledger.positions(self.consumer)
        with raw_connection(self.ledger.engine) as conn:
            checkpoints = read_checkpoints(conn, self.ledger.schema, self.consumer)
        return {
            tp: max(positions.get(tp, -1), checkpoints.get(tp, -1))
            for tp in positions.keys() | checkpoints.keys()
        }

    def checkpoint(self, reached: Positions) -> None:
        """Record that the effects of everything up to ``reached`` were published."""
        with raw_connection(self.ledger.engine) as conn:
            advance_checkpoints(conn, self.ledger.schema, self.consumer, reached)
