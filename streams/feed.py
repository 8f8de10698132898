"""The ledger feed: a worker's batches go through ``Ledger.append_all`` in a thread of their own.

The event loop submits each batch as it is taken from Kafka and awaits a future for its
outcome, so it can take the next batch meanwhile. The feed thread validates a batch and plans
its rows while the one before is written (ledger.pipelined): consuming, validating, planning
and PostgreSQL's work overlap. Batches are appended strictly in the order submitted.

While PostgreSQL is unreachable, every batch not yet committed is sent again, in order, after
a wait (RETRY_DELAYS); then the feed gives up and every batch waiting fails with BatchFailed
(the worker stops, and resumes from the positions in PostgreSQL when restarted). Any other
error fails the waiting batches at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from queue import Queue
from typing import Protocol

from ledger.errors import LedgerUnavailable
from streams.errors import BatchFailed
from streams.projection import BatchOutcome
from streams.records import RawRecord

log = logging.getLogger("aidledger.streams")

#: Waits between attempts while PostgreSQL is unreachable; then the worker stops (exit 4).
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)


class Appends(Protocol):
    """What the feed needs of streams.projection.LedgerProjection (blocking)."""

    def process_all(
        self,
        batches: Iterable[Sequence[RawRecord]],
        settled: Callable[[BatchOutcome | BaseException], None],
    ) -> None: ...


@dataclass(frozen=True)
class _Submitted:
    records: Sequence[RawRecord]
    future: asyncio.Future[BatchOutcome]
    loop: asyncio.AbstractEventLoop


@dataclass(frozen=True)
class _Wake:
    """Ends the batches of one attempt early: a batch of it failed while the stream is idle."""

    attempt: int


class LedgerFeed:
    """``await feed.submit(records)`` -> the batch's BatchOutcome once it is committed."""

    def __init__(self, projection: Appends, retry_delays: Sequence[float] = RETRY_DELAYS):
        self.projection = projection
        self.retry_delays = tuple(retry_delays)
        self._queue: Queue[_Submitted | _Wake | None] = Queue()
        #: Submitted and not committed yet, oldest first (sent again after a failure).
        self._pending: deque[_Submitted] = deque()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._attempt = 0
        self._committed = 0

    def submit(self, records: Sequence[RawRecord]) -> asyncio.Future[BatchOutcome]:
        """Queue one batch behind those submitted before it (call from the event loop)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[BatchOutcome] = loop.create_future()
        with self._lock:
            if self._failure is not None:
                future.set_exception(self._failure)
                return future
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="aidledger-ledger-feed", daemon=True
                )
                self._thread.start()
            self._queue.put(_Submitted(records, future, loop))
        return future

    def close(self) -> None:
        """Let the batches submitted so far finish, then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    # The feed thread.

    def _run(self) -> None:
        failures = 0
        while True:
            attempt = self._attempt
            committed_before = self._committed
            try:
                self.projection.process_all(self._batches(attempt), self._settled)
                return  # closed
            except LedgerUnavailable as exc:
                if self._committed != committed_before:
                    failures = 0  # batches went through since the last failure
                if failures >= len(self.retry_delays):
                    records = self._pending[0].records if self._pending else ()
                    first = records[0].label if records else "-"
                    self._fail(
                        BatchFailed(
                            f"a batch of {len(records)} records (first {first}) could not be"
                            f" recorded after {failures + 1} attempts: {exc}; the worker stops"
                            " so nothing is skipped, and resumes from PostgreSQL when restarted"
                        )
                    )
                    return
                delay = self.retry_delays[failures]
                failures += 1
                log.warning(
                    "ledger unavailable (attempt %d), retrying %d batches in %.1fs: %s",
                    failures,
                    len(self._pending),
                    delay,
                    exc,
                )
                time.sleep(delay)
            except BaseException as exc:
                self._fail(exc)
                return
            finally:
                self._attempt = attempt + 1

    def _batches(self, attempt: int) -> Iterator[Sequence[RawRecord]]:
        for again in list(self._pending):  # not committed when the last attempt stopped
            yield again.records
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, _Wake):
                if item.attempt == attempt:
                    return
                continue
            self._pending.append(item)
            yield item.records

    def _settled(self, outcome: BatchOutcome | BaseException) -> None:
        if isinstance(outcome, BaseException):
            self._queue.put(_Wake(self._attempt))
            return
        item = self._pending.popleft()
        self._committed += 1
        _resolve(item, outcome)

    def _fail(self, error: BaseException) -> None:
        with self._lock:
            self._failure = error
            waiting = list(self._pending)
            self._pending.clear()
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if isinstance(item, _Submitted):
                    waiting.append(item)
        for item in waiting:
            _resolve(item, error)


def _resolve(item: _Submitted, outcome: BatchOutcome | BaseException) -> None:
    def settle() -> None:
        if item.future.done():
            return
        if isinstance(outcome, BaseException):
            item.future.set_exception(outcome)
        else:
            item.future.set_result(outcome)

    with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
        item.loop.call_soon_threadsafe(settle)
