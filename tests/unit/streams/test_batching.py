"""Batching at the getmany level: size and time limits, and records read a second time."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from streams.batching import Floors, Rewinds, beyond_end, take

TP = ("t.aid.payments", 0)
TP1 = ("t.aid.payments", 1)


@dataclass(frozen=True)
class Rec:
    topic: str
    partition: int
    offset: int
    key: bytes | None = None
    value: bytes = b"{}"
    timestamp: int | None = None


class FakeFetch:
    """Hands out prepared fetches; each call advances a fake clock by the time it waited."""

    def __init__(self, fetches: list[Mapping[Any, Sequence[Rec]]], wait: float = 0.1) -> None:
        self.fetches = list(fetches)
        self.now = 0.0
        self.wait = wait
        self.timeouts: list[float] = []

    async def __call__(self, timeout: float) -> Mapping[Any, Sequence[Rec]]:
        self.timeouts.append(timeout)
        if self.fetches and self.wait <= timeout:
            self.now += self.wait
            return self.fetches.pop(0)
        self.now += timeout  # nothing arrived in time
        return {}

    def clock(self) -> float:
        return self.now


def recs(tp: tuple[str, int], first: int, n: int) -> list[Rec]:
    return [Rec(tp[0], tp[1], first + i) for i in range(n)]


def run_take(fetch: FakeFetch, floors: Floors | None = None, **kw: Any) -> Any:
    args = {"max_records": 1000, "within": 0.5, "idle_timeout": 1.0, **kw}
    return asyncio.run(take(fetch, floors or Floors(), clock=fetch.clock, **args))


def test_a_batch_stops_growing_at_the_record_limit() -> None:
    fetch = FakeFetch([{TP: recs(TP, 0, 600)}, {TP1: recs(TP1, 0, 600)}, {TP: recs(TP, 600, 9)}])

    taken = run_take(fetch)

    assert len(taken.records) == 1200
    assert len(fetch.fetches) == 1  # the third fetch was left for the next batch


def test_a_batch_is_what_arrived_within_the_wait_after_its_first_record() -> None:
    fetch = FakeFetch([{TP: recs(TP, 0, 5)}, {TP: recs(TP, 5, 5)}, {TP: recs(TP, 10, 5)}], wait=0.3)

    taken = run_take(fetch, within=0.5)

    assert [r.offset for r in taken.records] == list(range(10))
    assert len(fetch.fetches) == 1  # arrived too late for this batch


def test_nothing_to_read_returns_an_empty_batch_after_the_idle_timeout() -> None:
    fetch = FakeFetch([])

    taken = run_take(fetch, idle_timeout=1.0)

    assert taken.records == [] and fetch.timeouts == [1.0]


def test_records_keep_their_kafka_coordinates_and_bytes() -> None:
    fetch = FakeFetch([{TP1: [Rec(TP1[0], 1, 44, b"P7", b'{"x":1}', 1700000000000)]}])

    (record,) = run_take(fetch).records

    assert (record.topic, record.partition, record.offset) == (TP1[0], 1, 44)
    assert (record.key, record.value, record.timestamp_ms) == (b"P7", b'{"x":1}', 1700000000000)


def test_records_below_the_stored_position_are_dropped_and_the_partition_sought_forward() -> None:
    floors = Floors()
    floors.reset({TP: 100})
    fetch = FakeFetch([{TP: recs(TP, 90, 5)}, {TP: recs(TP, 100, 3)}])

    first = run_take(fetch, floors)

    assert first.records == [] and first.behind == {TP: 100}
    second = run_take(fetch, floors)
    assert [r.offset for r in second.records] == [100, 101, 102]


def test_a_partly_old_fetch_keeps_only_the_new_records() -> None:
    floors = Floors()
    floors.reset({TP: 3})
    fetch = FakeFetch([{TP: recs(TP, 0, 6)}])

    taken = run_take(fetch, floors)

    assert [r.offset for r in taken.records] == [3, 4, 5]
    assert taken.behind == {}


def test_a_record_taken_once_is_not_taken_again_after_a_seek_back() -> None:
    floors = Floors()
    fetch = FakeFetch([{TP: recs(TP, 0, 4)}])
    run_take(fetch, floors)

    assert floors.admit(TP, recs(TP, 2, 4)) == recs(TP, 4, 2)
    assert floors.next_offset(TP) == 6


def test_a_partition_that_keeps_falling_back_below_its_floor_is_reported() -> None:
    floors, rewinds = Floors(), Rewinds(limit=3)
    floors.reset({TP: 5000})
    # A recreated topic: the seek past its end is reset to 0 every time.
    fetch = FakeFetch([{TP: recs(TP, 0, 10)}, {TP: recs(TP, 0, 10)}, {TP: recs(TP, 0, 10)}])

    stuck = [rewinds.note(run_take(fetch, floors)) for _ in range(3)]

    assert stuck == [[], [], [TP]]


def test_a_stored_position_past_the_partitions_end_is_reported_after_a_few_rounds() -> None:
    floors, rewinds = Floors(), Rewinds(limit=2)
    floors.reset({TP: 5000, TP1: 40})
    ends = {TP: 200, TP1: 40}  # TP1 is simply caught up

    assert beyond_end(floors, ends) == [TP]
    assert rewinds.note(run_take(FakeFetch([]), floors), beyond_end(floors, ends)) == []
    assert rewinds.note(run_take(FakeFetch([]), floors), beyond_end(floors, ends)) == [TP]


def test_an_unknown_end_is_no_evidence() -> None:
    floors = Floors()
    floors.reset({TP: 5000})

    assert beyond_end(floors, {TP: None, TP1: 3}) == []


def test_a_partition_that_moves_on_after_a_seek_is_not_reported() -> None:
    floors, rewinds = Floors(), Rewinds(limit=2)
    floors.reset({TP: 10})
    fetch = FakeFetch([{TP: recs(TP, 0, 5)}, {TP: recs(TP, 10, 5)}, {TP: recs(TP, 0, 5)}])

    rounds = [rewinds.note(run_take(fetch, floors, within=0.0)) for _ in range(3)]

    assert rounds == [[], [], []]
