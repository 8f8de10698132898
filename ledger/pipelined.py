"""Appending many batches in a row, with batch k+1 prepared while PostgreSQL writes batch k.

One append is Python work (canonical JSON, hashes, rows) then server work (COPY, indexes,
commit), and on its own each side waits for the other. Here a planner (the caller's thread)
computes every row of the next batch from the state the previous batches will leave
(sequence, chain head, balances, consumer positions), with the read-model rows of projectors
that can stage them (``Projector.stage``), and a writer thread sends finished batches, one
transaction each, in order. The writer waits for the server with the GIL released, so the
two sides overlap.

The plan is optimistic and checked where it matters, under the chain lock. If the head is
not the one the plan was built on (another appender went in between, e.g. a second stream
worker), the plan is rebased: the same rows placed after that head, with only sequences,
hashes and balances computed again (what the rest of the row holds was kept, and staged
read-model rows only have their sequences moved), so the time the lock is held stays short.
If more than the head changed (the consumer's positions, or an id is already recorded), that
batch is rolled back and appended the ordinary way (``ledger.append.append``). Results are
the same as appending the batches one by one.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from queue import Queue
from typing import Any

import psycopg2
from psycopg2.errors import UniqueViolation

from ledger import append as appending
from ledger.accounts import Account
from ledger.append import known_ids
from ledger.balance_store import touch_accounts, upsert_balances
from ledger.dedupe import Item, Sorted, sort_batch
from ledger.gc_pause import gc_paused, survivors_frozen
from ledger.positions import Partition, skip_processed, store_positions
from ledger.posting_rules import entry_for
from ledger.prepare import Prepared, items_of, prepare_items, refuse_unstorable
from ledger.projectors import Projector, Staged, stage
from ledger.records import AppendResult, Batch, Incoming, InTransaction
from ledger.rows import (
    EVENT_COLUMNS,
    POSTING_COLUMNS,
    BatchRows,
    Key,
    accounts_chunks,
)
from ledger.sql import copy_binary
from schemas.envelope import Event

#: GIL hand-over interval while batches are pipelined: the writer needs the GIL for a moment
#: after each server round trip, and the default 5 ms would leave the server idle that long.
SWITCH_INTERVAL = 0.0002
#: The same in a stream worker (``long_running``), whose consumer thread and event loop want
#: the GIL too: at 0.2 ms it passed between them so often that a worker did 4-10% less
#: (bench/pipeline.py, 200,000 events: 1 ms gave 14,859 and 14,812 events/s with 2 workers,
#: 0.2 ms 13,988 and 14,405; a replay is fastest at 0.2 ms).
WORKER_SWITCH_INTERVAL = 0.001


@dataclass
class Plan:
    """Everything the writer sends for one batch, computed against a predicted state."""

    number: int
    items: list[Item]
    #: The chain head the plan builds on: (last sequence, its hash).
    base: tuple[int, bytes]
    #: Indices of the items above the consumer's positions (the others were processed).
    kept: list[int]
    reached: dict[Partition, int]
    sorted_: Sorted
    rows: BatchRows
    #: The batch as given: its in-transaction work and its callback.
    batch: Batch
    copies: list[tuple[str, bytes]] = field(default_factory=list)
    #: Each projector's rows, staged with the plan (None: it projects under the lock).
    staged: list[Staged | None] = field(default_factory=list)
    #: Every account the batch posts to, with the sequence of its first posting.
    posted_to: dict[Key, tuple[Account, int]] = field(default_factory=dict)


@dataclass
class _Layer:
    """What one planned, not yet committed batch leaves behind."""

    number: int
    balances: dict[Key, int]
    positions: dict[Partition, int]


class _State:
    """The predicted state after every planned batch: the database's, overlaid with the
    layers of the batches the writer has not committed yet."""

    def __init__(self, head: tuple[int, bytes]) -> None:
        self.last, self.prev = head
        self.layers: deque[_Layer] = deque()

    def forget_committed(self, committed: int) -> None:
        while self.layers and self.layers[0].number <= committed:
            self.layers.popleft()

    def balances(self, keys: Iterable[Key]) -> dict[Key, int]:
        """The planned balances of those of ``keys`` a pending batch posts to."""
        out: dict[Key, int] = {}
        for layer in self.layers:  # oldest first: later batches overwrite
            out.update((k, layer.balances[k]) for k in keys if k in layer.balances)
        return out

    def positions(self) -> dict[Partition, int]:
        """Offsets the pending batches reach (positions only move forward)."""
        out: dict[Partition, int] = {}
        for layer in self.layers:
            for key, offset in layer.positions.items():
                out[key] = max(offset, out.get(key, -1))
        return out


class PipelinedAppender:
    """``append_all(batches)``: append batches in order, each in its own transaction."""

    def __init__(
        self,
        open_connection: Callable[[], Any],
        schema: str,
        consumer: str | None,
        projectors: Sequence[Projector],
    ) -> None:
        self._open = open_connection
        self.schema = schema
        self._q = f'"{schema}".'
        self.consumer = consumer
        self.projectors = projectors
        #: Batches the writer appended the ordinary way after a failed check.
        self.fallbacks = 0
        #: Planned batches committed (rebased ones included), and those rebased onto the
        #: head another appender left.
        self.plans_held = 0
        self.rebases = 0
        self._committed = 0
        self._rebased = threading.Event()
        self._failed = threading.Event()

    def append_all(
        self, batches: Iterable[Iterable[Event | Incoming] | Batch], long_running: bool = False
    ) -> Iterator[AppendResult]:
        """Yield each batch's AppendResult once it is committed, in batch order. An error
        stops the run: the batches before it stay committed, and it is raised in turn.

        The garbage collector is paused for the whole run; with ``long_running`` (a stream
        worker's endless run) only while a batch is planned or written, so the process still
        has its cycles collected in between, and what the batches leave alive is frozen
        (``ledger.gc_pause.survivors_frozen``); a long run also hands the GIL over less often
        (WORKER_SWITCH_INTERVAL).
        """
        todo: Queue[Plan | None] = Queue(maxsize=1)
        done: Queue[AppendResult | BaseException] = Queue()
        interval = WORKER_SWITCH_INTERVAL if long_running else SWITCH_INTERVAL
        with self._open() as reader, _switching(interval), _collector(long_running) as tick:
            writer = threading.Thread(target=self._write_all, args=(todo, done), daemon=True)
            writer.start()
            sent = received = 0
            error: Exception | None = None
            try:
                state = self._start(reader)
                for number, batch in enumerate(batches, 1):
                    if self._failed.is_set():
                        break
                    if self._rebased.is_set() and self._committed == sent:
                        # Another appender went in between and nothing is pending: plan from
                        # the database's head again, so later plans need no rebase.
                        self._rebased.clear()
                        state = self._start(reader)
                    given = batch if isinstance(batch, Batch) else Batch(batch)
                    with gc_paused():
                        plan = self._plan(reader, state, number, items_of(given.items), given)
                        todo.put(plan)
                        reader.rollback()
                    tick(len(plan.items))
                    sent += 1
                    while not done.empty():
                        received += 1
                        yield _result(done.get())
            except Exception as exc:  # the batches already handed over are still written
                error = exc
            finally:
                todo.put(None)
                writer.join()
            # The writer is done: ``done`` holds all it gave. After a failure, the batches
            # behind the failed one were not written and have no result.
            while received < sent and not done.empty():
                received += 1
                yield _result(done.get())
            if error is not None:
                raise error

    # The planner (the caller's thread).

    def _start(self, reader: Any) -> _State:
        with reader.cursor() as cur:
            head = appending.chain_head(cur, self._q)
        reader.rollback()
        return _State(head)

    def _plan(
        self, reader: Any, state: _State, number: int, batch: list[Item], given: Batch
    ) -> Plan:
        state.forget_committed(self._committed)
        q, last, prev = self._q, state.last, state.prev
        with reader.cursor() as cur:
            kept, reached = skip_processed(cur, q, self.consumer, batch, state.positions())
            items = [batch[i] for i in kept]
            given_payloads = given.payloads
            payloads = [given_payloads[i] for i in kept] if given_payloads else None
            known = known_ids(cur, q, items, False)
            sorted_ = sort_batch(items, known, lambda i: last + 1 + i, payloads)
            entries = [entry_for(event) for event, _ in sorted_.new]
            touched = touch_accounts(cur, q, entries, last + 1, state.balances)
        rows = BatchRows(
            sorted_.new,
            entries,
            sorted_.payloads,
            last + 1,
            prev,
            touched.balances,
            for_rebase=self.rebases > 0,  # another appender went in between before
        )
        plan = Plan(number, batch, (last, prev), kept, reached, sorted_, rows, given)
        plan.copies = self._copies(rows, touched.opened)
        # The payloads exist once the rows are encoded, and nothing is sent before the plan
        # goes to the writer: an event PostgreSQL cannot store stops the run here.
        refuse_unstorable(sorted_.new, [stored.payload for stored in rows.stored])
        plan.posted_to = touched.posted_to
        plan.staged = [stage(projector, rows.stored) for projector in self.projectors]
        state.last, state.prev = last + len(sorted_.new), rows.head_hash
        changed = {k: rows.balances[k] for k in rows.last_sequence_of}
        state.layers.append(_Layer(number, changed, reached))
        return plan

    def _copies(
        self, rows: BatchRows, opened: dict[Key, tuple[Account, int]]
    ) -> list[tuple[str, bytes]]:
        """Every COPY of a batch's rows (postings first, as ledger.append sends them)."""
        q, copies = self._q, []
        if rows.new:
            copies.append((f"{q}postings ({POSTING_COLUMNS})", b"".join(rows.postings_chunks())))
            if opened:
                copies.append((f"{q}accounts", b"".join(accounts_chunks(opened))))
            copies.append((f"{q}events ({EVENT_COLUMNS})", b"".join(rows.events_chunks())))
        return copies

    # The writer thread.

    def _write_all(self, todo: Queue[Plan | None], done: Queue[Any]) -> None:
        with self._open() as conn:
            while (plan := todo.get()) is not None:
                try:
                    if not self._failed.is_set():
                        with gc_paused():
                            result = self._write(conn, plan)
                        self._committed = plan.number
                        if plan.batch.settled is not None:
                            plan.batch.settled(result)
                        done.put(result)
                except BaseException as exc:  # handed over to the caller's thread
                    self._failed.set()
                    # A connection the server closed cannot roll back (nor needs to).
                    with contextlib.suppress(psycopg2.Error):
                        conn.rollback()
                    if plan.batch.settled is not None:
                        plan.batch.settled(exc)
                    done.put(exc)
                finally:
                    todo.task_done()
            todo.task_done()

    def _write(self, conn: Any, plan: Plan) -> AppendResult:
        q, sorted_ = self._q, plan.sorted_
        try:
            with conn.cursor() as cur:
                appending.begin(cur, self.schema)
                head = appending.chain_head(cur, q)
                rows, copies, reached = plan.rows, plan.copies, plan.reached
                if head != plan.base:
                    rows, copies, reached = self._rebase(cur, plan, head)
                for target, data in copies:
                    copy_binary(cur, target, iter((data,)))
                upsert_balances(cur, q, rows)
                if self.consumer:
                    last = head[0] + len(sorted_.new)
                    store_positions(cur, q, self.consumer, reached, last)
                shift = rows.first_sequence - plan.rows.first_sequence
                for projector, staged in zip(self.projectors, plan.staged, strict=True):
                    if staged is None:
                        projector.project(conn, rows.stored)
                    else:
                        staged.write(conn, shift)
            result = AppendResult(
                tuple(rows.stored),
                tuple(sorted_.already_recorded),
                tuple(sorted_.conflicts),
                len(plan.items) - len(plan.kept),
            )
            if plan.batch.also is not None:
                plan.batch.also(conn, result)
            conn.commit()
            self.plans_held += 1
        except (_Diverged, UniqueViolation) as exc:
            conn.rollback()
            if isinstance(exc, UniqueViolation) and (
                exc.diag.constraint_name != appending.EVENT_ID_UNIQUE
            ):
                raise
            self.fallbacks += 1
            self._rebased.set()
            return self._append(
                conn, prepare_items(plan.items, plan.batch.payloads), plan.batch.also
            )
        return result

    def _rebase(
        self, cur: Any, plan: Plan, head: tuple[int, bytes]
    ) -> tuple[BatchRows, list[tuple[str, bytes]], dict[Partition, int]]:
        """The plan's rows placed after ``head`` (another appender's): sequences, hashes and
        balances computed again under the lock. Raises _Diverged when more than the head
        changed: the consumer's positions (another worker took a partition), or a conflict
        in the batch (it names a sequence of the plan)."""
        if plan.sorted_.conflicts:
            raise _Diverged
        reached = plan.reached
        if self.consumer:
            kept, reached = skip_processed(cur, self._q, self.consumer, plan.items)
            if kept != plan.kept:
                raise _Diverged
        shift = head[0] + 1 - plan.rows.first_sequence
        posted_to = {key: (acct, seq + shift) for key, (acct, seq) in plan.posted_to.items()}
        touched = touch_accounts(cur, self._q, plan.rows.entries, head[0] + 1, posted_to=posted_to)
        rows = plan.rows.rebased(head[0] + 1, head[1], touched.balances)
        self.rebases += 1
        self._rebased.set()
        return rows, self._copies(rows, touched.opened), reached

    def _append(self, conn: Any, batch: Prepared, also: InTransaction | None) -> AppendResult:
        return appending.append(conn, self.schema, batch, self.consumer, self.projectors, also)


class _Diverged(Exception):
    """More than the chain head changed since the plan was built: it cannot be rebased."""


def _result(outcome: AppendResult | BaseException) -> AppendResult:
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


@contextmanager
def _collector(long_running: bool) -> Iterator[Callable[[int], None]]:
    """The collector's regime for a run, and the tick to call as items go by."""
    if long_running:
        with survivors_frozen() as tick:
            yield tick
    else:
        with gc_paused():
            yield _untimed


def _untimed(_: int) -> None:
    """A bounded run's tick: its collector stays paused to the end."""


@contextmanager
def _switching(interval: float) -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(before)
