"""Settings from the environment (pydantic-settings). No settings means the embedded pair."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable; each field names the environment variable that sets it."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    kafka_bootstrap_servers: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    data_dir: Path = Field(default=Path("var"), validation_alias=AliasChoices("AIDLEDGER_DATA_DIR"))
    #: False in production (deploy/ sets it): a missing KAFKA_BOOTSTRAP_SERVERS or DATABASE_URL
    #: is then an error instead of quietly starting the embedded development pair.
    embedded_allowed: bool = Field(
        default=True, validation_alias=AliasChoices("AIDLEDGER_EMBEDDED")
    )
    broker_port: int = Field(default=19092, validation_alias=AliasChoices("AIDLEDGER_BROKER_PORT"))
    postgres_port: int = Field(
        default=15432, validation_alias=AliasChoices("AIDLEDGER_POSTGRES_PORT")
    )
    topic_prefix: str = Field(default="", validation_alias=AliasChoices("AIDLEDGER_TOPIC_PREFIX"))
    topic_partitions: int = Field(
        default=4, ge=1, validation_alias=AliasChoices("AIDLEDGER_TOPIC_PARTITIONS")
    )
    replication_factor: int = Field(
        default=1, ge=1, validation_alias=AliasChoices("AIDLEDGER_REPLICATION_FACTOR")
    )
    consumer_group: str = Field(
        default="aidledger-ledger", validation_alias=AliasChoices("AIDLEDGER_CONSUMER_GROUP")
    )
    metrics_port: int = Field(default=9108, validation_alias=AliasChoices("AIDLEDGER_METRICS_PORT"))
    worker_id: str | None = Field(
        default=None, validation_alias=AliasChoices("AIDLEDGER_WORKER_ID")
    )
    #: Session timeout of Kafka consumers; short on the embedded broker (its joins wait half).
    session_timeout_s: float = Field(
        default=6.0, validation_alias=AliasChoices("AIDLEDGER_SESSION_TIMEOUT")
    )
    heartbeat_interval_s: float = Field(
        default=2.0, validation_alias=AliasChoices("AIDLEDGER_HEARTBEAT_INTERVAL")
    )

    @property
    def embedded_kafka(self) -> bool:
        return not self.kafka_bootstrap_servers

    @property
    def embedded_postgres(self) -> bool:
        return not self.database_url
