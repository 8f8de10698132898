"""The ledger projection on a real PostgreSQL: events, dead letters and positions commit
together, conflicts are caught inside the append, and reading a batch again changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from connectors.cli.streams_cmd import domain_projectors
from ledger import Ledger
from ledger.records import StoredEvent
from schemas import canonical_json
from schemas.payments import AllowanceAccrued
from streams.deadletter_store import DeadLetterStore
from streams.feed import LedgerFeed
from streams.projection import BatchOutcome, LedgerProjection
from streams.records import RawRecord
from tests.fixtures.streams import Message, event_message, invalid_messages, sample_events

pytestmark = pytest.mark.integration
PREFIX = "p."
GROUP = "group-a"


class Exploding:
    """A projector that fails the append after the dead letters were written."""

    name = "exploding"

    def project(self, conn: Any, batch: Sequence[StoredEvent]) -> None:
        raise RuntimeError("projector failed")


class DropsOnce:
    """A projector during whose work the connection to the database is lost, once."""

    name = "drops-once"

    def __init__(self, at_call: int) -> None:
        self.calls = 0
        self.at_call = at_call

    def project(self, conn: Any, batch: Sequence[StoredEvent]) -> None:
        self.calls += 1
        if self.calls == self.at_call:
            with conn.cursor() as cur:  # as when the server restarts: the session ends
                cur.execute("SELECT pg_terminate_backend(pg_backend_pid())")


def build(url: str, *extra: Any) -> LedgerProjection:
    ledger = Ledger(create_engine(url), projectors=[*domain_projectors(), *extra])
    return LedgerProjection(ledger, GROUP, PREFIX, "worker-1")


@pytest.fixture
def projection(ledger_db_url: str) -> Iterator[LedgerProjection]:
    p = build(ledger_db_url)
    try:
        yield p
    finally:
        p.ledger.engine.dispose()


def as_records(messages: Sequence[Message], first_offset: int = 0) -> list[RawRecord]:
    """Records in partition 0 of their topics, numbered per topic from ``first_offset``."""
    offsets: dict[str, int] = {}
    out = []
    for m in messages:
        offset = offsets[m.topic] = offsets.get(m.topic, first_offset - 1) + 1
        out.append(RawRecord(PREFIX + m.topic, 0, offset, m.key, m.value))
    return out


def an_accrual() -> Any:
    (accrual,) = [e for e in sample_events(5) if e.event_type == "AllowanceAccrued"][:1]
    return accrual


def rows(projection: LedgerProjection, sql: str) -> list[tuple[Any, ...]]:
    with projection.ledger.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]


def test_a_batch_records_events_dead_letters_and_positions_together(
    projection: LedgerProjection,
) -> None:
    bad = invalid_messages()
    records = as_records([*map(event_message, sample_events(30)), *(m for m, _ in bad)])

    outcome = projection.process(records)

    assert len(outcome.result.appended) == 30
    stored = rows(
        projection,
        'SELECT topic, partition, "offset", kind, reason, value '
        'FROM ledger.deadletters ORDER BY topic, "offset"',
    )
    assert len(stored) == len(bad) == len(outcome.letters)
    for (message, phrase), letter in zip(bad, outcome.letters, strict=True):
        assert (PREFIX + message.topic, message.value) == (letter.record.topic, letter.record.value)
        (row,) = [r for r in stored if r[0] == letter.record.topic and r[2] == letter.record.offset]
        assert row[3] == "invalid" and phrase in row[4] and bytes(row[5]) == message.value
    # Positions cover the valid records; the invalid ones are settled by their dead letters.
    assert projection.ledger.positions(GROUP) == {
        (r.topic, r.partition): r.offset for r, _ in outcome.accepted
    }


def test_a_conflicting_duplicate_is_refused_and_dead_lettered_with_the_reason(
    projection: LedgerProjection,
) -> None:
    event = an_accrual()
    changed = event.model_copy(update={"amount_vnd": event.amount_vnd + 1})
    projection.process(as_records([event_message(event)]))

    outcome = projection.process(as_records([event_message(changed)], first_offset=1))

    assert len(outcome.result.conflicts) == 1 and outcome.accepted == ()
    ((kind, reason, event_id, value),) = rows(
        projection, "SELECT kind, reason, event_id::text, value FROM ledger.deadletters"
    )
    assert (kind, event_id) == ("conflict", str(event.event_id))
    assert "same id, different content" in reason and "p.aid.payments[0]@1" in reason
    assert bytes(value) == canonical_json(changed)
    assert rows(projection, "SELECT count(*) FROM ledger.events") == [(1,)]


def test_a_record_whose_text_holds_a_nul_is_dead_lettered_and_the_batch_goes_on(
    projection: LedgerProjection,
) -> None:
    registered = next(e for e in sample_events(3) if e.event_type == "BeneficiaryRegistered")
    bad = registered.model_copy(update={"full_name": "Nguyễn Văn A\x00"})
    records = as_records([event_message(an_accrual()), event_message(bad)])

    outcome = projection.process(records)

    assert len(outcome.result.appended) == 1 and [d.record for d in outcome.letters] == [records[1]]
    ((kind, reason, event_id),) = rows(
        projection, "SELECT kind, reason, event_id::text FROM ledger.deadletters"
    )
    assert (kind, event_id) == ("invalid", str(bad.event_id))
    assert "p.aid.eligibility[0]@0" in reason and "full_name: contains a NUL character" in reason
    # what was stored reads back as jsonb, and the positions moved past the refused record
    assert rows(projection, "SELECT body->>'event_type' FROM ledger.events") == [
        ("AllowanceAccrued",)
    ]
    assert outcome.reached[("p.aid.eligibility", 0)] == 0


@pytest.mark.parametrize(
    "value",
    [
        # the refused id is quoted in the reason; a field name is named in the problems
        b'{"event_type": "BeneficiaryDied", "event_id": "P\\u0000"}',
        b'{"event_type": "BeneficiaryDied", "event_id": "00000000-0000-0000-0000-000000000001",'
        b' "\\u0000": 1}',
    ],
)
def test_an_invalid_record_whose_reason_would_quote_a_nul_is_dead_lettered_and_the_batch_goes_on(
    projection: LedgerProjection, value: bytes
) -> None:
    records = as_records([event_message(an_accrual()), Message("aid.eligibility", b"P1", value)])

    outcome = projection.process(records)

    assert len(outcome.result.appended) == 1 and [d.record for d in outcome.letters] == [records[1]]
    ((kind, reason, stored),) = rows(
        projection, "SELECT kind, reason, value FROM ledger.deadletters"
    )
    assert kind == "invalid" and "p.aid.eligibility[0]@0" in reason and "\\u0000" in reason
    assert bytes(stored) == value
    assert rows(projection, "SELECT problems::text FROM ledger.deadletters")[0][0].startswith("[")


def test_a_conflict_inside_one_batch_is_caught_too(projection: LedgerProjection) -> None:
    event = an_accrual()
    changed = event.model_copy(update={"amount_vnd": 1})

    outcome = projection.process(as_records([event_message(event), event_message(changed)]))

    assert [d.record.offset for d in outcome.letters] == [1]
    assert [d.kind.value for d in outcome.letters] == ["conflict"]


def test_a_batch_read_again_after_a_crash_changes_nothing(projection: LedgerProjection) -> None:
    event = an_accrual()
    changed = event.model_copy(update={"amount_vnd": 1})
    messages = [
        *map(event_message, sample_events(20)),
        invalid_messages()[0][0],
        event_message(changed),
    ]
    records = as_records(messages)
    projection.process(records)
    before = rows(projection, "SELECT deadletter_id, kind FROM ledger.deadletters ORDER BY 1")

    again = projection.process(records)

    assert again.result.appended == () and again.result.skipped == 21
    assert (
        rows(projection, "SELECT deadletter_id, kind FROM ledger.deadletters ORDER BY 1") == before
    )
    assert sorted(k for _, k in before) == ["conflict", "invalid"]
    assert rows(projection, "SELECT count(*) FROM ledger.events") == [(20,)]


def test_a_batch_read_again_after_a_crash_gives_its_conflicts_again_to_be_published(
    projection: LedgerProjection,
) -> None:
    event = an_accrual()
    changed = event.model_copy(update={"amount_vnd": 1})
    records = as_records([event_message(event), invalid_messages()[0][0], event_message(changed)])
    first = projection.process(records)
    # The worker stopped before publishing the dead letters: it reads the batch again.

    again = projection.process(records)

    assert again.result.skipped == 2 and again.result.conflicts == ()
    assert sorted((d.deadletter_id, d.kind, d.record, d.reason) for d in again.letters) == sorted(
        (d.deadletter_id, d.kind, d.record, d.reason) for d in first.letters
    )
    assert [d.kind.value for d in first.letters] == ["invalid", "conflict"]
    assert again.accepted == ((records[0], event),)
    assert rows(projection, "SELECT count(*) FROM ledger.deadletters") == [(2,)]


def test_batches_in_flight_together_record_what_one_by_one_appends_record(
    projection: LedgerProjection,
) -> None:
    events = sample_events(40)
    (event, *_) = [e for e in events[:20] if isinstance(e, AllowanceAccrued)]
    changed = event.model_copy(update={"amount_vnd": event.amount_vnd + 1})
    first = as_records(list(map(event_message, events[:20])))
    second = as_records(
        [invalid_messages()[0][0], event_message(changed), *map(event_message, events[20:])],
        first_offset=100,
    )
    heard: list[BatchOutcome | BaseException] = []

    # The first batch again (a redelivery) while the others are in flight.
    projection.process_all([first, second, first], heard.append)

    outcomes = [o for o in heard if isinstance(o, BatchOutcome)]
    assert len(outcomes) == len(heard) == 3
    assert [len(o.result.appended) for o in outcomes] == [20, 20, 0]
    assert outcomes[2].result.skipped == 20
    assert [d.kind.value for d in outcomes[1].letters] == ["invalid", "conflict"]
    assert len(outcomes[1].result.conflicts) == 1 and len(outcomes[1].accepted) == 20
    assert rows(projection, "SELECT kind FROM ledger.deadletters ORDER BY kind") == [
        ("conflict",),
        ("invalid",),
    ]
    assert rows(projection, "SELECT count(*) FROM ledger.events") == [(40,)]
    valid = [*first, *second[1:]]  # second[0] is the invalid record
    expected: dict[tuple[str, int], int] = {}
    for r in valid:
        expected[(r.topic, r.partition)] = max(expected.get((r.topic, r.partition), -1), r.offset)
    assert projection.ledger.positions(GROUP) == expected


def test_a_failed_append_writes_neither_events_nor_dead_letters_nor_positions(
    ledger_db_url: str,
) -> None:
    failing = build(ledger_db_url, Exploding())
    records = as_records([*map(event_message, sample_events(5)), invalid_messages()[0][0]])

    with pytest.raises(RuntimeError, match="projector failed"):
        failing.process(records)

    assert rows(
        failing,
        "SELECT (SELECT count(*) FROM ledger.events), "
        "(SELECT count(*) FROM ledger.deadletters), "
        "(SELECT count(*) FROM ledger.positions)",
    ) == [(0, 0, 0)]
    failing.ledger.engine.dispose()


def test_a_worker_resumes_after_the_checkpoint_or_else_the_ledgers_position(
    projection: LedgerProjection,
) -> None:
    records = as_records([*map(event_message, sample_events(12)), invalid_messages()[0][0]])
    outcome = projection.process(records)
    payments = (PREFIX + "aid.payments", 0)

    invalid_offset = outcome.letters[0].record.offset
    assert outcome.reached[payments] == invalid_offset

    # The ledger holds the accruals up to just before the invalid record: read it again.
    assert projection.resume_offsets()[payments] == invalid_offset
    projection.checkpoint(outcome.reached)
    assert projection.resume_offsets()[payments] == invalid_offset + 1


def test_dead_letters_are_append_only_and_listed_newest_first(
    projection: LedgerProjection,
) -> None:
    projection.process(as_records([m for m, _ in invalid_messages()]))
    store = DeadLetterStore(projection.ledger.engine)

    listed = store.list()
    assert len(listed) == len(invalid_messages())
    assert store.get(str(listed[0].deadletter_id)[:8]).deadletter_id == listed[0].deadletter_id
    with pytest.raises(DBAPIError, match="append-only"), projection.ledger.engine.begin() as c:
        c.exec_driver_sql("DELETE FROM ledger.deadletters")


def test_batches_in_flight_when_the_database_goes_away_are_all_sent_again_and_recorded(
    ledger_db_url: str,
) -> None:
    projection = build(ledger_db_url, DropsOnce(at_call=2))
    events = sample_events(1200)
    batches = [
        as_records(list(map(event_message, events[start : start + 200])), first_offset=start)
        for start in range(0, len(events), 200)
    ]
    feed = LedgerFeed(projection, retry_delays=(0.1, 0.1))

    async def submit_all() -> list[BatchOutcome]:
        futures = [feed.submit(records) for records in batches]
        return list(await asyncio.wait_for(asyncio.gather(*futures), timeout=60))

    outcomes = asyncio.run(submit_all())
    feed.close()

    assert sum(len(o.result.appended) for o in outcomes) == len(events)
    assert rows(projection, "SELECT count(*) FROM ledger.events") == [(len(events),)]
    projection.ledger.engine.dispose()
