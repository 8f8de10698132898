"""What goes into the ledger and what comes back: origins, stored events, append results."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID

from ledger.errors import DuplicateEventConflict
from schemas.envelope import Event


class KafkaOrigin(NamedTuple):
    """Where a consumed event came from: its topic, partition and offset. (Named tuples
    here and for Incoming: built for every consumed record, at half a dataclass's cost.)"""

    topic: str
    partition: int
    offset: int

    def __str__(self) -> str:
        return f"{self.topic}[{self.partition}]@{self.offset}"


class Incoming(NamedTuple):
    """An event to append, with the Kafka record it was consumed from (if any)."""

    event: Event
    origin: KafkaOrigin | None = None


class NumberedEvent(NamedTuple):
    """An event and the sequence it has in the ledger: all a projector reads of it (a
    ``StoredEvent`` is one too, with its bytes and hashes besides)."""

    sequence: int
    event: Event


class StoredEvent(NamedTuple):
    """An event as recorded: its place in the chain and the exact bytes that were hashed."""

    sequence: int
    event: Event
    payload: bytes
    prev_hash: bytes
    hash: bytes
    business_date: date
    origin: KafkaOrigin | None = None

    @property
    def event_id(self) -> UUID:
        return self.event.event_id

    @property
    def event_type(self) -> str:
        return self.event.event_type

    @property
    def recorded_at(self) -> datetime:
        return self.event.recorded_at


class Posting(NamedTuple):
    """One line of a journal entry, with the account's running balance around it."""

    sequence: int
    n: int
    account: str
    asset: str
    amount: int
    balance_before: int
    balance_after: int
    business_date: date


@dataclass(frozen=True)
class AppendResult:
    """The outcome of one append: what was written, what was already there, what was refused."""

    appended: tuple[StoredEvent, ...] = ()
    #: Ids already recorded with identical content (a replay or redelivery): a no-op.
    already_recorded: tuple[UUID, ...] = ()
    #: Same id, different content: refused and reported; the rest of the batch proceeded.
    conflicts: tuple[DuplicateEventConflict, ...] = ()
    #: Items at or below the consumer's stored Kafka position (already processed).
    skipped: int = 0

    @property
    def first_sequence(self) -> int | None:
        return self.appended[0].sequence if self.appended else None

    @property
    def last_sequence(self) -> int | None:
        return self.appended[-1].sequence if self.appended else None

    @property
    def size(self) -> int:
        """How many items the batch held: each is appended, recorded, a conflict or skipped."""
        return len(self.appended) + len(self.already_recorded) + len(self.conflicts) + self.skipped

    def summary(self) -> str:
        """One line for logs and the CLI."""
        return (
            f"appended {len(self.appended)}, already recorded {len(self.already_recorded)}, "
            f"conflicts {len(self.conflicts)}, skipped (at or below position) {self.skipped}"
        )


#: Work of a batch's own inside its transaction: (psycopg2 connection, the batch's result).
InTransaction = Callable[[Any, AppendResult], None]


@dataclass(frozen=True)
class Batch:
    """A batch for ``Ledger.append_all`` that brings work of its own.

    ``also`` runs inside the batch's transaction, after its rows and projectors, with the
    connection and the batch's result (e.g. a stream worker's dead letters, so a record is
    never counted processed without them); an exception rolls the batch back. ``settled`` is
    called from the writer thread with the result once the transaction is committed, or with
    the error that stopped the batch (the batches after it are not written). It must not raise.
    """

    items: Iterable[Event | Incoming]
    also: InTransaction | None = None
    settled: Callable[[AppendResult | BaseException], None] | None = None
    #: The items' canonical bytes where the caller holds them already, None where not (a
    #: replay from the store reads the very bytes the ledger hashed and stored).
    payloads: Sequence[bytes | None] | None = None
