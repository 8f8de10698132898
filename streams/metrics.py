"""Prometheus metrics of one worker, served over HTTP on Settings.metrics_port."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

log = logging.getLogger("aidledger.streams")

#: Batches take from a few milliseconds (a handful of records) to seconds (tens of thousands).
BATCH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class StreamMetrics:
    """The worker's counters, batch histogram and ledger lag, in a registry of their own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.processed = Counter(
            "aidledger_events_processed",
            "Valid events handed to the ledger (appended, or already recorded), by topic.",
            ["topic"],
            registry=self.registry,
        )
        self.deadletters = Counter(
            "aidledger_deadletters",
            "Records refused (invalid, or a ledger conflict) and dead-lettered, by topic.",
            ["topic"],
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "aidledger_batch_seconds",
            "Wall time of one batch: validation, ledger append, published effects.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.lag = Gauge(
            "aidledger_ledger_lag",
            "Records after the ledger's stored position, up to the partition's end offset.",
            ["topic", "partition"],
            registry=self.registry,
        )
        self._server: Any = None

    def count(self, processed: Mapping[str, int], deadletters: Mapping[str, int]) -> None:
        for topic, n in processed.items():
            self.processed.labels(topic=topic).inc(n)
        for topic, n in deadletters.items():
            self.deadletters.labels(topic=topic).inc(n)

    def set_lag(self, lag: Mapping[tuple[str, int], int]) -> None:
        """Replace the lag series: one per partition this worker holds now."""
        self.lag.clear()
        for (topic, partition), value in lag.items():
            self.lag.labels(topic=topic, partition=str(partition)).set(value)

    def serve(self, port: int, host: str = "0.0.0.0") -> int:
        """Serve /metrics; port 0 picks a free port. Returns the port (also logged)."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        self._server = server
        bound = int(server.server_port)
        log.info("metrics on http://%s:%d/metrics", host, bound)
        return bound

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
