"""Appending to the real PostgreSQL ledger: chain, journal, idempotency, conflicts, projectors."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import Any

import psycopg2
import pytest
from sqlalchemy import create_engine

from ledger import Incoming, KafkaOrigin, Ledger
from ledger.projectors import Numbered
from schemas import EVENT_TYPES, InvalidEvent
from tests.fixtures.ledger import DatabaseFactory
from tests.unit.ledger.builders import accrual, disbursement, one_of_each, registered

pytestmark = pytest.mark.integration


def _query(ledger: Ledger, sql: str) -> list[tuple[Any, ...]]:
    with ledger.engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(sql).fetchall()]


def _counts(ledger: Ledger) -> tuple[Any, ...]:
    return _query(
        ledger,
        "SELECT (SELECT count(*) FROM ledger.events), "
        "(SELECT count(*) FROM ledger.journal_entries), "
        "(SELECT count(*) FROM ledger.postings), "
        "(SELECT count(*) FROM ledger.accounts)",
    )[0]


def test_a_batch_gets_gap_free_sequences_and_one_hash_chain_from_zero(ledger: Ledger) -> None:
    first = ledger.append([registered("P1"), accrual("P1", 500_000, "2024-07")])
    second = ledger.append([disbursement("P1", 500_000, "2024-07-05")])
    rows = _query(
        ledger, "SELECT sequence, payload, prev_hash, hash FROM ledger.events ORDER BY sequence"
    )
    assert [r[0] for r in rows] == [1, 2, 3]
    previous = bytes(32)
    for _, payload, prev, digest in rows:
        assert bytes(prev) == previous
        assert bytes(digest) == hashlib.sha256(previous + payload.encode()).digest()
        previous = bytes(digest)
    assert (first.first_sequence, first.last_sequence, second.first_sequence) == (1, 2, 3)
    assert ledger.head() == (3, previous)


def test_the_stored_payload_is_the_canonical_json_and_the_body_the_same_document(
    ledger: Ledger,
) -> None:
    event = accrual("P1", 500_000, "2024-07")
    (stored,) = ledger.append([event]).appended
    (row,) = _query(
        ledger,
        "SELECT payload, body->>'amount_vnd', event_type, person_id, "
        "business_date::text FROM ledger.events",
    )
    assert row[0].encode() == stored.payload
    assert row[1:] == ("500000", "AllowanceAccrued", "P1", "2024-07-01")
    (back,) = ledger.events()
    assert back.event == event and back.payload == stored.payload


def test_postings_of_every_event_type_sum_to_zero_per_asset(ledger: Ledger) -> None:
    result = ledger.append(one_of_each())
    assert len(result.appended) == len(EVENT_TYPES)
    unbalanced = _query(
        ledger,
        "SELECT sequence, asset FROM ledger.postings "
        "GROUP BY sequence, asset HAVING sum(amount) <> 0",
    )
    assert unbalanced == []
    types = _query(
        ledger,
        "SELECT count(DISTINCT j.event_type), sum(j.posting_count), "
        "(SELECT count(*) FROM ledger.postings) FROM ledger.journal_entries j",
    )
    assert types[0][0] == len(EVENT_TYPES) and types[0][1] == types[0][2] > 0


def test_the_database_refuses_an_unbalanced_entry(ledger: Ledger, ledger_db_url: str) -> None:
    ledger.append([accrual("P1", 500_000, "2024-07")])
    conn = psycopg2.connect(ledger_db_url.replace("postgresql+psycopg2", "postgresql"))
    try:
        with (
            conn.cursor() as cur,
            pytest.raises(psycopg2.errors.CheckViolation, match="does not balance"),
        ):
            cur.execute(
                "INSERT INTO ledger.postings VALUES "
                "(1, 3, 'person:P1:paid', 'VND', 5, 0, 5, '2024-07-01', now())"
            )
    finally:
        conn.close()


def test_a_replayed_batch_changes_nothing_and_is_reported_as_already_recorded(
    ledger: Ledger,
) -> None:
    batch = [
        registered("P1"),
        accrual("P1", 500_000, "2024-07"),
        disbursement("P1", 400_000, "2024-07-05"),
    ]
    ledger.append(batch)
    before = (_counts(ledger), ledger.balances("P1"), ledger.head())
    again = ledger.append(batch)
    assert again.appended == () and again.conflicts == ()
    assert set(again.already_recorded) == {e.event_id for e in batch}
    assert (_counts(ledger), ledger.balances("P1"), ledger.head()) == before


def test_a_conflicting_duplicate_is_refused_and_reported_and_the_rest_proceeds(
    ledger: Ledger,
) -> None:
    original = accrual("P1", 500_000, "2024-07")
    ledger.append([original])
    changed = original.model_copy(update={"amount_vnd": 900_000})
    other = accrual("P2", 360_000, "2024-07")
    result = ledger.append([changed, other])
    (conflict,) = result.conflicts
    assert conflict.event_id == original.event_id and conflict.stored_sequence == 1
    assert "different content" in str(conflict)
    assert [s.event.event_id for s in result.appended] == [other.event_id]
    assert ledger.balances("P1").accrued == 500_000
    assert ledger.balances("P2").accrued == 360_000


def test_duplicates_inside_one_batch_are_recorded_once(ledger: Ledger) -> None:
    event = accrual("P1", 500_000, "2024-07")
    result = ledger.append([event, event, event.model_copy(update={"amount_vnd": 1})])
    assert len(result.appended) == 1
    assert result.already_recorded == (event.event_id,)
    assert result.conflicts[0].stored_sequence == 1
    assert ledger.balances("P1").accrued == 500_000


def test_the_balances_table_equals_the_sum_of_postings_per_account(ledger: Ledger) -> None:
    for _ in range(3):
        ledger.append(one_of_each())
    ledger.append([accrual(f"P{i}", 1000 * i, "2024-07") for i in range(1, 50)])
    diff = _query(
        ledger,
        "SELECT b.account, b.asset FROM ledger.balances b FULL JOIN "
        "(SELECT account, asset, sum(amount) s, max(sequence) m FROM ledger.postings "
        "GROUP BY 1, 2) p USING (account, asset) "
        "WHERE b.balance IS DISTINCT FROM p.s OR b.last_sequence IS DISTINCT FROM p.m",
    )
    assert diff == []
    last = _query(
        ledger,
        "SELECT count(*) FROM ledger.postings p JOIN ledger.balances b "
        "USING (account, asset) WHERE p.sequence = b.last_sequence "
        "AND p.balance_after <> b.balance",
    )
    assert last == [(0,)]


def test_concurrent_appenders_interleave_into_one_gap_free_chain(ledger: Ledger) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for _ in range(5):
                ledger.append([accrual(f"W{worker}", 1000, "2024-07") for _ in range(20)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _query(ledger, "SELECT count(*), min(sequence), max(sequence) FROM ledger.events") == [
        (400, 1, 400)
    ]
    assert ledger.account_balance("program:84:allowance_expense") == 400_000
    from ledger import verify_chain

    assert verify_chain(ledger.engine) is None


class _Recording:
    name = "recording"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.seen: list[tuple[int, int]] = []

    def project(self, conn: Any, batch: Sequence[Numbered]) -> None:
        with conn.cursor() as cur:  # inside the append transaction: the rows are visible
            cur.execute("SELECT count(*) FROM events")  # search_path starts with the schema
            (count,) = cur.fetchone()
        self.seen.append((len(batch), count))
        if self.fail:
            raise RuntimeError("projector failed")


def test_projectors_run_inside_the_append_transaction(ledger: Ledger) -> None:
    recording = _Recording()
    with_projector = Ledger(ledger.engine, projectors=[recording])
    with_projector.append([registered("P1"), registered("P2")])
    assert recording.seen == [(2, 2)]


def test_a_failing_projector_rolls_the_whole_append_back(ledger: Ledger) -> None:
    failing = Ledger(ledger.engine, projectors=[_Recording(fail=True)])
    with pytest.raises(RuntimeError, match="projector failed"):
        failing.append([accrual("P1", 500_000, "2024-07")])
    assert _counts(ledger) == (0, 0, 0, 0)
    assert ledger.append([registered("P1")]).first_sequence == 1


def test_a_prepared_batch_is_appended_exactly_like_the_events_themselves(
    ledger: Ledger, ledger_databases: DatabaseFactory
) -> None:
    first = accrual("P1", 500_000, "2024-07")
    batch = [
        Incoming(e, KafkaOrigin("aid.payments", 0, o))
        for o, e in enumerate(
            [
                registered("P1"),
                first,
                first,
                first.model_copy(update={"amount_vnd": 1}),
                disbursement("P1", 400_000, "2024-07-05"),
                *one_of_each(),
            ]
        )
    ]
    ledger.append(batch[:2], consumer="c")  # offsets 0-1 stored: skipped next time
    with ledger_databases() as url:
        engine = create_engine(url)
        try:
            plain = Ledger(engine)
            plain.append(batch[:2], consumer="c")
            expected = plain.append(batch, consumer="c")
            got = ledger.append(ledger.prepare(batch), consumer="c")
            assert (got.skipped, got.already_recorded, len(got.conflicts)) == (
                expected.skipped,
                expected.already_recorded,
                len(expected.conflicts),
            )
            assert [s.payload for s in got.appended] == [s.payload for s in expected.appended]
            assert [s.hash for s in got.appended] == [s.hash for s in expected.appended]
            assert ledger.balances("P1") == plain.balances("P1")
        finally:
            engine.dispose()


def test_a_batch_mixing_recorded_and_new_events_appends_only_the_new_ones_once(
    ledger: Ledger,
) -> None:
    calls: list[int] = []

    class Counting:
        name = "counting"

        def project(self, conn: Any, batch: Sequence[Numbered]) -> None:
            calls.append(len(batch))

    first = [registered("P1"), accrual("P1", 500_000, "2024-07")]
    ledger.append(first)
    counting = Ledger(ledger.engine, projectors=[Counting()])
    later = accrual("P1", 500_000, "2024-08")
    result = counting.append([first[1], later, first[0]])
    assert [s.event.event_id for s in result.appended] == [later.event_id]
    assert [s.sequence for s in result.appended] == [3]
    assert set(result.already_recorded) == {first[0].event_id, first[1].event_id}
    assert calls == [1]  # the projector ran once, in the transaction that committed
    assert _counts(ledger)[:2] == (3, 3)
    assert ledger.balances("P1").accrued == 1_000_000


def test_an_event_whose_text_holds_a_nul_is_refused_whole_batch_and_nothing_is_written(
    ledger: Ledger,
) -> None:
    ledger.append([registered("P1")])
    head = ledger.head()
    bad = registered("P2").model_copy(update={"full_name": "Nguyễn\x00"})
    batch = [accrual("P1", 500_000, "2024-07"), bad]
    with pytest.raises(InvalidEvent) as raised:
        ledger.append(batch)
    assert f"event {bad.event_id} (BeneficiaryRegistered)" in raised.value.message
    assert [p.field for p in raised.value.problems] == ["full_name"]
    with pytest.raises(InvalidEvent):
        list(ledger.append_all([batch]))
    with pytest.raises(InvalidEvent):
        ledger.prepare(batch)
    assert ledger.head() == head and _counts(ledger)[0] == 1
    # an escaped backslash before "u0000" is no NUL: stored, and its body reads back
    fine = registered("P3").model_copy(update={"full_name": "C:\\u0000"})
    ledger.append([fine])
    assert _query(ledger, "SELECT body->>'full_name' FROM ledger.events WHERE sequence = 2") == [
        ("C:\\u0000",)
    ]
