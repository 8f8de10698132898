"""The batch pipeline: project a batch off the event loop, publish its effects, checkpoint.

Order per batch: (1) validate + append + dead letters + positions, one transaction, in a
thread; (2) implied events worked out from the committed ledger; (3) dead-letter messages and
implied events published and acknowledged; (4) checkpoint. A crash anywhere before (4) means
the batch is read again; every step is idempotent, so it then has the same effect once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from ledger.errors import LedgerUnavailable
from schemas.envelope import Event
from streams.checkpoints import Positions
from streams.errors import BatchFailed
from streams.lag import lag_by_partition
from streams.metrics import StreamMetrics
from streams.projection import BatchOutcome
from streams.publishing import Publisher, deadletter_messages, event_messages
from streams.records import RawRecord

log = logging.getLogger("aidledger.streams")
T = TypeVar("T")

#: Waits between attempts while PostgreSQL is unreachable; then the worker stops (exit 4).
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)


class Projection(Protocol):
    """What the pipeline needs of streams.projection.LedgerProjection (blocking calls)."""

    consumer: str

    def process(self, records: Sequence[RawRecord]) -> BatchOutcome: ...

    def resume_offsets(self) -> Positions: ...

    def stored_positions(self) -> Positions: ...

    def checkpoint(self, reached: Positions) -> None: ...


class Implications(Protocol):
    """What the pipeline needs of streams.domain.DomainProcessor (blocking)."""

    def implied(self, events: Iterable[Event]) -> list[Event]: ...


class BatchPipeline:
    """What the consumer hands each batch to (see streams.consumer.BatchSink)."""

    def __init__(
        self,
        projection: Projection,
        domain: Implications,
        publisher: Publisher,
        metrics: StreamMetrics,
        *,
        worker: str,
        prefix: str = "",
        executor: Executor | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self.projection = projection
        self.domain = domain
        self.publisher = publisher
        self.metrics = metrics
        self.worker = worker
        self.prefix = prefix
        # One thread: appends of this worker run one after another, in offset order.
        self.executor = executor or ThreadPoolExecutor(1, thread_name_prefix="aidledger-ledger")
        self.retry_delays = tuple(retry_delays)
        #: Highest offset taken per partition (the embedded broker's end offsets lag behind).
        self.seen: dict[tuple[str, int], int] = {}
        #: The error that stopped this worker, if one did (the CLI reports it).
        self.failure: BaseException | None = None

    @property
    def consumer(self) -> str:
        return self.projection.consumer

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def resume_offsets(self, partitions: Iterable[tuple[str, int]]) -> Positions:
        """Next offset to read for each partition PostgreSQL knows about (others: untouched)."""
        wanted = {(t, p) for t, p in partitions}
        resume = await self._in_thread(self.projection.resume_offsets)
        return {tp: offset for tp, offset in resume.items() if tp in wanted}

    async def process(self, records: Sequence[RawRecord]) -> Positions:
        """Handle one batch completely; returns the offsets to commit to Kafka (last + 1)."""
        try:
            return await self._process(records)
        except Exception as exc:
            self.failure = exc
            log.error(
                "batch of %d records from %s failed: %s",
                len(records),
                records[0].label if records else "-",
                exc,
            )
            raise

    async def _process(self, records: Sequence[RawRecord]) -> Positions:
        started = time.perf_counter()
        outcome = await self._project(records)
        projected = time.perf_counter()
        implied = await self._in_thread(self.domain.implied, [e for _, e in outcome.accepted])
        await self.publisher.publish(
            [
                *deadletter_messages(outcome.letters, self.prefix, self.consumer, self.worker),
                *event_messages(implied, self.prefix),
            ]
        )
        await self._in_thread(self.projection.checkpoint, outcome.reached)
        for tp, offset in outcome.reached.items():
            self.seen[tp] = max(self.seen.get(tp, -1), offset)
        self.metrics.count(
            Counter(r.topic for r, _ in outcome.accepted),
            Counter(d.record.topic for d in outcome.letters),
        )
        done = time.perf_counter()
        self.metrics.batch_seconds.observe(done - started)
        log.log(
            logging.INFO if outcome.letters or implied else logging.DEBUG,
            "batch of %d in %.2fs (ledger %.2fs, effects %.2fs): %s; %d dead letters, %d implied"
            " events published",
            len(records),
            done - started,
            projected - started,
            done - projected,
            outcome.result.summary(),
            len(outcome.letters),
            len(implied),
        )
        return {tp: offset + 1 for tp, offset in outcome.reached.items()}

    async def _project(self, records: Sequence[RawRecord]) -> BatchOutcome:
        for attempt, delay in enumerate((*self.retry_delays, None), start=1):
            try:
                return await self._in_thread(self.projection.process, records)
            except LedgerUnavailable as exc:
                if delay is None:
                    raise BatchFailed(
                        f"a batch of {len(records)} records (first {records[0].label}) could not"
                        f" be recorded after {attempt} attempts: {exc}; the worker stops so"
                        " nothing is skipped, and resumes from PostgreSQL when restarted"
                    ) from exc
                log.warning(
                    "ledger unavailable (attempt %d), retrying in %.1fs: %s", attempt, delay, exc
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def refresh_lag(self, end_offsets: Mapping[tuple[str, int], int | None]) -> None:
        """Set the lag gauge for the partitions held now, from the ledger's stored positions."""
        stored = await self._in_thread(self.projection.stored_positions)
        self.metrics.set_lag(lag_by_partition(end_offsets, end_offsets, self.seen, stored))

    def close(self) -> None:
        self.executor.shutdown(wait=True)
