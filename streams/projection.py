"""The ledger projection: batches of records -> ledger appends (blocking; run in a thread).

Valid events are appended with their Kafka origins under the consumer group's name, so the
ledger stores the positions in the same transaction; the batch's dead letters are written in
that transaction too (streams.recorder.BatchLetters).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from ledger import AppendResult, Batch, Ledger
from ledger.gc_pause import gc_paused
from ledger.storage import raw_connection
from schemas.envelope import Event
from streams.checkpoints import Positions, advance_checkpoints, read_checkpoints, resume_offsets
from streams.deadletters import DeadLetter
from streams.intake import triage
from streams.recorder import BatchLetters
from streams.records import RawRecord

log = logging.getLogger("aidledger.streams")

#: Told of each batch's outcome once it is committed, or of the error that stopped it.
Settled = Callable[["BatchOutcome | BaseException"], None]


@dataclass(frozen=True)
class BatchOutcome:
    """What one batch did: the ledger's result, its dead letters, and how far it reached."""

    result: AppendResult
    accepted: tuple[tuple[RawRecord, Event], ...]
    letters: tuple[DeadLetter, ...]
    #: (topic, partition) -> highest offset of the batch (its after-commit checkpoint).
    reached: Positions


class LedgerProjection:
    """Appends batches of records to a Ledger, with their dead letters and positions."""

    def __init__(self, ledger: Ledger, consumer: str, prefix: str = "", worker: str = "") -> None:
        self.ledger = ledger
        self.consumer = consumer
        self.prefix = prefix
        self.worker = worker

    def _letters(self, records: Sequence[RawRecord]) -> BatchLetters:
        with gc_paused():
            intake = triage(records, self.prefix)
        return BatchLetters(self.ledger.schema, self.consumer, self.worker, intake)

    def process(self, records: Sequence[RawRecord]) -> BatchOutcome:
        """Validate and append one batch in one transaction; returns what happened."""
        letters = self._letters(records)
        result = self.ledger.append(letters.intake.incoming(), self.consumer, letters.write)
        return _outcome(records, letters, result)

    def process_all(self, batches: Iterable[Sequence[RawRecord]], settled: Settled) -> None:
        """Validate and append batches in order, one transaction each, each validated and
        planned while the one before is written (``Ledger.append_all``). ``settled`` hears
        of every batch; an error stops the run and is raised (after ``settled`` heard it when
        it was the writing of a batch that failed)."""
        staged = self._staged(batches, settled)
        # Outcomes reach ``settled`` as each batch commits; the results are not needed here.
        deque(self.ledger.append_all(staged, self.consumer, long_running=True), maxlen=0)

    def _staged(self, batches: Iterable[Sequence[RawRecord]], settled: Settled) -> Iterator[Batch]:
        for records in batches:
            letters = self._letters(records)
            done = partial(_settle, settled, records, letters)
            yield Batch(letters.intake.incoming(), letters.write, done)

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


def _settle(
    settled: Settled,
    records: Sequence[RawRecord],
    letters: BatchLetters,
    result: AppendResult | BaseException,
) -> None:
    settled(result if isinstance(result, BaseException) else _outcome(records, letters, result))


def _outcome(
    records: Sequence[RawRecord], letters: BatchLetters, result: AppendResult
) -> BatchOutcome:
    if len(letters.conflicts) != len(result.conflicts):
        log.warning(
            "the ledger reported %d conflicts, %d were dead-lettered",
            len(result.conflicts),
            len(letters.conflicts),
        )
    accepted = tuple(letters.intake.accepted)
    if letters.refused:
        refused = {id(letter.record) for letter in letters.refused}
        accepted = tuple((r, e) for r, e in accepted if id(r) not in refused)
    reached: Positions = {}
    for record in records:
        key = (record.topic, record.partition)
        reached[key] = max(reached.get(key, -1), record.offset)
    return BatchOutcome(result, accepted, letters.letters, reached)
