"""The Faust app of the stream workers, configured from Settings for the embedded broker or a
real cluster. Workers share the family topics' partitions in one consumer group."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import faust

from connectors.settings import Settings
from connectors.topics import topic_name
from schemas.registry import FAMILY_TOPICS
from streams.consumer import BatchSink, BatchTransport

#: Records per batch, and how long to wait for a batch to fill once its first record came.
BATCH_MAX_RECORDS = 10_000
BATCH_WITHIN_S = 0.25
#: Batches handed to the ledger before the oldest is waited for: one written, one planned,
#: one being fetched and validated.
BATCHES_IN_FLIGHT = 3
#: Fetch sizes: whole batches per round trip (events are ~0.5 KB).
MAX_POLL_RECORDS = 10_000
MAX_PARTITION_FETCH_BYTES = 16 * 1024 * 1024


class AidLedgerApp(faust.App):
    """faust.App whose consumer hands whole fetches to ``batch_sink`` (see streams.consumer)."""

    batch_sink: BatchSink | None = None
    batch_max_records: int = BATCH_MAX_RECORDS
    batch_within_s: float = BATCH_WITHIN_S
    batches_in_flight: int = BATCHES_IN_FLIGHT
    worker_id: str = ""
    family_topics: tuple[str, ...] = ()
    #: An error that stopped the consumer outside a batch (the worker reports it).
    failure: BaseException | None = None

    def _new_transport(self) -> Any:
        return BatchTransport(self.conf.broker_consumer, self)


def worker_id(settings: Settings) -> str:
    """This worker's name: AIDLEDGER_WORKER_ID (the pod name), else host and process id."""
    return settings.worker_id or f"{socket.gethostname()}-{os.getpid()}"


def create_app(settings: Settings, bootstrap_servers: str | None = None) -> AidLedgerApp:
    """The stream app; ``bootstrap_servers`` overrides Settings (the Runtime resolves them)."""
    servers = bootstrap_servers or settings.kafka_bootstrap_servers
    if not servers:
        raise ValueError("no Kafka bootstrap servers: set KAFKA_BOOTSTRAP_SERVERS or start one")
    me = worker_id(settings)
    datadir = Path(settings.data_dir) / "streams" / me
    datadir.parent.mkdir(parents=True, exist_ok=True)
    app = AidLedgerApp(
        settings.consumer_group,  # the app id is the consumer group id
        broker=[f"kafka://{s.strip()}" for s in servers.split(",") if s.strip()],
        broker_client_id=f"aidledger-{me}",
        datadir=str(datadir),
        store="memory://",  # no Faust tables: state lives in PostgreSQL
        autodiscover=False,
        web_enabled=False,
        key_serializer="raw",
        value_serializer="raw",
        processing_guarantee="at_least_once",
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        broker_max_poll_records=MAX_POLL_RECORDS,
        consumer_max_fetch_size=MAX_PARTITION_FETCH_BYTES,
        consumer_auto_offset_reset="earliest",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=False,  # topics are created by ensure_topics / the deploy job
        topic_disable_leader=True,
        stream_wait_empty=False,
        producer_acks=-1,
        producer_max_request_size=8 * 1024 * 1024,
    )
    app.worker_id = me
    app.family_topics = tuple(topic_name(t, settings.topic_prefix) for t in FAMILY_TOPICS.values())
    for name in app.family_topics:
        app.topics.add(app.topic(name, key_type=bytes, value_type=bytes))
    return app
