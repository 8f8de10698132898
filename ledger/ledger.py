"""The Ledger: the one way events get into the system of record, and how balances come out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from ledger import append as appending
from ledger import queries
from ledger.coverage import CoverageProjector
from ledger.gc_pause import gc_paused
from ledger.person_balances import PersonBalances
from ledger.pipelined import PipelinedAppender
from ledger.positions import read_positions
from ledger.prepare import Prepared, prepare
from ledger.projectors import Projector
from ledger.reading import stored_events
from ledger.records import AppendResult, Batch, Incoming, InTransaction, StoredEvent
from ledger.storage import checked_schema, raw_connection
from schemas.envelope import Event


class Ledger:
    """The append-only ledger in one PostgreSQL schema (see docs/ledger.md)."""

    def __init__(
        self,
        engine: Engine,
        schema: str = "ledger",
        projectors: Sequence[Projector] = (),
        *,
        coverage: bool = True,
    ) -> None:
        self.engine = engine
        self.schema = checked_schema(schema)
        #: The built-in coverage projector runs first, then the given ones, in order.
        #: ``coverage=False`` leaves it out: for a replay whose read models are all projected
        #: elsewhere (ledger.audit.read_models).
        builtin: tuple[Projector, ...] = (CoverageProjector(),) if coverage else ()
        self.projectors: tuple[Projector, ...] = (*builtin, *projectors)
        self._owns_engine = False

    def append(
        self,
        items: Iterable[Event | Incoming] | Prepared,
        consumer: str | None = None,
        also: InTransaction | None = None,
    ) -> AppendResult:
        """Append a batch in one transaction; with ``consumer``, also store its positions;
        ``also(conn, result)`` runs last in that transaction (see ledger.records.Batch)."""
        with gc_paused(), raw_connection(self.engine) as conn:
            return appending.append(conn, self.schema, items, consumer, self.projectors, also)

    def append_all(
        self,
        batches: Iterable[Iterable[Event | Incoming] | Batch],
        consumer: str | None = None,
        long_running: bool = False,
    ) -> Iterator[AppendResult]:
        """Append batches in order, one transaction each, preparing the next batch while the
        server writes the current one (see ledger.pipelined); yields each batch's result
        once committed. The same outcome as ``append`` batch by batch; faster, as Python and
        PostgreSQL work at the same time (docs/PERFORMANCE.md). A ``Batch`` brings work of its
        own into its transaction and is told when it is committed. ``long_running``: a run
        that never ends (a stream worker), see PipelinedAppender.append_all."""
        appender = PipelinedAppender(
            lambda: raw_connection(self.engine), self.schema, consumer, self.projectors
        )
        return appender.append_all(batches, long_running)

    def prepare(self, items: Iterable[Event | Incoming]) -> Prepared:
        """Canonical bytes and journal entries of a batch, computed without touching the
        database (e.g. in a thread while the previous batch is appended)."""
        with gc_paused():
            return prepare(items)

    def positions(self, consumer: str) -> dict[tuple[str, int], int]:
        """(topic, partition) -> last offset the consumer has stored."""
        with raw_connection(self.engine) as conn:
            return read_positions(conn, self.schema, consumer)

    def balances(
        self,
        person_id: str,
        as_of: date | None = None,
        known_on: date | datetime | None = None,
    ) -> PersonBalances:
        """A person's balances on business date ``as_of``, as known on ``known_on``."""
        with raw_connection(self.engine) as conn:
            return queries.person_balances(conn, self.schema, person_id, as_of, known_on)

    def account_balance(
        self,
        code: str,
        asset: str = "VND",
        as_of: date | None = None,
        known_on: date | datetime | None = None,
    ) -> int:
        """One account's balance (debit positive) as of a date, as known on a day."""
        with raw_connection(self.engine) as conn:
            return queries.account_balance(conn, self.schema, code, asset, as_of, known_on)

    def history(self, person_id: str) -> list[queries.HistoryEntry]:
        """A person's timeline: each event and its postings with running balances."""
        with raw_connection(self.engine) as conn:
            return queries.history(conn, self.schema, person_id)

    def events(
        self,
        person_id: str | None = None,
        event_types: Sequence[str] | None = None,
        after_sequence: int = 0,
    ) -> Iterator[StoredEvent]:
        """Stored events in sequence order (streamed), optionally filtered."""
        return stored_events(self.engine, self.schema, person_id, event_types, after_sequence)

    def head(self) -> tuple[int, bytes]:
        """The last sequence and its chain hash ((0, 32 zero bytes) when empty)."""
        with raw_connection(self.engine) as conn, conn.cursor() as cur:
            return appending.chain_head(cur, f'"{self.schema}".')

    def close(self) -> None:
        """Release the engine's connections if this ledger created the engine."""
        if self._owns_engine:
            self.engine.dispose()


def ensure_migrated(url: str, schema: str = "ledger") -> bool:
    """Apply missing migrations to ``schema``; True if any ran. A current schema is only read,
    so roles without DDL rights (aidledger_app) can call this too."""
    from ledger.migrations import is_current, upgrade

    if is_current(url, checked_schema(schema)):
        return False
    upgrade(url, schema)
    return True


def open_ledger(url: str, schema: str = "ledger", projectors: Sequence[Projector] = ()) -> Ledger:
    """Migrate ``schema`` at ``url`` if needed, then return a Ledger on its own engine."""
    ensure_migrated(url, schema)
    ledger = Ledger(create_engine(url, pool_pre_ping=True), schema, projectors)
    ledger._owns_engine = True
    return ledger
