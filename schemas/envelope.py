"""The envelope every event carries: identity, type, version, times, source, correlation."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import ConfigDict, Field

from schemas.canonical_model import CanonicalModel
from schemas.types import UtcDatetime


class Source(CanonicalModel):
    """Who recorded the fact: the system and, when a person did it, the operator."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    system: str = Field(min_length=1, max_length=64)
    operator: str | None = Field(default=None, max_length=128)
    #: Where the fact came from: a file and row, an API call... (for audit "explain").
    reference: str | None = Field(default=None, max_length=512)


class Event(CanonicalModel):
    """Base of every event. Subclasses are frozen, past-tense facts of one family."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    #: The Kafka topic family this event belongs to; set by each family module.
    family: ClassVar[str]
    #: The field that holds the subject id (Kafka key; one subject's events stay in order).
    subject_field: ClassVar[str] = "person_id"

    event_id: UUID = Field(description="Chosen by the producer; the idempotency key")
    event_type: str
    schema_version: int = Field(ge=1)
    occurred_at: UtcDatetime = Field(description="When it happened in the world (UTC)")
    recorded_at: UtcDatetime = Field(description="When a system first recorded it (UTC)")
    source: Source
    correlation_id: UUID | None = None

    @property
    def subject(self) -> str:
        """The subject id: a person, list, campaign, donor or post office."""
        return str(getattr(self, self.subject_field))
