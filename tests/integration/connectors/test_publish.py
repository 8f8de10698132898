"""Publishing events to the real broker: keyed by subject, confirmed, and all-or-nothing files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.producer import EventPublisher
from connectors.readback import read_back
from connectors.topics import topic_name
from schemas import parse_event_dict
from tests.unit.schemas.examples import raw_event

pytestmark = pytest.mark.integration


def test_published_events_are_read_back_from_their_family_topic_keyed_by_subject(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    events = [parse_event_dict(raw_event(t)) for t in ("BeneficiaryDied", "FundsTransferred")]
    with EventPublisher(kafka_bootstrap, topic_prefix) as publisher:
        assert publisher.publish(events) == 2
    topics = [topic_name(t, topic_prefix) for t in ("aid.eligibility", "aid.payments")]
    found = {
        e.event_id: (topic, e)
        for topic, _, _, e in read_back(kafka_bootstrap, topics, {str(e.event_id) for e in events})
    }
    assert found[events[0].event_id] == (topics[0], events[0])
    assert found[events[1].event_id] == (topics[1], events[1])


def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    from connectors.cli import app
    from connectors.cli.app import _cached

    _cached.clear()
    result = CliRunner().invoke(app, list(args), env=env)
    _cached.clear()
    return result.exit_code, result.output


def test_a_file_with_one_bad_line_is_refused_whole_naming_the_line(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str
) -> None:
    good = raw_event("BeneficiaryDied")
    bad = raw_event("AllowanceAccrued", amount_vnd=12.5)
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(bad) + "\n")
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AIDLEDGER_TOPIC_PREFIX": topic_prefix}
    code, _ = _cli(env, "publish", str(path))
    assert code != 0
    from connectors.jsonl import FileRefused, read_events

    with pytest.raises(FileRefused) as refused:
        read_events(path)
    assert refused.value.exit_code == 3
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith("line 3 (AllowanceAccrued")
    assert "amount_vnd: must be a whole number" in refused.value.problems[0]
    topics = [topic_name("aid.eligibility", topic_prefix)]
    assert list(read_back(kafka_bootstrap, topics, {good["event_id"]}, timeout=3)) == []


def test_a_valid_file_is_published_and_confirmed(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str
) -> None:
    events = [raw_event("BeneficiaryDied"), raw_event("BaseSalarySet")]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AIDLEDGER_TOPIC_PREFIX": topic_prefix}
    code, output = _cli(env, "publish", str(path))
    assert code == 0, output
    assert "published 2 events" in output
    topics = [topic_name(t, topic_prefix) for t in ("aid.eligibility", "aid.policy")]
    assert len(list(read_back(kafka_bootstrap, topics, {e["event_id"] for e in events}))) == 2


def test_a_child_process_publishes_batches_in_order_and_confirms_them_all(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    from connectors.publish_process import ProcessPublisher
    from tests.unit.ledger.builders import accrual

    events = [accrual(f"P{i % 7}", 1_000 + i, "2025-03") for i in range(250)]
    with ProcessPublisher(kafka_bootstrap, topic_prefix, in_flight=2) as publisher:
        for start in range(0, len(events), 40):
            assert publisher.publish(events[start : start + 40]) == len(events[start : start + 40])
        publisher.flush()
        assert publisher.confirmed == 250
    topic = topic_name("aid.payments", topic_prefix)
    found = list(read_back(kafka_bootstrap, [topic], {str(e.event_id) for e in events}))
    assert sorted(str(e.event_id) for *_, e in found) == sorted(str(e.event_id) for e in events)
    by_person: dict[str, list[int]] = {}
    for *_, event in found:
        by_person.setdefault(event.person_id, []).append(event.amount_vnd)  # type: ignore[attr-defined]
    # One person's events share a key, so a partition, and keep the order they were sent in.
    assert all(amounts == sorted(amounts) for amounts in by_person.values())


def test_when_no_broker_answers_the_child_publisher_fails_loudly_and_confirms_nothing() -> None:
    from connectors.embedded.process import free_port
    from connectors.producer import PublishFailed
    from connectors.publish_process import ProcessPublisher
    from tests.unit.ledger.builders import accrual

    publisher = ProcessPublisher(
        f"127.0.0.1:{free_port()}", "", api_version_auto_timeout_ms=1_000, max_block_ms=1_000
    )
    with pytest.raises(PublishFailed) as failed:
        publisher.publish([accrual("P1", 500_000, "2025-03")])
        publisher.close()
    assert "0 events were confirmed" in str(failed.value)
    assert publisher.confirmed == 0
    publisher.close()  # closing again after a failure is harmless
    assert not publisher._process.is_alive()


def _payment_list(lines: int) -> dict[str, object]:
    """A valid PaymentListIssued of ``lines`` lines (its canonical JSON: ~300 bytes a line)."""
    from schemas.canonical import lines_digest
    from schemas.payments import PaymentLine

    built = tuple(
        PaymentLine(
            line_no=n,
            person_id=f"P{n:07d}",
            full_name="Nguyễn Văn " + "A" * 150,
            commune_code="29362",
            components={"regular": 750_000},
            amount_vnd=750_000,
        )
        for n in range(1, lines + 1)
    )
    return raw_event(
        "PaymentListIssued",
        lines=[line.model_dump(mode="json") for line in built],
        total_vnd=750_000 * lines,
        digest=lines_digest(built),
    )


def test_a_file_with_an_event_too_large_for_a_message_is_refused_whole_naming_the_line(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str
) -> None:
    good = raw_event("BeneficiaryDied")
    huge = _payment_list(40_000)
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(huge) + "\n")
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AIDLEDGER_TOPIC_PREFIX": topic_prefix}

    from typer.testing import CliRunner

    from connectors.cli import app
    from connectors.cli.app import _cached
    from connectors.jsonl import FileRefused

    _cached.clear()
    result = CliRunner().invoke(app, ["publish", str(path)], env=env)
    _cached.clear()

    assert isinstance(result.exception, FileRefused), result.output
    (problem,) = result.exception.problems
    assert problem.startswith(f"line 2 (PaymentListIssued {huge['event_id']}) was refused:")
    assert "more than the" in problem
    topics = [topic_name("aid.eligibility", topic_prefix)]
    assert list(read_back(kafka_bootstrap, topics, {good["event_id"]}, timeout=3)) == []
