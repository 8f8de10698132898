"""The composition root: builds engines, publishers, the ledger and workers from Settings.

Nothing else reads settings or starts services; every command asks this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from connectors.embedded.broker import EmbeddedBroker
from connectors.embedded.postgres import EmbeddedPostgres
from connectors.settings import Settings
from schemas.errors import AidLedgerError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from connectors.producer import EventPublisher
    from connectors.publish_process import ProcessPublisher
    from ledger.projectors import Projector


class NotConfigured(AidLedgerError):
    """A connection point is missing and the embedded pair is not allowed (AIDLEDGER_EMBEDDED)."""

    exit_code = 2


def _external_only(variable: str) -> NotConfigured:
    return NotConfigured(
        f"{variable} is not set and AIDLEDGER_EMBEDDED=false: set {variable} to the production "
        "service (the embedded development broker and database are refused here)"
    )


@dataclass
class Runtime:
    """Resolved connection points: external ones from settings, else the embedded pair."""

    settings: Settings

    @cached_property
    def broker(self) -> EmbeddedBroker:
        return EmbeddedBroker(self.settings.data_dir, self.settings.broker_port)

    @cached_property
    def postgres(self) -> EmbeddedPostgres:
        return EmbeddedPostgres(self.settings.data_dir, self.settings.postgres_port)

    @cached_property
    def bootstrap_servers(self) -> str:
        """Kafka bootstrap servers; starts the embedded broker when none is configured."""
        if self.settings.kafka_bootstrap_servers:
            return self.settings.kafka_bootstrap_servers
        if not self.settings.embedded_allowed:
            raise _external_only("KAFKA_BOOTSTRAP_SERVERS")
        self.broker.start()
        from connectors.topics import ensure_topics

        ensure_topics(
            self.broker.bootstrap_servers,
            self.settings.topic_prefix,
            self.settings.topic_partitions,
            self.settings.replication_factor,
        )
        return self.broker.bootstrap_servers

    @cached_property
    def database_url(self) -> str:
        """SQLAlchemy URL; starts the embedded PostgreSQL when DATABASE_URL is not set."""
        if self.settings.database_url:
            return self.settings.database_url
        if not self.settings.embedded_allowed:
            raise _external_only("DATABASE_URL")
        self.postgres.start()
        return self.postgres.url()

    @cached_property
    def engine(self) -> Engine:
        from sqlalchemy import create_engine

        return create_engine(self.database_url, pool_pre_ping=True, future=True)

    def projectors(self) -> list[Projector]:
        """The read models every ledger writer keeps in its append transaction."""
        from ledger.payroll.projector import PayrollProjector
        from ledger.reconciliation.projector import ReconciliationProjector

        return [PayrollProjector(), ReconciliationProjector()]

    def publisher(self) -> EventPublisher:
        from connectors.producer import EventPublisher

        return EventPublisher(self.bootstrap_servers, self.settings.topic_prefix)

    def bulk_publisher(self) -> ProcessPublisher:
        """For commands publishing many events (payroll run): sends from a child process."""
        from connectors.publish_process import ProcessPublisher

        return ProcessPublisher(self.bootstrap_servers, self.settings.topic_prefix)


def runtime(settings: Settings | None = None) -> Runtime:
    """The one place that turns settings into a Runtime."""
    return Runtime(settings or Settings())
