"""``audit replay``: rebuild the ledger from its history in a scratch schema, then compare.

The scratch schema gets the same migrations as the live one; events go through the same
``Ledger.append`` (posting rules, balances, the given projectors) in big batches. Nothing of
the live schema is written.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from queue import Full, Queue
from typing import Any

from sqlalchemy import create_engine

from ledger.audit.compare import Difference, compare
from ledger.audit.db import Database, checked_name, session
from ledger.audit.digest import schema_digest
from ledger.audit.errors import AuditInputError
from ledger.audit.history import Record
from ledger.gc_pause import gc_paused
from ledger.ledger import Ledger
from ledger.migrations import upgrade
from ledger.projectors import Projector
from ledger.records import Incoming
from schemas.errors import InvalidEvent
from schemas.registry import parse_event

BATCH = 10_000


@dataclass
class ReplayOutcome:
    """What a replay read, wrote, refused and found different from the live ledger."""

    source: str
    scratch: str
    read: int = 0
    appended: int = 0
    already_recorded: int = 0
    conflicts: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    seconds: float = 0.0
    differences: list[Difference] = field(default_factory=list)
    digest: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else float(self.read)


def scratch_name() -> str:
    """A fresh scratch schema name."""
    return f"audit_replay_{secrets.token_hex(4)}"


def rebuild(
    url: str,
    scratch: str,
    history: Iterable[Record],
    projectors: Sequence[Projector],
    *,
    source: str,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
    consumer: str | None = None,
    into_empty: bool = False,
) -> ReplayOutcome:
    """Migrate ``scratch`` (which must not exist yet) and append the whole history into it.

    ``into_empty``: the schema may exist if it holds no event (a rebuild after losing the
    database); ``consumer`` then stores the Kafka positions, so workers go on after them.
    """
    scratch = checked_name(scratch)
    db = Database.from_url(url)
    if _exists(db, scratch) and not (into_empty and _empty(db, scratch)):
        raise AuditInputError(
            f"schema {scratch} already exists"
            + (" and holds events" if into_empty else "")
            + "; choose another scratch name"
        )
    outcome = ReplayOutcome(source, scratch)
    upgrade(url, scratch)
    engine = create_engine(url, pool_pre_ping=True)
    ledger = Ledger(engine, scratch, projectors)
    started = time.perf_counter()
    try:
        for result in ledger.append_all(_ahead(_batches(history, batch, outcome)), consumer):
            outcome.appended += len(result.appended)
            outcome.already_recorded += len(result.already_recorded)
            outcome.conflicts += [str(c) for c in result.conflicts]
            if progress:  # every item of the batch is in exactly one of these
                progress(result.size)
    finally:
        outcome.seconds = time.perf_counter() - started
        engine.dispose()
    return outcome


def _batches(
    history: Iterable[Record], size: int, outcome: ReplayOutcome
) -> Iterator[list[Incoming]]:
    items: list[Incoming] = []
    with gc_paused():  # a bounded run: its events are freed by reference counting
        for record in history:
            outcome.read += 1
            try:
                items.append(Incoming(parse_event(record.payload, record.label), record.origin))
            except InvalidEvent as exc:
                outcome.refused.append(str(exc))
            if len(items) >= size:
                yield items
                items = []
        if items:
            yield items


def _ahead(batches: Iterator[list[Incoming]], depth: int = 2) -> Iterator[list[Incoming]]:
    """Parse the next batches in a thread while the current one is appended: the append
    spends most of its time waiting for PostgreSQL, with the GIL released."""
    done, stop = object(), threading.Event()
    queue: Queue[Any] = Queue(maxsize=depth)

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for items in batches:
                if not put(items):
                    return
            put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)

    thread = threading.Thread(target=produce, name="audit-replay-parse", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def check(
    db: Database,
    live: str,
    outcome: ReplayOutcome,
    *,
    exact: bool,
    until: datetime | None = None,
) -> ReplayOutcome:
    """Compare the scratch schema with ``live``; take the scratch digest."""
    with session(db) as conn:
        outcome.differences = compare(
            conn, checked_name(live), outcome.scratch, exact=exact, until=until
        )
        outcome.digest = schema_digest(conn, outcome.scratch)
    return outcome


def drop(db: Database, scratch: str) -> None:
    """Remove the scratch schema and its donor-view schema."""
    scratch = checked_name(scratch)
    with session(db, readonly=False) as conn, conn.cursor() as cur:
        cur.execute(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE')
        cur.execute(f'DROP SCHEMA IF EXISTS "{scratch}_donor" CASCADE')
        conn.commit()


def _empty(db: Database, schema: str) -> bool:
    with session(db) as conn, conn.cursor() as cur:
        cur.execute(f'SELECT NOT EXISTS (SELECT 1 FROM "{schema}".events)')
        return bool(cur.fetchone()[0])


def _exists(db: Database, schema: str) -> bool:
    with session(db) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        row: Any = cur.fetchone()
        return row is not None
