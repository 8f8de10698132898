"""A store replay's read models, projected by a process of their own.

A replay spends about a third of its Python on the read models (coverage, payroll,
reconciliation), and one interpreter does all of it while PostgreSQL uses part of the other
core. Replaying the event store, that work can move to a second process: the events are
stored ones, each recorded once and in order, so the n-th event the store range yields is
the n-th the replay appends, and a process reading the same range on its own knows every
event's sequence without asking the replay (and a projector reads nothing else of a stored
event but the event: no hash or business date is computed there). It runs the same
projectors, in the same order and batch by batch, into the same scratch schema; the replay
then appends the journal, postings and balances with no read model of its own.

Only for a store replay into a fresh scratch schema (``ledger.audit.replay.rebuild`` with
``read_models_from``): a Kafka history may repeat or contradict events, which only the
ledger's own duplicate check sorts out, and a rebuild into the live schema must keep the read
models in the transaction of their events.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from sqlalchemy import create_engine

from ledger.audit.db import Database
from ledger.audit.errors import ReplayMismatch
from ledger.audit.history import StoreRange, from_range
from ledger.coverage import CoverageProjector
from ledger.gc_pause import gc_paused
from ledger.projectors import Projector
from ledger.records import NumberedEvent
from ledger.storage import checked_schema, raw_connection
from schemas.errors import InvalidEvent
from schemas.registry import parse_event


def numbered(db: Database, stored: StoreRange) -> Iterator[NumberedEvent]:
    """The events a store replay of ``stored`` appends, numbered as it numbers them: from 1,
    in order. Records that do not parse are left out (the replay refuses them). No bytes,
    hashes or dates: a projector reads none of them (``ledger.projectors.Numbered``)."""
    sequence = 0
    for payload, _, label, _ in from_range(db, stored):
        try:
            event = parse_event(payload, label)
        except InvalidEvent:
            continue
        sequence += 1
        yield NumberedEvent(sequence, event)


class ReadModelJob(NamedTuple):
    """What the read-model process does: project ``stored`` with ``projectors`` into the
    ``scratch`` schema of the database at ``url``, ``batch`` events per transaction."""

    url: str
    scratch: str
    stored: StoreRange
    projectors: tuple[Projector, ...]
    batch: int


def project(job: ReadModelJob) -> int:
    """Project the read models of ``job.stored`` into ``job.scratch`` (one transaction per
    batch, the built-in coverage projector first, as the ledger runs them); returns how many
    events."""
    schema = checked_schema(job.scratch)
    everyone: tuple[Projector, ...] = (CoverageProjector(), *job.projectors)
    engine = create_engine(job.url)
    count = 0
    try:
        with raw_connection(engine) as conn, gc_paused():
            pending: list[NumberedEvent] = []
            for event in numbered(Database.from_url(job.url), job.stored):
                pending.append(event)
                if len(pending) >= job.batch:
                    count += _write(conn, schema, everyone, pending)
                    pending = []
            count += _write(conn, schema, everyone, pending)
    finally:
        engine.dispose()
    return count


def _write(
    conn: Any, schema: str, projectors: Sequence[Projector], batch: list[NumberedEvent]
) -> int:
    if not batch:
        return 0
    with conn.cursor() as cur:
        cur.execute(f'SET LOCAL search_path TO "{schema}", public')
    for projector in projectors:
        projector.project(conn, batch)
    conn.commit()
    return len(batch)


def _serve(conn: Connection, job: ReadModelJob) -> None:
    """The child: project, then answer ("ok", count) or ("failed", why). Ctrl-C reaches the
    whole process group: the replay stops this process itself (``stop``), so it ignores it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        count = project(job)
    except Exception as exc:  # answered to the replay, which raises it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(("ok", count))


class ReadModelProcess:
    """The read models of a store replay, projected by a child process (see the module)."""

    def __init__(self, job: ReadModelJob) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_serve,
            args=(child, job),
            name="aidledger-replay-read-models",
            daemon=True,
        )
        self._process.start()
        child.close()
        self._answer: tuple[str, object] | None = None

    def failure(self) -> str | None:
        """Why the child failed, if it did and said so already (does not wait)."""
        if self._answer is None and self._conn.poll():
            self._receive()
        if self._answer is not None and self._answer[0] != "ok":
            return str(self._answer[1])
        return None

    def wait(self, appended: int) -> None:
        """Wait for the child; raise ReplayMismatch if it failed or projected other than the
        ``appended`` events of the replay."""
        if self._answer is None:
            self._receive()
        self._process.join(30)
        status, detail = self._answer or ("failed", "no answer")
        if status != "ok":
            raise ReplayMismatch(f"projecting the read models failed: {detail}")
        if detail != appended:
            raise ReplayMismatch(
                f"the read models were projected for {detail} events, the replay appended "
                f"{appended}; the store changed under the replay?"
            )

    def stop(self) -> None:
        """End the child at once (the replay failed)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(10)
        with contextlib.suppress(OSError):
            self._conn.close()

    def _receive(self) -> None:
        try:
            self._answer = self._conn.recv()
        except (EOFError, OSError):
            self._process.join(10)
            self._answer = (
                "failed",
                f"the read-model process stopped (exit code {self._process.exitcode})",
            )
