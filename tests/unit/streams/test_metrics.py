"""The worker's Prometheus endpoint (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest

from streams.metrics import StreamMetrics


@pytest.fixture
def metrics() -> Iterator[StreamMetrics]:
    m = StreamMetrics()
    try:
        yield m
    finally:
        m.close()


def test_port_zero_picks_a_free_port_and_serves_every_metric(metrics: StreamMetrics) -> None:
    metrics.count({"t.aid.payments": 5}, {"t.aid.payments": 2})
    metrics.batch_seconds.observe(0.2)
    metrics.set_lag({("t.aid.payments", 3): 17})

    port = metrics.serve(0, "127.0.0.1")
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()

    assert port > 0
    assert 'aidledger_events_processed_total{topic="t.aid.payments"} 5.0' in body
    assert 'aidledger_deadletters_total{topic="t.aid.payments"} 2.0' in body
    assert "aidledger_batch_seconds_count 1.0" in body
    assert 'aidledger_ledger_lag{partition="3",topic="t.aid.payments"} 17.0' in body


def test_lag_of_partitions_no_longer_held_disappears(metrics: StreamMetrics) -> None:
    metrics.set_lag({("t.aid.payments", 0): 1, ("t.aid.payments", 1): 2})
    metrics.set_lag({("t.aid.payments", 1): 0})

    lag = {s.labels["partition"]: s.value for s in next(iter(metrics.lag.collect())).samples}
    assert lag == {"1": 0}


def test_two_workers_in_one_process_keep_separate_registries() -> None:
    first, second = StreamMetrics(), StreamMetrics()
    first.count({"t": 3}, {})

    assert (
        second.registry.get_sample_value("aidledger_events_processed_total", {"topic": "t"}) is None
    )
