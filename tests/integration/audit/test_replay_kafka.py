"""``audit replay --from-kafka`` on the real broker: the topics rebuild the same ledger content."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine

from connectors.producer import EventPublisher
from connectors.topics import topic_name
from ledger import Incoming, KafkaOrigin, Ledger
from ledger.audit import history
from ledger.audit import replay as rp
from ledger.audit.db import Database
from schemas.errors import InvalidEvent
from schemas.registry import FAMILY_TOPICS, parse_event
from tests.integration.audit import scenario
from tests.integration.audit.conftest import domain_projectors, table_persistence

pytestmark = pytest.mark.integration


@pytest.fixture
def topics(kafka_bootstrap: str, topic_prefix: str) -> list[str]:
    """The scenario published (repeats and the conflicting copy included) plus one bad record."""
    publisher = EventPublisher(kafka_bootstrap, topic_prefix)
    try:
        publisher.publish(scenario.all_events())
        publisher.send_raw(topic_name("aid.payments", topic_prefix), b"P-x", b'{"not": "an event"}')
        publisher.flush()
    finally:
        publisher.close()
    return [topic_name(t, topic_prefix) for t in FAMILY_TOPICS.values()]


def _worker_appends(url: str, bootstrap: str, topics: list[str]) -> int:
    """What a worker does: partition by partition, small batches, positions stored, bad
    records left out (dead-lettered). The order differs from the replay's merge."""
    engine = create_engine(url)
    ledger = Ledger(engine, "ledger", domain_projectors())
    refused = 0
    for partition in history.read_topics(bootstrap, topics):
        items = []
        for record in partition:
            try:
                event = parse_event(record.value)
            except InvalidEvent:
                refused += 1
                continue
            items.append(
                Incoming(event, KafkaOrigin(record.topic, record.partition, record.offset))
            )
        for start in range(0, len(items), 3):
            ledger.append(items[start : start + 3], consumer="aidledger-ledger")
    engine.dispose()
    return refused


def test_a_kafka_replay_rebuilds_the_same_content_as_the_worker(
    ledger_url: str, db: Database, kafka_bootstrap: str, topics: list[str]
) -> None:
    assert _worker_appends(ledger_url, kafka_bootstrap, topics) == 1
    partitions = history.read_topics(kafka_bootstrap, topics)
    ordered = history.in_live_order(partitions, history.live_origins(db, "ledger"))
    outcome = rp.rebuild(ledger_url, "scratch_kafka", ordered, domain_projectors(), source="kafka")
    rp.check(db, "ledger", outcome, exact=True)
    rp.drop(db, "scratch_kafka")
    assert outcome.differences == []
    assert (outcome.read, outcome.already_recorded, len(outcome.conflicts)) == (
        len(scenario.all_events()) + 1,
        1,
        1,
    )
    assert len(outcome.refused) == 1 and "event_type: is required" in outcome.refused[0]


def test_the_kafka_replay_command_reports_equality(
    ledger_url: str,
    kafka_bootstrap: str,
    topic_prefix: str,
    topics: list[str],
    cli: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _worker_appends(ledger_url, kafka_bootstrap, topics)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("AIDLEDGER_TOPIC_PREFIX", topic_prefix)
    assert cli("audit", "replay", "--from-kafka") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "from the kafka" in out and "1 refused" in out
    assert (
        "the replay equals the live ledger" in out
        and "compared row by row in " in out
        and "; digest in " in out
    )


def test_a_lost_ledger_is_rebuilt_from_kafka_into_the_empty_live_schema(
    ledger_url: str,
    db: Database,
    kafka_bootstrap: str,
    topic_prefix: str,
    topics: list[str],
    cli: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ledger.audit.verify import verify_store

    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("AIDLEDGER_TOPIC_PREFIX", topic_prefix)
    assert cli("audit", "replay", "--from-kafka", "--into-live") == 0
    report = verify_store(db)
    assert (report.problem, report.count) == (None, len(scenario.all_events()) - 2)
    assert table_persistence(db, "ledger") == {"p"}  # the live ledger stays crash-safe
    engine = create_engine(ledger_url)
    positions = Ledger(engine, "ledger").positions("aidledger-ledger")
    engine.dispose()
    # Every valid record's position is stored; the bad record (the last of its partition) is
    # left for the workers to dead-letter again, as the lost database held its dead letter.
    assert sum(offset + 1 for offset in positions.values()) == len(scenario.all_events())
    assert cli("audit", "replay", "--from-kafka") == 0
    assert cli("audit", "replay", "--from-kafka", "--into-live") == 3  # no longer empty
