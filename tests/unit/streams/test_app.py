"""The Faust app's configuration, from Settings (no broker needed to build it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from faust.types.enums import ProcessingGuarantee

from connectors.settings import Settings
from streams.app import create_app
from streams.consumer import BatchTransport


def settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings.model_validate(
        {
            "KAFKA_BOOTSTRAP_SERVERS": "k1:9092,k2:9092",
            "AIDLEDGER_TOPIC_PREFIX": "t9.",
            "AIDLEDGER_DATA_DIR": str(tmp_path),
            "AIDLEDGER_CONSUMER_GROUP": "ledger-group",
            "AIDLEDGER_WORKER_ID": "pod-a",
            "AIDLEDGER_TOPIC_PARTITIONS": 12,
            "AIDLEDGER_REPLICATION_FACTOR": 3,
            **extra,
        }
    )


def test_workers_join_the_configured_consumer_group_on_every_broker(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path))

    assert app.conf.id == "ledger-group"
    assert [str(u) for u in app.conf.broker] == ["kafka://k1:9092", "kafka://k2:9092"]
    assert isinstance(app.transport, BatchTransport)


def test_the_family_topics_are_subscribed_with_the_prefix(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path))

    assert set(app.family_topics) == {
        "t9.aid.eligibility",
        "t9.aid.policy",
        "t9.aid.payments",
        "t9.aid.health-insurance",
        "t9.aid.relief",
    }
    assert {t for topic in app.topics for t in topic.topics} == set(app.family_topics)


def test_settings_for_a_real_cluster_and_the_embedded_broker(tmp_path: Path) -> None:
    conf = create_app(
        settings(tmp_path, AIDLEDGER_SESSION_TIMEOUT=6, AIDLEDGER_HEARTBEAT_INTERVAL=2)
    ).conf

    guarantee: Any = conf.processing_guarantee  # faust types the setting as its enum class
    assert guarantee is ProcessingGuarantee.AT_LEAST_ONCE
    assert (conf.broker_session_timeout, conf.broker_heartbeat_interval) == (6.0, 2.0)
    assert (conf.topic_partitions, conf.topic_replication_factor) == (12, 3)
    assert conf.web_enabled is False
    assert conf.topic_disable_leader is True
    assert conf.producer_acks == -1


def test_each_worker_has_a_data_directory_of_its_own(tmp_path: Path) -> None:
    a = create_app(settings(tmp_path, AIDLEDGER_WORKER_ID="pod-a"))
    b = create_app(settings(tmp_path, AIDLEDGER_WORKER_ID="pod-b"))

    assert Path(a.conf.datadir) == tmp_path / "streams" / "pod-a"
    assert a.conf.datadir != b.conf.datadir


def test_without_bootstrap_servers_the_app_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="KAFKA_BOOTSTRAP_SERVERS"):
        create_app(settings(tmp_path, KAFKA_BOOTSTRAP_SERVERS=None))
