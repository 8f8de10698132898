"""A migrated ledger (every head, 0005_relief included) in a fresh database per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import Engine

from ledger import Ledger, open_ledger
from schemas.envelope import Event
from schemas.registry import parse_event


@pytest.fixture
def relief_ledger(empty_database_url: str) -> Iterator[Ledger]:
    """A real ledger in its own database, migrated to every head."""
    ledger = open_ledger(empty_database_url)
    try:
        yield ledger
    finally:
        ledger.close()


@pytest.fixture
def relief_engine(relief_ledger: Ledger) -> Engine:
    return relief_ledger.engine


@pytest.fixture
def relief_db_url(relief_ledger: Ledger) -> str:
    return relief_ledger.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def cli(relief_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """Run ``aidledger`` in-process against the test ledger (a fresh Runtime per test)."""
    import importlib

    from connectors.cli.app import run

    monkeypatch.setenv("DATABASE_URL", relief_db_url)
    monkeypatch.setattr(importlib.import_module("connectors.cli.app"), "_cached", [])

    def invoke(*args: str) -> int:
        return run(list(args))

    return invoke


@pytest.fixture
def broker_cli(
    cli: Callable[..., int],
    kafka_bootstrap: str,
    topic_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., int]:
    """``cli`` publishing to the real broker under this test's topic prefix."""
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("AIDLEDGER_TOPIC_PREFIX", topic_prefix)
    return cli


def consume(bootstrap: str, topic: str, expected: int, timeout_s: float = 30.0) -> list[Event]:
    """Read ``expected`` events from the start of ``topic`` (what a ledger worker would)."""
    import time

    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    events: list[Event] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(events) < expected and time.monotonic() < deadline:
            events += [parse_event(message.value) for message in consumer]
    finally:
        consumer.close()
    return events
