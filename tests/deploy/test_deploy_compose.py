"""deploy/compose.yaml: valid Compose, durable Kafka, ordered start-up, one role per service.

compose-spec.json beside this file is the Compose Specification schema as vendored in the
check-jsonschema 0.39.0 wheel (check_jsonschema/builtin_schemas/vendor/compose-spec.json,
Apache-2.0, see LICENSE.compose-spec). Refresh it from a newer wheel when Compose adds keys.
"""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

pytestmark = pytest.mark.deploy

COMPOSE_SCHEMA = Path(__file__).with_name("compose-spec.json")
BROKERS = ("kafka-1", "kafka-2", "kafka-3")
ONE_SHOT = {"topics", "migrate", "cli"}


@pytest.fixture(scope="module")
def compose(deploy_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((deploy_dir / "compose.yaml").read_text("utf-8"))
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = compose["services"]
    return found


def test_compose_file_matches_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_kafka_runs_three_combined_kraft_nodes(services: dict[str, Any]) -> None:
    voters = "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"
    for number, broker in enumerate(BROKERS, start=1):
        env = services[broker]["environment"]
        assert services[broker]["image"].startswith("apache/kafka:3.9.")
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert env["KAFKA_NODE_ID"] == str(number)
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{broker}:9092"
    cluster_ids = {services[broker]["environment"]["CLUSTER_ID"] for broker in BROKERS}
    assert len(cluster_ids) == 1


def test_brokers_require_two_in_sync_replicas_and_create_no_topic_on_their_own(
    services: dict[str, Any],
) -> None:
    for broker in BROKERS:
        env = services[broker]["environment"]
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "2"
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
        assert env["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] == "false"


def test_brokers_keep_their_logs_on_volumes(services: dict[str, Any]) -> None:
    for broker in BROKERS:
        log_dir = services[broker]["environment"]["KAFKA_LOG_DIRS"]
        assert f"{broker}-data:{log_dir}" in services[broker]["volumes"]


def test_every_long_running_service_has_a_health_check(services: dict[str, Any]) -> None:
    long_running = set(services) - ONE_SHOT
    assert long_running == {*BROKERS, "postgres", "worker"}
    for name in long_running:
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "unless-stopped", name


def test_one_shot_services_are_not_restarted(services: dict[str, Any]) -> None:
    for name in ONE_SHOT:
        assert services[name]["restart"] == "no", name


def test_topics_are_created_once_every_broker_is_healthy(services: dict[str, Any]) -> None:
    topics = services["topics"]
    assert topics["depends_on"] == {b: {"condition": "service_healthy"} for b in BROKERS}
    assert "./kafka/create-topics.sh:/usr/local/bin/create-topics.sh:ro" in topics["volumes"]
    assert topics["entrypoint"] == ["sh", "/usr/local/bin/create-topics.sh"]
    assert topics["environment"]["AIDLEDGER_REPLICATION_FACTOR"] == "3"
    assert topics["environment"]["AIDLEDGER_MIN_INSYNC_REPLICAS"] == "2"


def test_workers_start_after_topics_and_migrations_complete(services: dict[str, Any]) -> None:
    depends_on = services["worker"]["depends_on"]
    assert depends_on["topics"] == {"condition": "service_completed_successfully"}
    assert depends_on["migrate"] == {"condition": "service_completed_successfully"}
    assert depends_on["postgres"] == {"condition": "service_healthy"}
    for broker in BROKERS:
        assert depends_on[broker] == {"condition": "service_healthy"}
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_workers_are_replicated_without_fixed_names_or_host_ports(
    services: dict[str, Any],
) -> None:
    worker = services["worker"]
    assert worker["command"] == ["worker"]
    assert worker["deploy"]["replicas"] == "${AIDLEDGER_WORKERS:-3}"
    assert "container_name" not in worker
    assert "ports" not in worker
    assert "9108" in " ".join(worker["healthcheck"]["test"])
    assert worker["environment"]["AIDLEDGER_METRICS_PORT"] == "9108"


def test_cli_starts_only_when_asked_for(services: dict[str, Any]) -> None:
    assert services["cli"]["profiles"] == ["cli"]
    assert all("profiles" not in services[name] for name in set(services) - {"cli"})


def test_each_aidledger_service_connects_with_its_own_database_role(
    services: dict[str, Any],
) -> None:
    role_of = {"migrate": "aidledger_owner", "worker": "aidledger_app", "cli": "aidledger_app"}
    for name, role in role_of.items():
        url = services[name]["environment"]["DATABASE_URL"]
        assert url.startswith(f"postgresql+psycopg2://{role}:${{"), name
        assert url.endswith("@postgres:5432/aidledger"), name
        assert services[name]["image"] == "${AIDLEDGER_IMAGE:-aidledger:local}"
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"


def test_postgres_is_version_18_and_archives_its_wal(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:18"
    settings = postgres["command"]
    assert "archive_mode=on" in settings
    assert "wal_level=replica" in settings
    assert "pg-wal-archive:/var/lib/postgresql-wal-archive" in postgres["volumes"]
    assert postgres["env_file"] == [".env"]
