"""Ledger.append_all: batches prepared ahead must leave exactly what one-by-one appends leave."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import create_engine

from ledger import AppendResult, Incoming, KafkaOrigin, Ledger, verify_chain
from ledger.audit import history
from ledger.audit import replay as rp
from ledger.audit.db import Database
from ledger.errors import NoPostingRule
from ledger.payroll.projector import PayrollProjector
from ledger.pipelined import PipelinedAppender, Plan
from ledger.reconciliation.projector import ReconciliationProjector
from ledger.storage import raw_connection
from schemas import Event
from tests.fixtures.ledger import DatabaseFactory, running_balances_hold
from tests.unit.ledger.builders import (
    accrual,
    card_issued,
    card_revoked,
    disbursement,
    handout,
    one_of_each,
    registered,
)

pytestmark = pytest.mark.integration

TABLES = {
    "events": "sequence, event_id, payload, prev_hash, hash, kafka_topic, kafka_offset",
    "journal_entries": "*",
    "postings": "*",
    "accounts": "*",
    "balances": "*",
    "coverage": "*",
    "positions": "consumer, topic, partition, last_offset, last_sequence",
}


def _dump(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    with ledger.engine.connect() as conn:
        return {
            table: [
                tuple(r)
                for r in conn.exec_driver_sql(
                    f"SELECT {columns} FROM ledger.{table} ORDER BY 1, 2, 3"
                ).fetchall()
            ]
            for table, columns in TABLES.items()
        }


def _person(n: int) -> list[Event]:
    p = f"P{n}"
    return [
        registered(p),
        card_issued(p, f"BT284{n:010d}", "2024-01-01", "2024-12-31"),
        accrual(p, 500_000, "2024-07"),
        disbursement(p, 500_000, "2024-07-05"),
        accrual(p, 500_000, "2024-08"),
        handout(p, "RICE-10KG", 1 + n % 3, 180_000),
    ]


def _batches(events: Sequence[Event], size: int) -> list[list[Incoming]]:
    items = [Incoming(e, KafkaOrigin("aid.events", 0, o)) for o, e in enumerate(events)]
    return [items[i : i + size] for i in range(0, len(items), size)]


@pytest.fixture
def other(ledger_databases: DatabaseFactory) -> Iterator[Ledger]:
    """A second, empty ledger database for the one-by-one reference."""
    with ledger_databases() as url:
        engine = create_engine(url)
        try:
            yield Ledger(engine)
        finally:
            engine.dispose()


def _same_outcome(got: list[AppendResult], expected: list[AppendResult]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert [s.payload for s in g.appended] == [s.payload for s in e.appended]
        assert [s.hash for s in g.appended] == [s.hash for s in e.appended]
        assert (g.already_recorded, g.skipped) == (e.already_recorded, e.skipped)
        assert [c.event_id for c in g.conflicts] == [c.event_id for c in e.conflicts]


def test_pipelined_batches_leave_every_table_as_one_by_one_appends_do(
    ledger: Ledger, other: Ledger
) -> None:
    events = [e for n in range(40) for e in _person(n)] + one_of_each()
    events.append(card_revoked("P3", "BT2840000000003", "2024-09-01"))
    batches = _batches(events, 17)
    got = list(ledger.append_all(batches, consumer="c"))
    expected = [other.append(b, consumer="c") for b in batches]
    _same_outcome(got, expected)
    assert _dump(ledger) == _dump(other)
    assert verify_chain(ledger.engine) is None


def test_replays_and_redeliveries_across_batches_in_flight_give_the_one_by_one_results(
    ledger: Ledger, other: Ledger
) -> None:
    events = [e for n in range(12) for e in _person(n)]
    batches = _batches(events, 10)
    replayed = [Incoming(events[3]), Incoming(events[11]), batches[0][2]]  # id, id, offset
    changed = Incoming(events[4].model_copy(update={"amount_vnd": 1}))  # a conflict
    batches.insert(2, [*replayed, changed, Incoming(accrual("P99", 100, "2024-07"))])
    batches.append(batches[-1])  # the whole last batch delivered again
    got = list(ledger.append_all(batches, consumer="c"))
    expected = [other.append(b, consumer="c") for b in batches]
    _same_outcome(got, expected)
    assert got[2].already_recorded and got[2].conflicts and got[-1].skipped
    assert _dump(ledger) == _dump(other)


def appender_of(ledger: Ledger) -> PipelinedAppender:
    """The appender behind ``ledger.append_all``, kept to read its counters."""
    return PipelinedAppender(
        lambda: raw_connection(ledger.engine), "ledger", None, ledger.projectors
    )


def test_another_appender_going_in_between_is_noticed_and_the_chain_stays_whole(
    ledger: Ledger,
) -> None:
    interloper = Ledger(ledger.engine)

    def batches() -> Iterator[list[Event]]:
        for n in range(6):
            if n == 2:  # batch 2 is planned on the head batch 1 leaves: no longer the head
                interloper.append(_person(100))
            yield _person(n)

    appender = appender_of(ledger)
    results = list(appender.append_all(batches()))
    assert appender.rebases >= 1 and appender.fallbacks == 0
    assert [len(r.appended) for r in results] == [6] * 6
    with ledger.engine.connect() as conn:
        count, top = conn.exec_driver_sql("SELECT count(*), max(sequence) FROM ledger.events").one()
    assert (count, top) == (42, 42)
    assert verify_chain(ledger.engine) is None
    assert ledger.balances("P5").accrued == 1_000_000
    assert ledger.account_balance("program:84:allowance_expense") == 7 * 1_000_000


def test_while_another_appender_keeps_going_in_between_plans_are_rebased_not_thrown_away(
    ledger: Ledger, other: Ledger
) -> None:
    interloper = Ledger(ledger.engine)
    reference = Ledger(other.engine)
    mine = [e for n in range(12) for e in _person(n)]
    theirs = {n: _person(100 + n) for n in range(2, 12)}

    def batches(aside: Ledger) -> Iterator[list[Incoming]]:
        for n, batch in enumerate(_batches(mine, 6)):
            if n in theirs:  # a second writer appends before every batch from here on
                aside.append(theirs[n])
            yield batch

    appender = appender_of(ledger)
    appender.consumer = "c"
    results = list(appender.append_all(batches(interloper)))
    expected = [other.append(b, consumer="c") for b in batches(reference)]

    # Every plan found stale was placed after the other writer's events, none redone.
    assert appender.rebases >= 1 and appender.fallbacks == 0
    assert [len(r.appended) for r in results] == [6] * 12
    # The two writers interleave differently in the reference; each batch is the same.
    assert [[s.payload for s in r.appended] for r in results] == [
        [s.payload for s in r.appended] for r in expected
    ]
    assert running_balances_hold(ledger.engine) and running_balances_hold(other.engine)
    for person in ("P0", "P5", "P11", "P105", "P111"):
        assert ledger.balances(person) == other.balances(person)
    assert ledger.head()[0] == 6 * 22
    assert verify_chain(ledger.engine) is None
    assert ledger.account_balance("program:84:allowance_expense") == 22 * 1_000_000


def test_read_model_rows_staged_with_a_rebased_plan_name_the_sequences_their_events_got(
    ledger: Ledger,
) -> None:
    projectors = [*ledger.projectors, PayrollProjector(), ReconciliationProjector()]
    interloper = Ledger(ledger.engine, projectors=projectors)
    # Every event type, then people: lists, reports, funds, closes, levels and people's facts.
    mine = one_of_each() + [e for n in range(6) for e in _person(n)]

    def batches() -> Iterator[list[Incoming]]:
        for n, batch in enumerate(_batches(mine, 5)):
            if n:  # a second writer appends before every batch after the first
                interloper.append(_person(200 + n))
            yield batch

    appender = PipelinedAppender(lambda: raw_connection(ledger.engine), "ledger", None, projectors)
    assert sum(len(r.appended) for r in appender.append_all(batches())) == len(mine)
    assert appender.rebases >= 3 and appender.fallbacks == 0

    # A replay of the ledger's history, one batch after another, projects every read model
    # with the sequences the events have: the live tables must be the same, row for row.
    url = ledger.engine.url.render_as_string(hide_password=False)
    db = Database.from_url(url)
    replayed = rp.rebuild(
        url, "staged_check", history.from_store(db, "ledger"), projectors[1:], source="store"
    )
    try:
        assert rp.check(db, "ledger", replayed, exact=True).differences == []
    finally:
        rp.drop(db, "staged_check")
    with ledger.engine.connect() as conn:
        reports = conn.exec_driver_sql(
            "SELECT count(*), count(*) FILTER (WHERE r.sequence = e.sequence) "
            "FROM ledger.postoffice_reports r JOIN ledger.events e USING (event_id)"
        ).one()
    assert reports[0] >= 7 and reports[0] == reports[1]


def test_a_plan_whose_partition_another_worker_processed_meanwhile_is_appended_anew(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    rival = Ledger(ledger.engine)
    events = [e for n in range(4) for e in _person(n)]
    batches = _batches(events, 6)
    appender = appender_of(ledger)
    appender.consumer = "c"
    write = appender._write

    def rival_first(conn: Any, plan: Plan) -> AppendResult:
        if plan.number == 3:  # planned, then the partition moved: another worker took it
            rival.append(batches[2], consumer="c")
        return write(conn, plan)

    monkeypatch.setattr(appender, "_write", rival_first)
    results = list(appender.append_all(batches))
    assert (appender.fallbacks, appender.rebases) == (1, 0)
    assert [len(r.appended) for r in results] == [6, 6, 0, 6]
    assert results[2].skipped == 6
    assert ledger.head()[0] == 24
    assert verify_chain(ledger.engine) is None


def test_an_error_stops_the_run_with_the_batches_before_it_committed(ledger: Ledger) -> None:
    batches: list[list[Event]] = [_person(1), _person(2)]
    bad = registered("P3").model_copy(update={"event_type": "NotAType"})
    seen: list[AppendResult] = []
    with pytest.raises(NoPostingRule):
        for result in ledger.append_all([*batches, [bad], _person(4)]):
            seen.append(result)
    assert [len(r.appended) for r in seen] == [6, 6]
    assert ledger.head()[0] == 12
    assert ledger.balances("P4").accrued == 0


def test_the_running_balance_check_finds_a_posting_that_does_not_follow_its_account(
    ledger: Ledger,
) -> None:
    ledger.append(_person(1) + _person(2))
    assert running_balances_hold(ledger.engine)
    with ledger.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE ledger.postings DISABLE TRIGGER postings_append_only")
        conn.exec_driver_sql(
            "UPDATE ledger.postings SET balance_before = balance_before + 1, balance_after ="
            " balance_after + 1 WHERE (sequence, n) = (SELECT max(sequence), 1 FROM"
            " ledger.postings WHERE account = 'program:84:allowance_expense')"
        )
        conn.exec_driver_sql("ALTER TABLE ledger.postings ENABLE TRIGGER postings_append_only")
    assert not running_balances_hold(ledger.engine)
