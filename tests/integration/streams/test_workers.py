"""`aidledger worker` processes on the real embedded broker and PostgreSQL: two workers share a
mixed stream, a worker killed mid-batch leaves the ledger as if it never crashed, and the
metrics and dead-letter commands work against a running worker."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from connectors.topics import topic_name
from ledger import Ledger, verify_chain
from ledger.payroll.implied import implied_events
from schemas import Event, canonical_json
from schemas.registry import EVENT_TYPES, TOPIC_DEADLETTER
from tests.fixtures.ledger import DatabaseFactory, running_balances_hold
from tests.fixtures.streams import (
    REPO,
    Message,
    Workers,
    event_message,
    invalid_messages,
    publish,
    read_topic,
    sample_events,
)

pytestmark = pytest.mark.integration


def scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def wait_for(condition: Callable[[], bool], timeout: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        for w in workers.started:
            if w.proc.poll() is not None and w.proc.returncode not in (0, -9):
                raise AssertionError(f"a worker failed:\n{w.output()[-3000:]}")
        time.sleep(0.05)
    logs = "\n".join(w.output()[-1500:] for w in workers.started)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def expected_implied(events: list[Event]) -> list[Event]:
    """What the domain rules imply for the deaths, from a ledger holding everything else."""
    deaths = [e for e in events if e.event_type == "BeneficiaryDied"]
    before = [e for e in events if e.event_type != "BeneficiaryDied"]
    assert deaths, "the sample must contain deaths"
    implied = [i for e in deaths for i in implied_events(e, _Holding([*before, e]))]
    assert {i.event_type for i in implied} == {"EligibilityTerminated", "AllowanceAccrued"}
    return implied


class _Holding:
    """Just enough of a ledger for implied_events: the events, in order."""

    def __init__(self, events: list[Event]) -> None:
        from ledger.records import StoredEvent

        self.stored = [
            StoredEvent(n, e, b"", b"", b"", e.occurred_at.date()) for n, e in enumerate(events, 1)
        ]

    def events(
        self, person_id: str | None = None, event_types: Any = None, after_sequence: int = 0
    ) -> Any:
        return iter(
            [
                s
                for s in self.stored
                if (person_id is None or getattr(s.event, "person_id", None) == person_id)
                and (event_types is None or s.event_type in event_types)
            ]
        )


def last_assignment(log: str) -> int:
    found = re.findall(r"assigned (\d+) partitions", log)
    return int(found[-1]) if found else 0


def test_two_workers_record_each_valid_event_once_and_dead_letter_every_invalid_one(
    workers: Workers, kafka_bootstrap: str, topic_prefix: str
) -> None:
    events = sample_events(2400, seed="two-workers", deaths_every=25)
    deaths = [e for e in events if e.event_type == "BeneficiaryDied"]
    facts = [e for e in events if e.event_type != "BeneficiaryDied"]
    implied = expected_implied(events)
    bad = invalid_messages()
    messages: list[Message] = [*map(event_message, facts)]
    messages += messages[::7]  # a producer re-sent every seventh event
    messages[1000:1000] = [m for m, _ in bad]
    first, second = workers.start("a"), workers.start("b")
    workers.wait_serving(first)
    workers.wait_serving(second)
    engine = create_engine(workers.database_url)

    publish(kafka_bootstrap, topic_prefix, messages)
    wait_for(
        lambda: scalar(engine, "SELECT count(*) FROM ledger.events") >= len(facts),
        60,
        f"{len(facts)} events in the ledger",
        workers,
    )
    # Deaths once the rest is recorded: what they imply depends on what the ledger holds.
    publish(kafka_bootstrap, topic_prefix, [*map(event_message, deaths)])

    expected = {str(e.event_id) for e in [*events, *implied]}
    wait_for(
        lambda: scalar(engine, "SELECT count(*) FROM ledger.events") >= len(expected),
        60,
        f"{len(expected)} events with the implied ones",
        workers,
    )
    with engine.connect() as conn:
        stored = [r[0] for r in conn.exec_driver_sql("SELECT event_id::text FROM ledger.events")]
        letters = conn.exec_driver_sql(
            'SELECT deadletter_id::text, topic, "offset", reason, value FROM ledger.deadletters'
        ).fetchall()
    assert len(stored) == len(set(stored)) and set(stored) == expected
    assert verify_chain(engine) is None
    # Both appended to one chain (a plan found stale is rebased): no balance went astray.
    assert running_balances_hold(engine)
    assert sorted(bytes(r[4]) for r in letters) == sorted(m.value for m, _ in bad)
    for message, phrase in bad:
        (reason,) = [r[3] for r in letters if bytes(r[4]) == message.value]
        assert phrase in reason
    published = [
        orjson.loads(v)
        for v in read_topic(kafka_bootstrap, topic_name(TOPIC_DEADLETTER, topic_prefix), len(bad))
    ]
    assert {p["deadletter_id"] for p in published} == {r[0] for r in letters}
    for p in published:
        (row,) = [r for r in letters if r[0] == p["deadletter_id"]]
        assert base64.b64decode(p["value_b64"]) == bytes(row[4])
        assert (p["topic"], p["offset"], p["reason"]) == (row[1], row[2], row[3])
    # Both held partitions at the end: the group shared the work.
    assert first.stop() == 0 and second.stop() == 0
    assert last_assignment(first.output()) + last_assignment(second.output()) == 20
    assert last_assignment(first.output()) > 0 and last_assignment(second.output()) > 0
    engine.dispose()


def _ledger_state(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:

        def q(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]

        # Kafka keeps order within a partition: per subject within one family's topic.
        by_subject: dict[tuple[str, str], list[str]] = {}
        for subject, event_type, event_id in q(
            "SELECT subject, event_type, event_id::text FROM ledger.events ORDER BY sequence"
        ):
            key = (subject, EVENT_TYPES[event_type].family)
            by_subject.setdefault(key, []).append(event_id)
        return {
            "events": sorted(r[0] for r in q("SELECT event_id::text FROM ledger.events")),
            "balances": sorted(q("SELECT account, asset, balance FROM ledger.balances")),
            "order_per_subject": by_subject,
        }


def test_a_worker_killed_in_the_middle_of_a_batch_leaves_the_ledger_as_without_the_crash(
    workers: Workers,
    kafka_bootstrap: str,
    topic_prefix: str,
    ledger_databases: DatabaseFactory,
) -> None:
    events = sample_events(20_000, seed="crash")
    bad = [m for m, _ in invalid_messages()[:3]]
    messages = [*map(event_message, events)]
    messages[5000:5000] = bad
    messages[15000:15000] = messages[:200]  # replays
    publish(kafka_bootstrap, topic_prefix, messages)
    engine = create_engine(workers.database_url)

    victim = workers.start("victim")

    def mid_batch() -> bool:
        # The first batch is committed and the next one holds the chain lock: an append is
        # under way (rows written, not yet committed).
        return bool(
            scalar(
                engine,
                "SELECT (SELECT count(*) FROM ledger.events) > 0 AND "
                "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                " AND granted AND database = (SELECT oid FROM pg_database "
                "WHERE datname = current_database()))",
            )
        )

    wait_for(mid_batch, 60, "an append in progress", workers)
    victim.kill()
    assert victim.proc.returncode == -9
    crashed_at = scalar(engine, "SELECT count(*) FROM ledger.events")
    assert 0 < crashed_at < len(events)

    workers.start("restarted")
    wait_for(
        lambda: scalar(engine, "SELECT count(*) FROM ledger.events") >= len(events),
        60,
        "every event in the ledger after the restart",
        workers,
    )
    time.sleep(1.0)  # anything posted twice would show up now

    with ledger_databases() as reference_url:
        reference = create_engine(reference_url)
        ledger = Ledger(reference)
        for start in range(0, len(events), 5000):
            ledger.append(events[start : start + 5000])
        expected = _ledger_state(reference)
        reference.dispose()
    actual = _ledger_state(engine)
    assert actual["events"] == expected["events"]
    assert actual["balances"] == expected["balances"]
    assert actual["order_per_subject"] == expected["order_per_subject"]
    assert verify_chain(engine) is None
    assert scalar(engine, "SELECT count(*) FROM ledger.deadletters") == len(bad)
    engine.dispose()


def aidledger(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "aidledger"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250", **env},
        cwd=REPO,
        timeout=60,
    )


def scrape(port: int) -> dict[str, float]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
    samples: dict[str, float] = {}
    for line in body.decode().splitlines():
        if line.startswith("aidledger_"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


def total(samples: dict[str, float], prefix: str) -> float:
    return sum(v for k, v in samples.items() if k.startswith(prefix + "{"))


def test_metrics_are_scraped_while_a_worker_runs_and_a_fixed_dead_letter_is_retried(
    workers: Workers, kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    events = sample_events(1500, seed="metrics")
    accrual = next(e for e in reversed(events) if e.event_type == "AllowanceAccrued")
    events.remove(accrual)
    broken = accrual.model_copy(update={"person_id": "P 1"})  # a space: not an identifier
    worker = workers.start("metrics")
    workers.wait_serving(worker)
    publish(
        kafka_bootstrap,
        topic_prefix,
        [
            *map(event_message, events),
            Message("aid.payments", b"P 1", canonical_json(broken)),
        ],
    )

    wait_for(
        lambda: (
            total(scrape(worker.metrics_port), "aidledger_events_processed_total") >= len(events)
        ),
        60,
        "the processed counter",
        workers,
    )
    samples = scrape(worker.metrics_port)
    assert total(samples, "aidledger_deadletters_total") == 1
    assert samples[f'aidledger_deadletters_total{{topic="{topic_prefix}aid.payments"}}'] == 1
    assert samples["aidledger_batch_seconds_count"] >= 1
    wait_for(
        lambda: any(k.startswith("aidledger_ledger_lag{") for k in scrape(worker.metrics_port)),
        10,
        "the lag gauge",
        workers,
    )
    wait_for(
        lambda: total(scrape(worker.metrics_port), "aidledger_ledger_lag") == 0,
        10,
        "no lag",
        workers,
    )

    env = {
        "DATABASE_URL": workers.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "AIDLEDGER_TOPIC_PREFIX": topic_prefix,
        "AIDLEDGER_DATA_DIR": str(tmp_path),
    }
    listed = aidledger("deadletters", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "person_id" in listed.stdout and f"{topic_prefix}aid.payments" in listed.stdout
    engine = create_engine(workers.database_url)
    letter_id = scalar(engine, "SELECT deadletter_id::text FROM ledger.deadletters")
    fixed = tmp_path / "fixed.json"
    fixed.write_bytes(canonical_json(accrual))

    retried = aidledger("deadletters", "retry", letter_id[:8], "--fixed", str(fixed), env=env)

    assert retried.returncode == 0, retried.stderr
    assert f"re-submitted dead letter {letter_id}" in retried.stdout
    wait_for(
        lambda: scalar(engine, "SELECT count(*) FROM ledger.events") == len(events) + 1,
        30,
        "the corrected event in the ledger",
        workers,
    )
    assert scalar(engine, "SELECT count(*) FROM ledger.deadletters") == 1  # the letter stays
    assert (
        scalar(
            engine,
            f"SELECT fixed FROM ledger.deadletter_retries WHERE deadletter_id = '{letter_id}'",
        )
        is True
    )
    unknown = aidledger("deadletters", "retry", "ffffffff", env=env)
    assert unknown.returncode == 3 and "no dead letter has id" in unknown.stderr
    assert worker.stop() == 0
    engine.dispose()


def test_a_worker_stops_rather_than_skip_records_of_a_recreated_topic(
    workers: Workers, kafka_bootstrap: str, topic_prefix: str
) -> None:
    # PostgreSQL says 5,000 records of every partition were processed; the topic holds a few.
    engine = create_engine(workers.database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO ledger.stream_checkpoints (consumer, topic, partition, last_offset) "
            f"SELECT '{workers.group}', '{topic_prefix}' || t, p, 4999 FROM unnest(ARRAY["
            "'aid.eligibility', 'aid.policy', 'aid.payments', 'aid.health-insurance', "
            "'aid.relief']) AS t, generate_series(0, 3) AS p"
        )
    publish(kafka_bootstrap, topic_prefix, [*map(event_message, sample_events(200))])
    worker = workers.start("rewound")

    assert worker.proc.wait(60) == 4
    assert "end before the positions stored in PostgreSQL" in worker.output()
    assert scalar(engine, "SELECT count(*) FROM ledger.events") == 0
    engine.dispose()


def test_a_record_too_large_to_be_quoted_whole_in_its_dead_letter_does_not_stop_the_worker(
    workers: Workers, kafka_bootstrap: str, topic_prefix: str
) -> None:
    # Its bytes as base64 would not fit in one message: the dead letter quotes them only in
    # PostgreSQL, and on aid.deadletter says where they are.
    huge = b'{"event_type": "PaymentListIssued", "note": "' + b"x" * 6_500_000 + b'"}'
    after = sample_events(2, seed="after-huge")[1]
    publish(
        kafka_bootstrap,
        topic_prefix,
        [Message("aid.payments", b"PL-1", huge), event_message(after)],
    )
    engine = create_engine(workers.database_url)
    worker = workers.start("w")

    wait_for(
        lambda: scalar(engine, "SELECT count(*) FROM ledger.events") == 1,
        60,
        "the event after the huge record",
        workers,
    )
    (published,) = [
        orjson.loads(v)
        for v in read_topic(kafka_bootstrap, topic_name(TOPIC_DEADLETTER, topic_prefix), 1)
    ]
    with engine.connect() as conn:
        ((letter_id, value),) = conn.exec_driver_sql(
            "SELECT deadletter_id::text, value FROM ledger.deadletters"
        ).fetchall()
    assert bytes(value) == huge
    assert published["deadletter_id"] == letter_id and published["value_b64"] is None
    assert (published["topic"], published["offset"]) == (
        topic_name("aid.payments", topic_prefix),
        0,
    )
    assert "PaymentListIssued" in published["reason"]
    assert f"{len(huge):,} bytes" in published["value_omitted"]
    assert worker.proc.poll() is None
    assert worker.stop() == 0
    engine.dispose()
