"""Topic names (with an optional prefix for isolation) and idempotent topic creation."""

from __future__ import annotations

import contextlib

from schemas.registry import FAMILY_TOPICS, TOPIC_DEADLETTER

#: Event topics keep history forever: no compaction, no deletion.
RETENTION_CONFIG = {"cleanup.policy": "delete", "retention.ms": "-1", "retention.bytes": "-1"}


def topic_name(base: str, prefix: str = "") -> str:
    """The real topic for a base name such as ``aid.payments`` (prefixed in tests)."""
    return f"{prefix}{base}"


def all_topics(prefix: str = "") -> list[str]:
    """Every topic aidledger uses: one per event family plus the dead-letter topic."""
    return [topic_name(t, prefix) for t in [*FAMILY_TOPICS.values(), TOPIC_DEADLETTER]]


def ensure_topics(
    bootstrap_servers: str, prefix: str = "", partitions: int = 4, replication_factor: int = 1
) -> list[str]:
    """Create any missing aidledger topic; returns the names that were created."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="aidledger-admin")
    try:
        existing = set(admin.list_topics())
        missing = [t for t in all_topics(prefix) if t not in existing]
        if missing:
            # Another process may create a topic first; that is fine.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [
                        NewTopic(t, partitions, replication_factor, topic_configs=RETENTION_CONFIG)
                        for t in missing
                    ]
                )
        return missing
    finally:
        admin.close()
