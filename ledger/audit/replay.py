"""``audit replay``: rebuild the ledger from its history in a scratch schema, then compare.

The scratch schema gets the same migrations as the live one; events go through the same
``Ledger.append`` (posting rules, balances, the given projectors) in big batches. Nothing of
the live schema is written.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg2
from sqlalchemy import create_engine

from ledger.audit.compare import Difference, compare
from ledger.audit.db import Database, checked_name, session
from ledger.audit.digest import schema_digest
from ledger.audit.errors import AuditInputError, ReplayMismatch
from ledger.audit.history import Record, StoreRange
from ledger.audit.read_models import ReadModelJob, ReadModelProcess
from ledger.gc_pause import gc_paused
from ledger.ledger import Ledger
from ledger.migrations import upgrade
from ledger.projectors import Projector
from ledger.records import Batch, Incoming
from schemas.errors import InvalidEvent
from schemas.registry import parse_storable_event

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
    #: How long ``check`` took to compare with the live ledger, and to take the digest.
    compare_seconds: float = 0.0
    digest_seconds: float = 0.0

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
    read_models_from: StoreRange | None = None,
) -> ReplayOutcome:
    """Migrate ``scratch`` (which must not exist yet) and append the whole history into it.

    ``into_empty``: the schema may exist if it holds no event (a rebuild after losing the
    database); ``consumer`` then stores the Kafka positions, so workers go on after them.
    ``read_models_from``: ``history`` is that range of the event store (``from_range``), and
    the read models (coverage and ``projectors``) are projected from it by a second process
    while this one appends the journal, postings and balances (ledger.audit.read_models).
    """
    scratch = checked_name(scratch)
    if read_models_from is not None and (into_empty or consumer):
        raise AuditInputError("read models are projected apart only into a scratch schema")
    db = Database.from_url(url)
    if _exists(db, scratch) and not (into_empty and _empty(db, scratch)):
        raise AuditInputError(
            f"schema {scratch} already exists"
            + (" and holds events" if into_empty else "")
            + "; choose another scratch name"
        )
    outcome = ReplayOutcome(source, scratch)
    upgrade(url, scratch)
    if not into_empty:
        _unlogged(db, scratch)
    engine = create_engine(url, pool_pre_ping=True)
    apart: ReadModelProcess | None = None
    if read_models_from is None:
        ledger = Ledger(engine, scratch, projectors)
    else:
        job = ReadModelJob(url, scratch, read_models_from, tuple(projectors), batch)
        apart = ReadModelProcess(job)
        ledger = Ledger(engine, scratch, coverage=False)
    started = time.perf_counter()
    try:
        for result in ledger.append_all(_batches(history, batch, outcome), consumer):
            outcome.appended += len(result.appended)
            outcome.already_recorded += len(result.already_recorded)
            outcome.conflicts += [str(c) for c in result.conflicts]
            if progress:  # every item of the batch is in exactly one of these
                progress(result.size)
            if apart is not None and (why := apart.failure()) is not None:
                raise ReplayMismatch(f"projecting the read models failed: {why}")
        if apart is not None:
            apart.wait(outcome.appended)
    except BaseException:
        if apart is not None:
            apart.stop()
        raise
    finally:
        outcome.seconds = time.perf_counter() - started
        engine.dispose()
    return outcome


def _batches(history: Iterable[Record], size: int, outcome: ReplayOutcome) -> Iterator[Batch]:
    """Parsed batches of the history. A stored event keeps the bytes the ledger hashed, also
    one stored in a version older than today's (it is upcast to be projected, but its chain
    link is over those bytes); a Kafka record is serialized again."""
    items: list[Incoming] = []
    payloads: list[bytes | None] = []
    with gc_paused():  # a bounded run: its events are freed by reference counting
        for payload, origin, label, stored in history:
            outcome.read += 1
            try:
                # Refused, and so a difference, also when its text holds a NUL: stored by a
                # ledger before it refused them, it cannot be stored again.
                event = parse_storable_event(payload, label)
            except InvalidEvent as exc:
                outcome.refused.append(str(exc))
            else:
                items.append(Incoming(event, origin))
                payloads.append(payload if stored else None)
            if len(items) >= size:
                yield Batch(items, payloads=payloads)
                items, payloads = [], []
        if items:
            yield Batch(items, payloads=payloads)


def check(
    db: Database,
    live: str,
    outcome: ReplayOutcome,
    *,
    exact: bool,
    until: datetime | None = None,
    through: int | None = None,
) -> ReplayOutcome:
    """Compare the scratch schema with ``live``; take the scratch digest meanwhile, on a
    connection of its own (the scratch schema no longer changes): each keeps one server
    process busy, and the machine has a core for each.

    ``through``: the last live sequence the replay read (a store replay). When the live
    ledger has recorded events after it since (its workers kept running), only the history
    up to it and the balances it adds up to can be compared; the read models are not, and a
    note says so."""

    def digest() -> tuple[str, float]:
        started = time.perf_counter()
        with session(db) as conn:
            return schema_digest(conn, outcome.scratch), time.perf_counter() - started

    with ThreadPoolExecutor(1, thread_name_prefix="audit-digest") as pool:
        digesting = pool.submit(digest)
        started = time.perf_counter()
        with session(db) as conn:
            bound = None
            if through is not None and until is None:
                head = _head(conn, checked_name(live))
                if head > through:
                    bound = through
                    outcome.notes.append(
                        f"the live ledger recorded {head - through:,} events after sequence "
                        f"{through:,} while the replay ran: compared the events, journal and "
                        f"postings through {through:,} and the balances they add up to, not "
                        "the read models (replay with the workers stopped to compare those)"
                    )
            outcome.differences = compare(
                conn, checked_name(live), outcome.scratch, exact=exact, until=until, through=bound
            )
        outcome.compare_seconds = time.perf_counter() - started
        outcome.digest, outcome.digest_seconds = digesting.result()
    return outcome


def _head(conn: Any, schema: str) -> int:
    """The last sequence of ``schema``'s ledger (0 when empty)."""
    with conn.cursor() as cur:
        cur.execute(f'SELECT coalesce(max(sequence), 0) FROM "{schema}".events')
        return int(cur.fetchone()[0])


def drop(db: Database, scratch: str) -> None:
    """Remove the scratch schema and its donor-view schema."""
    scratch = checked_name(scratch)
    with session(db, readonly=False) as conn, conn.cursor() as cur:
        cur.execute(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE')
        cur.execute(f'DROP SCHEMA IF EXISTS "{scratch}_donor" CASCADE')
        conn.commit()


def _unlogged(db: Database, scratch: str) -> None:
    """Make the scratch tables unlogged: a replay's rows are compared and dropped, so they need
    no write-ahead log (a quarter less server time per event). A table linked by a foreign key
    to one still logged waits for it; one that cannot change stays logged."""
    with session(db, readonly=False) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relpersistence = 'p' "
            "ORDER BY c.relname",
            (scratch,),
        )
        todo = [name for (name,) in cur.fetchall()]
        while todo:
            waiting = []
            for name in todo:
                cur.execute("SAVEPOINT unlogged")
                try:
                    cur.execute(f'ALTER TABLE "{scratch}"."{name}" SET UNLOGGED')
                except psycopg2.Error:
                    cur.execute("ROLLBACK TO SAVEPOINT unlogged")
                    waiting.append(name)
            if len(waiting) == len(todo):
                break
            todo = waiting
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
