"""The batch pipeline with fakes: effects are published before the checkpoint moves."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date

import orjson
import pytest

from ledger.errors import LedgerUnavailable
from ledger.payroll.implied import implied_events
from ledger.records import AppendResult, StoredEvent
from schemas.eligibility import BeneficiaryGroup as G
from schemas.eligibility import TerminationReason
from schemas.envelope import Event
from schemas.registry import parse_event
from streams.checkpoints import Positions
from streams.domain import DomainProcessor
from streams.errors import BatchFailed
from streams.intake import triage
from streams.metrics import StreamMetrics
from streams.pipeline import BatchPipeline
from streams.projection import BatchOutcome
from streams.publishing import OutMessage
from streams.records import RawRecord
from tests.fixtures.streams import event_message, invalid_messages, sample_events
from tests.unit.payroll.builders import History
from tests.unit.payroll.test_implied import FakeLedger

PREFIX = "t."


class FakeProjection:
    """Validates like the real one; 'appends' into a list; keeps positions in dicts."""

    consumer = "group-a"

    def __init__(self, unavailable: int = 0) -> None:
        self.appended: list[Event] = []
        self.positions: Positions = {}
        self.checkpoints: Positions = {}
        self.unavailable = unavailable
        self.log: list[str] = []

    def process(self, records: Sequence[RawRecord]) -> BatchOutcome:
        if self.unavailable:
            self.unavailable -= 1
            raise LedgerUnavailable("cannot connect to the ledger database")
        intake = triage(records, PREFIX)
        self.appended.extend(e for _, e in intake.accepted)
        reached: dict[tuple[str, int], int] = {}
        for r in records:
            reached[(r.topic, r.partition)] = max(reached.get((r.topic, r.partition), -1), r.offset)
        self.positions.update(reached)
        self.log.append("append")
        result = AppendResult(appended=())
        return BatchOutcome(result, tuple(intake.accepted), tuple(intake.letters), reached)

    def process_all(
        self,
        batches: Iterable[Sequence[RawRecord]],
        settled: Callable[[BatchOutcome | BaseException], None],
    ) -> None:
        for records in batches:
            settled(self.process(records))

    def resume_offsets(self) -> Positions:
        return {tp: o + 1 for tp, o in {**self.positions, **self.checkpoints}.items()}

    def stored_positions(self) -> Positions:
        return dict(self.positions)

    def checkpoint(self, reached: Positions) -> None:
        self.log.append("checkpoint")
        self.checkpoints.update(reached)


class FakeDomain:
    """Implies one 'echo' event per eligibility event: a re-published copy of it."""

    def implied(self, events: Iterable[Event]) -> list[Event]:
        return [e for e in events if e.family == "eligibility"]


class FakePublisher:
    def __init__(self, log: list[str], fail: bool = False) -> None:
        self.sent: list[OutMessage] = []
        self.log = log
        self.fail = fail

    async def publish(self, messages: Sequence[OutMessage]) -> None:
        if self.fail:
            raise ConnectionError("broker unreachable")
        self.log.append("publish")
        self.sent.extend(messages)


def records_of(values: list[tuple[str, bytes]], partition: int = 0) -> list[RawRecord]:
    """Records numbered from offset 0 in each topic, in the order given."""
    offsets: dict[str, int] = {}
    out = []
    for topic, value in values:
        offset = offsets[topic] = offsets.get(topic, -1) + 1
        out.append(RawRecord(PREFIX + topic, partition, offset, b"k", value))
    return out


def mixed_records() -> list[RawRecord]:
    """9 valid events (policy, eligibility, BHYT, payments) and 2 invalid payments records."""
    valid = [event_message(e) for e in sample_events(9)]
    bad = [m for m, _ in invalid_messages()]
    return records_of([(m.topic, m.value) for m in [*valid[:4], *bad[:2], *valid[4:]]])


def last_offsets(records: Sequence[RawRecord]) -> dict[tuple[str, int], int]:
    return {(r.topic, r.partition): r.offset for r in records}


def pipeline(
    projection: FakeProjection,
    publisher: FakePublisher | None = None,
    metrics: StreamMetrics | None = None,
) -> BatchPipeline:
    return BatchPipeline(
        projection,
        FakeDomain(),
        publisher or FakePublisher(projection.log),
        metrics or StreamMetrics(),
        worker="w1",
        prefix=PREFIX,
        retry_delays=(0.0, 0.0),
    )


def test_dead_letters_and_implied_events_are_published_before_the_checkpoint() -> None:
    projection = FakeProjection()
    publisher = FakePublisher(projection.log)
    records = mixed_records()

    asyncio.run(pipeline(projection, publisher).process(records))

    assert projection.log == ["append", "publish", "checkpoint"]
    letters = [m for m in publisher.sent if m.topic == "t.aid.deadletter"]
    assert [orjson.loads(m.value)["offset"] for m in letters] == [0, 1]
    implied = [parse_event(m.value) for m in publisher.sent if m.topic == "t.aid.eligibility"]
    assert [e.event_type for e in implied] == ["BeneficiaryRegistered", "EligibilityGranted"]
    assert projection.checkpoints == last_offsets(records)


def test_a_failed_publish_leaves_the_checkpoint_so_the_batch_is_read_again() -> None:
    projection = FakeProjection()
    runner = pipeline(projection, FakePublisher(projection.log, fail=True))

    records = mixed_records()
    with pytest.raises(ConnectionError):
        asyncio.run(runner.process(records))

    assert projection.checkpoints == {}
    # Resumes after the ledger's position; with a checkpoint behind it, after the checkpoint.
    assert projection.resume_offsets() == {tp: o + 1 for tp, o in last_offsets(records).items()}
    assert isinstance(runner.failure, ConnectionError)


def test_the_offsets_to_commit_to_kafka_are_one_past_the_last_record_of_each_partition() -> None:
    projection = FakeProjection()
    records = [*mixed_records(), *records_of([("aid.policy", b"{}")] * 3, partition=2)]

    commit = asyncio.run(pipeline(projection).process(records))

    assert commit[("t.aid.payments", 0)] == 7  # offsets 0..6: 2 invalid, 5 accruals
    assert commit[("t.aid.policy", 2)] == 3
    assert commit == {tp: o + 1 for tp, o in last_offsets(records).items()}


def test_an_unreachable_ledger_is_retried_and_the_batch_then_goes_through() -> None:
    projection = FakeProjection(unavailable=2)

    asyncio.run(pipeline(projection).process(mixed_records()))

    assert len(projection.appended) == 9


def test_a_ledger_unreachable_for_too_long_stops_the_worker_with_a_clear_error() -> None:
    projection = FakeProjection(unavailable=5)
    runner = pipeline(projection)

    with pytest.raises(BatchFailed, match="could not be recorded after 3 attempts"):
        asyncio.run(runner.process(mixed_records()))

    assert projection.appended == [] and projection.checkpoints == {}
    assert isinstance(runner.failure, BatchFailed)


def test_metrics_count_processed_events_and_dead_letters_by_topic() -> None:
    metrics = StreamMetrics()

    asyncio.run(pipeline(FakeProjection(), metrics=metrics).process(mixed_records()))

    def value(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(name, labels)

    assert value("aidledger_events_processed_total", topic="t.aid.eligibility") == 2
    assert value("aidledger_events_processed_total", topic="t.aid.payments") == 5
    assert value("aidledger_deadletters_total", topic="t.aid.payments") == 2
    assert value("aidledger_batch_seconds_count") == 1


def test_ledger_lag_is_measured_from_the_stored_positions_to_the_end_offsets() -> None:
    projection = FakeProjection()
    metrics = StreamMetrics()
    runner = pipeline(projection, metrics=metrics)
    asyncio.run(runner.process(mixed_records()))  # aid.payments offsets 0..6 of partition 0

    asyncio.run(runner.refresh_lag({("t.aid.payments", 0): 11, ("t.aid.payments", 1): None}))

    assert (
        metrics.registry.get_sample_value(
            "aidledger_ledger_lag", {"topic": "t.aid.payments", "partition": "0"}
        )
        == 4
    )
    assert (
        metrics.registry.get_sample_value(
            "aidledger_ledger_lag", {"topic": "t.aid.payments", "partition": "1"}
        )
        is None
    )


class LedgerOf:
    """The events the fake projection appended, read like ``Ledger.events``."""

    def __init__(self, projection: FakeProjection) -> None:
        self.projection = projection

    def events(
        self,
        person_id: str | None = None,
        event_types: list[str] | None = None,
        after_sequence: int = 0,
    ) -> Iterator[StoredEvent]:
        return FakeLedger(self.projection.appended).events(person_id, event_types, after_sequence)


def test_a_death_the_rates_cannot_price_is_recorded_and_its_termination_published() -> None:
    h = History("P-E", born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2021-01")
    h.die(date(2021, 3, 10))  # no standard level then: funeral support cannot be priced
    projection = FakeProjection()
    publisher = FakePublisher(projection.log)
    domain = DomainProcessor(LedgerOf(projection), implied_events)  # type: ignore[arg-type]
    runner = BatchPipeline(
        projection, domain, publisher, StreamMetrics(), worker="w1", prefix=PREFIX
    )
    records = records_of([(m.topic, m.value) for m in map(event_message, h.events)])

    asyncio.run(runner.process(records))  # not a batch failing (and retried) for ever

    published = [parse_event(m.value) for m in publisher.sent]
    assert [(e.event_type, getattr(e, "reason", None)) for e in published] == [
        ("EligibilityTerminated", TerminationReason.DIED)
    ]
    assert projection.checkpoints == last_offsets(records)
    assert runner.failure is None
