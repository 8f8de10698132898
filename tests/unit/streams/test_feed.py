"""The ledger feed with fake appends: order, retries of uncommitted batches, failures."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Sequence

import pytest

from ledger.errors import LedgerUnavailable
from ledger.records import AppendResult
from streams.errors import BatchFailed
from streams.feed import LedgerFeed
from streams.projection import BatchOutcome
from streams.records import RawRecord

Settled = Callable[[BatchOutcome | BaseException], None]


def batch(offset: int) -> list[RawRecord]:
    return [RawRecord("t.aid.payments", 0, offset, b"k", b"{}")]


def outcome_of(records: Sequence[RawRecord]) -> BatchOutcome:
    reached = {(r.topic, r.partition): r.offset for r in records}
    return BatchOutcome(AppendResult(), (), (), reached)


class FakeAppends:
    """Appends batches in a list; fails as told (``fail_at``: the n-th batch written)."""

    def __init__(self, fail_at: dict[int, BaseException] | None = None) -> None:
        self.written: list[int] = []
        self.calls = 0
        self.fail_at = dict(fail_at or {})

    def process_all(self, batches: Iterable[Sequence[RawRecord]], settled: Settled) -> None:
        self.calls += 1
        for records in batches:
            error = self.fail_at.pop(len(self.written) + 1, None)
            if error is not None:
                raise error
            self.written.append(records[0].offset)
            settled(outcome_of(records))


async def submit_all(feed: LedgerFeed, offsets: Iterable[int]) -> list[BatchOutcome]:
    futures = [feed.submit(batch(o)) for o in offsets]
    return list(await asyncio.gather(*futures))


def test_batches_are_appended_in_the_order_submitted_and_each_hears_its_own_outcome() -> None:
    appends = FakeAppends()
    feed = LedgerFeed(appends, retry_delays=())

    outcomes = asyncio.run(submit_all(feed, range(10)))
    feed.close()

    assert appends.written == list(range(10))
    assert [o.reached[("t.aid.payments", 0)] for o in outcomes] == list(range(10))


def test_an_unreachable_ledger_sends_every_uncommitted_batch_again_in_order() -> None:
    appends = FakeAppends({3: LedgerUnavailable("connection refused")})
    feed = LedgerFeed(appends, retry_delays=(0.0,))

    outcomes = asyncio.run(submit_all(feed, range(5)))
    feed.close()

    assert appends.written == [0, 1, 2, 3, 4]  # nothing twice, nothing skipped
    assert appends.calls == 2
    assert [o.reached[("t.aid.payments", 0)] for o in outcomes] == [0, 1, 2, 3, 4]


def test_a_ledger_unreachable_for_too_long_fails_every_waiting_batch_with_a_clear_error() -> None:
    class GoesDown(FakeAppends):
        """Writes one batch, then the ledger is unreachable for good."""

        def process_all(self, batches: Iterable[Sequence[RawRecord]], settled: Settled) -> None:
            self.fail_at = {
                len(self.written) + (1 if self.written else 2): LedgerUnavailable("down")
            }
            super().process_all(batches, settled)

    appends = GoesDown()
    feed = LedgerFeed(appends, retry_delays=(0.0, 0.0))

    async def run() -> list[BatchOutcome | BaseException]:
        futures = [feed.submit(batch(o)) for o in range(3)]
        return list(await asyncio.gather(*futures, return_exceptions=True))

    first, *rest = asyncio.run(run())
    feed.close()

    assert isinstance(first, BatchOutcome) and appends.written == [0]
    assert appends.calls == 3  # the first try, then one per delay
    assert len(rest) == 2 and all(isinstance(r, BatchFailed) for r in rest)
    assert "a batch of 1 records (first t.aid.payments[0]@1) could not be recorded after 3" in str(
        rest[0]
    )
    # The feed stays failed: a later batch is refused at once with the same error.
    assert isinstance(asyncio.run(submit_all_exceptions(feed)), BatchFailed)


async def submit_all_exceptions(feed: LedgerFeed) -> BaseException | None:
    try:
        await feed.submit(batch(99))
    except BaseException as exc:
        return exc
    return None


def test_a_batch_whose_write_fails_while_no_batch_follows_is_failed_at_once() -> None:
    class WriterFails:
        """Like Ledger.append_all: the writing thread reports the error, the planner waits
        for the next batch."""

        def process_all(self, batches: Iterable[Sequence[RawRecord]], settled: Settled) -> None:
            error = RuntimeError("a projector failed")
            for _ in batches:
                threading.Thread(target=settled, args=(error,)).start()
            raise error

    feed = LedgerFeed(WriterFails(), retry_delays=(0.0,))

    async def run() -> None:
        await asyncio.wait_for(feed.submit(batch(0)), timeout=5)

    with pytest.raises(RuntimeError, match="a projector failed"):
        asyncio.run(run())
    feed.close()
