"""A Faust consumer that hands whole fetches to a batch sink instead of one record at a time.

Faust keeps doing what it is good at: group membership, rebalances, the fetcher thread, the
producer. Up to ``app.batches_in_flight`` batches are handed over before the oldest is waited
for, so the next batch is fetched and validated while the ledger writes the one before;
offsets are committed to Kafka in batch order. On each new assignment the partitions are
sought to the positions stored in PostgreSQL (not only the group's committed offsets), so a
crash between the database commit and the Kafka commit never posts a record twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, cast

from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from faust.transport.drivers import aiokafka as faust_aiokafka

from streams.batching import Floors, Rewinds, beyond_end, take
from streams.errors import NoBatchSink, TopicRewound
from streams.records import RawRecord

log = logging.getLogger("aidledger.streams")

Positions = Mapping[tuple[str, int], int]


class BatchSink(Protocol):
    """Where batches go (streams.pipeline.BatchPipeline)."""

    async def resume_offsets(self, partitions: Iterable[tuple[str, int]]) -> Positions: ...

    async def process(self, records: Sequence[RawRecord]) -> Positions: ...


class BatchingApp(Protocol):
    """What the consumer reads from its app (streams.app.AidLedgerApp)."""

    batch_sink: BatchSink | None
    batch_max_records: int
    batch_within_s: float
    batches_in_flight: int
    consumer_generation_id: int
    failure: BaseException | None


class BatchConsumer(faust_aiokafka.Consumer):
    """Drains fetches into ``app.batch_sink`` (``take`` up to ``app.batch_max_records``)."""

    _inflight: deque[asyncio.Task[Positions]] | None = None

    async def _drain_messages(self, fetcher: Any) -> None:  # the Fetcher service's loop
        app = cast(BatchingApp, self.app)
        sink = app.batch_sink
        if sink is None:
            raise NoBatchSink("the stream app has no batch_sink; build it with streams.worker")
        self._inflight = deque()
        await self._drain_into(sink, app, fetcher)
        while self._inflight:  # stopping: finish what was handed over, commit its offsets
            await self._settle_oldest()

    async def _drain_into(self, sink: BatchSink, app: BatchingApp, fetcher: Any) -> None:
        inflight = self._inflight
        assert inflight is not None
        floors = Floors()
        rewinds = Rewinds()
        positioned: int | None = None
        stopping = (self._stopped.is_set, fetcher._stopped.is_set)
        while not any(stop() for stop in stopping):
            if not self.flow_active:  # a rebalance is under way
                # mode's wait() also returns on stop; it accepts any event with wait().
                await self.wait(self.can_resume_flow)  # type: ignore[arg-type]
                continue
            generation = app.consumer_generation_id
            if generation != positioned:
                while inflight:  # the stored positions must include every batch handed over
                    await self._settle_oldest()
                floors.reset(await self._position(sink))
                rewinds = Rewinds()
                positioned = generation
            while inflight and inflight[0].done():
                await self._settle_oldest()
            waited = time.perf_counter()
            taken = await take(self._fetch, floors, app.batch_max_records, app.batch_within_s)
            if taken.records:
                log.debug(
                    "took %d records in %.2fs", len(taken.records), time.perf_counter() - waited
                )
            stuck = rewinds.note(taken, beyond_end(floors, self._ends()))
            if stuck:
                app.failure = TopicRewound([f"{t}[{p}]" for t, p in stuck])
                raise app.failure
            if taken.behind:
                await self._seek_to({tp: offset for tp, offset in taken.behind.items()})
            if not taken.records or app.consumer_generation_id != generation:
                continue  # a batch from before a rebalance: the new owner reads it again
            inflight.append(asyncio.ensure_future(sink.process(taken.records)))
            while len(inflight) >= max(1, app.batches_in_flight):
                await self._settle_oldest()

    def _ends(self) -> dict[Any, int | None]:
        """End offsets of the assigned partitions, as the last fetch responses gave them."""
        return end_offsets(self)

    async def _fetch(self, timeout: float) -> Mapping[Any, Sequence[Any]] | None:
        records, active = await self._wait_next_records(timeout)
        if not records or active is None:
            return records
        return {tp: recs for tp, recs in records.items() if tp in active}

    async def _position(self, sink: BatchSink) -> dict[Any, int]:
        """Seek every assigned partition to its stored offset + 1, or to its beginning.

        PostgreSQL is the record of what was processed: a partition it holds no position for
        is read from the start (the ledger skips what it already has), never from a committed
        offset it cannot vouch for.
        """
        assigned = {(tp.topic, tp.partition) for tp in self.assignment()}
        stored = dict(await sink.resume_offsets(assigned))
        unknown = [TopicPartition(t, p) for t, p in sorted(assigned - stored.keys())]
        earliest = await self.earliest_offsets(*unknown) if unknown else {}
        resume = {**stored, **{(tp.topic, tp.partition): o for tp, o in earliest.items()}}
        if resume:
            await self._seek_to(resume)
        log.info(
            "assigned %d partitions: %d resume after their stored position, %d from the beginning",
            len(assigned),
            len(stored),
            len(unknown),
        )
        return {TopicPartition(t, p): offset for (t, p), offset in resume.items()}

    async def _seek_to(self, offsets: Mapping[Any, int]) -> None:
        assigned = {(tp.topic, tp.partition) for tp in self.assignment()}
        wanted = {
            TopicPartition(tp[0], tp[1]): offset
            for tp, offset in offsets.items()
            if (tp[0], tp[1]) in assigned
        }
        if wanted:
            await self.seek_wait(wanted)

    async def _settle_oldest(self) -> None:
        """Wait for the oldest batch in flight, then commit its offsets to Kafka."""
        inflight = self._inflight
        assert inflight
        task = inflight[0]
        try:
            # Shielded: a rebalance or shutdown waits for the batches instead of cutting them.
            commit = await asyncio.shield(task)
        except asyncio.CancelledError:
            await self.wait_for_batch()
            raise
        finally:
            if task.done() and inflight and inflight[0] is task:
                inflight.popleft()
        await self._commit_offsets(
            {self._new_topicpartition(t, p): offset for (t, p), offset in commit.items()}
        )

    async def wait_for_batch(self, timeout: float | None = None) -> None:
        """Wait for the batches in flight, if any, to finish (their errors are the drain's)."""
        tasks = {t for t in self._inflight or () if not t.done()}
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    async def on_partitions_revoked(self, revoked: set[Any]) -> None:
        # Finish the current batch first, so its partitions change hands at a batch boundary.
        await self.wait_for_batch(timeout=self.app.conf.broker_session_timeout * 0.8)
        await super().on_partitions_revoked(revoked)

    def verify_event_path(self, now: float, tp: Any) -> None:
        # Faust's stall detector watches its per-record stream path, which batches bypass;
        # the ledger lag gauge is the measure of progress here.
        return None


def end_offsets(consumer: Any) -> dict[Any, int | None]:
    """End offsets of the partitions ``consumer`` holds, as the last fetch responses gave
    them; None for one revoked meanwhile (the Kafka client runs in a thread of its own)."""
    ends: dict[Any, int | None] = {}
    for tp in consumer.assignment():
        try:
            ends[tp] = consumer.highwater(tp)
        except (AssertionError, IllegalStateError):  # revoked meanwhile
            ends[tp] = None
    return ends


class BatchTransport(faust_aiokafka.Transport):
    """The aiokafka transport with :class:`BatchConsumer`."""

    Consumer = BatchConsumer
