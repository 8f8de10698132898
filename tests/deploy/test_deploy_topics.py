"""deploy/kafka/create-topics.sh, run against a fake Kafka CLI that records its arguments."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy

EVENT_TOPICS = (
    "aid.eligibility",
    "aid.policy",
    "aid.payments",
    "aid.health-insurance",
    "aid.relief",
)
ALL_TOPICS = (*EVENT_TOPICS, "aid.deadletter")

FAKE_KAFKA_TOOL = f"""#!{sys.executable}
import json, os, sys
name = os.path.basename(sys.argv[0])
with open(os.environ["FAKE_KAFKA_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps([name, *sys.argv[1:]]) + "\\n")
if os.environ.get("FAKE_KAFKA_FAIL_ON") in sys.argv:
    sys.exit(1)
"""


@dataclass(frozen=True)
class TopicCreation:
    topic: str
    partitions: int
    replication_factor: int
    configs: dict[str, str]


def run_script(
    deploy_dir: Path, tmp_path: Path, **env: str
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    bin_dir = tmp_path / "kafka-bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("kafka-topics.sh", "kafka-configs.sh"):
        (bin_dir / tool).write_text(FAKE_KAFKA_TOOL, encoding="utf-8")
        (bin_dir / tool).chmod(0o755)
    log = tmp_path / "calls.jsonl"
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "KAFKA_BIN": str(bin_dir),
        "FAKE_KAFKA_LOG": str(log),
        "KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9092,kafka-2:9092,kafka-3:9092",
    }
    result = subprocess.run(
        ["sh", str(deploy_dir / "kafka" / "create-topics.sh")],
        env={**base_env, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, calls


def option_values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == option]


def creations(calls: list[list[str]]) -> dict[str, TopicCreation]:
    created = {}
    for name, *args in calls:
        if name == "kafka-topics.sh" and "--create" in args:
            assert "--if-not-exists" in args
            (topic,) = option_values(args, "--topic")
            (partitions,) = option_values(args, "--partitions")
            (replication,) = option_values(args, "--replication-factor")
            configs = dict(c.split("=", 1) for c in option_values(args, "--config"))
            created[topic] = TopicCreation(topic, int(partitions), int(replication), configs)
    return created


@pytest.fixture
def created(deploy_dir: Path, tmp_path: Path) -> dict[str, TopicCreation]:
    result, calls = run_script(deploy_dir, tmp_path)
    assert result.returncode == 0, result.stderr
    return creations(calls)


def test_topic_script_creates_every_event_topic_and_the_deadletter_topic(
    created: dict[str, TopicCreation],
) -> None:
    assert sorted(created) == sorted(ALL_TOPICS)


def test_event_topics_keep_history_forever(created: dict[str, TopicCreation]) -> None:
    for topic in ALL_TOPICS:
        configs = created[topic].configs
        assert configs["cleanup.policy"] == "delete", topic
        assert configs["retention.ms"] == "-1", topic
        assert configs["retention.bytes"] == "-1", topic


def test_every_topic_is_replicated_three_times_with_two_in_sync_replicas(
    created: dict[str, TopicCreation],
) -> None:
    for topic in ALL_TOPICS:
        assert created[topic].replication_factor == 3, topic
        assert created[topic].configs["min.insync.replicas"] == "2", topic


def test_eligibility_and_payments_get_twelve_partitions_and_the_others_six(
    created: dict[str, TopicCreation],
) -> None:
    partitions = {topic: creation.partitions for topic, creation in created.items()}
    assert partitions == {
        "aid.eligibility": 12,
        "aid.policy": 6,
        "aid.payments": 12,
        "aid.health-insurance": 6,
        "aid.relief": 6,
        "aid.deadletter": 6,
    }


def test_partition_counts_and_replication_follow_the_environment(
    deploy_dir: Path, tmp_path: Path
) -> None:
    result, calls = run_script(
        deploy_dir,
        tmp_path,
        AIDLEDGER_TOPIC_PARTITIONS="3",
        AIDLEDGER_ELIGIBILITY_PARTITIONS="24",
        AIDLEDGER_PAYMENTS_PARTITIONS="18",
        AIDLEDGER_REPLICATION_FACTOR="5",
    )
    assert result.returncode == 0, result.stderr
    created = creations(calls)
    assert created["aid.eligibility"].partitions == 24
    assert created["aid.payments"].partitions == 18
    assert created["aid.relief"].partitions == 3
    assert {c.replication_factor for c in created.values()} == {5}


def test_topics_that_already_exist_get_their_retention_enforced(
    deploy_dir: Path, tmp_path: Path
) -> None:
    result, calls = run_script(deploy_dir, tmp_path)
    assert result.returncode == 0, result.stderr
    altered: dict[str, dict[str, str]] = {}
    for name, *args in calls:
        if name == "kafka-configs.sh":
            assert "--alter" in args
            (topic,) = option_values(args, "--entity-name")
            (added,) = option_values(args, "--add-config")
            altered[topic] = dict(c.split("=", 1) for c in added.split(","))
    assert sorted(altered) == sorted(ALL_TOPICS)
    for configs in altered.values():
        assert configs == {
            "cleanup.policy": "delete",
            "retention.ms": "-1",
            "retention.bytes": "-1",
            "min.insync.replicas": "2",
        }


def test_topic_script_stops_at_the_first_failure(deploy_dir: Path, tmp_path: Path) -> None:
    result, calls = run_script(deploy_dir, tmp_path, FAKE_KAFKA_FAIL_ON="aid.policy")
    assert result.returncode != 0
    assert "aid.payments" not in creations(calls)


def test_topic_script_refuses_to_run_without_bootstrap_servers(
    deploy_dir: Path, tmp_path: Path
) -> None:
    result, calls = run_script(deploy_dir, tmp_path, KAFKA_BOOTSTRAP_SERVERS="")
    assert result.returncode != 0
    assert "KAFKA_BOOTSTRAP_SERVERS" in result.stderr
    assert calls == []


def test_topic_script_creates_the_topics_and_retention_the_application_uses(
    created: dict[str, TopicCreation],
) -> None:
    from connectors.topics import RETENTION_CONFIG, all_topics

    assert sorted(created) == sorted(all_topics())
    for creation in created.values():
        assert RETENTION_CONFIG.items() <= creation.configs.items(), creation.topic
