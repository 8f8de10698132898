"""The batch pipeline: project a batch off the event loop, publish its effects, checkpoint.

Order per batch: (1) validate + append + dead letters + positions, one transaction, in the
ledger feed's thread (streams.feed); (2) implied events worked out from the committed ledger;
(3) dead-letter messages and implied events published and acknowledged; (4) checkpoint. A
crash anywhere before (4) means the batch is read again; every step is idempotent, so it then
has the same effect once. Several batches may be in flight: (1) runs in submission order in
the feed, and (2)-(4) of a batch wait for those of the batch before it, so checkpoints only
ever cover batches whose effects were all published.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from schemas.envelope import Event
from streams.checkpoints import Positions
from streams.feed import RETRY_DELAYS, LedgerFeed
from streams.lag import lag_by_partition
from streams.metrics import StreamMetrics
from streams.projection import BatchOutcome
from streams.publishing import Publisher, deadletter_messages, event_messages
from streams.records import RawRecord

log = logging.getLogger("aidledger.streams")
T = TypeVar("T")


class Projection(Protocol):
    """What the pipeline needs of streams.projection.LedgerProjection (blocking calls)."""

    consumer: str

    def process_all(
        self,
        batches: Iterable[Sequence[RawRecord]],
        settled: Callable[[BatchOutcome | BaseException], None],
    ) -> None: ...

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
        # Appends run in the feed's thread, in the order submitted; other blocking calls
        # (implied events, checkpoints, positions) in this one.
        self.feed = LedgerFeed(projection, retry_delays)
        self.executor = executor or ThreadPoolExecutor(1, thread_name_prefix="aidledger-ledger")
        #: Done when the effects of the last batch submitted are published and checkpointed.
        self._effects_tail: asyncio.Future[None] | None = None
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
        # Taken now, in submission order: this batch's effects follow the previous batch's.
        before, mine = self._effects_tail, asyncio.get_running_loop().create_future()
        self._effects_tail = mine
        try:
            commit = await self._effects_after(before, records)
        except BaseException as exc:
            mine.set_exception(exc)
            mine.exception()  # retrieved: a later batch may not be there to see it
            raise
        mine.set_result(None)
        return commit

    async def _effects_after(
        self, before: asyncio.Future[None] | None, records: Sequence[RawRecord]
    ) -> Positions:
        started = time.perf_counter()
        outcome = await self.feed.submit(records)
        projected = time.perf_counter()
        if before is not None:
            await before  # raises if the batch before failed: no checkpoint past it
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

    async def refresh_lag(self, end_offsets: Mapping[tuple[str, int], int | None]) -> None:
        """Set the lag gauge for the partitions held now, from the ledger's stored positions."""
        stored = await self._in_thread(self.projection.stored_positions)
        self.metrics.set_lag(lag_by_partition(end_offsets, end_offsets, self.seen, stored))

    def close(self) -> None:
        self.feed.close()
        self.executor.shutdown(wait=True)
