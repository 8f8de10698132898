"""Errors the ledger reports: conflicts, missing rules, unreachable or unmigrated databases."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from schemas.errors import AidLedgerError

if TYPE_CHECKING:
    from ledger.records import KafkaOrigin
    from schemas.envelope import Event


class DuplicateEventConflict(AidLedgerError):
    """An event id already recorded with a different payload: refused, reported, never applied.

    Returned in ``AppendResult.conflicts`` (the rest of the batch proceeds), not raised.
    """

    exit_code = 3

    def __init__(
        self,
        event_id: UUID,
        event_type: str,
        stored_sequence: int,
        stored_digest: str,
        incoming_digest: str,
        origin: KafkaOrigin | None = None,
    ) -> None:
        self.event_id = event_id
        self.event_type = event_type
        self.stored_sequence = stored_sequence
        self.stored_digest = stored_digest
        self.incoming_digest = incoming_digest
        self.origin = origin
        where = f" (from {origin})" if origin else ""
        super().__init__(
            f"event {event_id} ({event_type}){where} conflicts with the event recorded at "
            f"sequence {stored_sequence}: same id, different content (stored sha256 "
            f"{stored_digest[:16]}…, incoming {incoming_digest[:16]}…); it was not applied. "
            "Correct the producer, or publish a correction with a new event id."
        )


class NoPostingRule(AidLedgerError):
    """An event type has no posting rule (the rules must cover schemas.EVENT_TYPES)."""

    exit_code = 3

    def __init__(self, event: Event) -> None:
        super().__init__(
            f"event {event.event_id}: type {event.event_type!r} has no posting rule in "
            "ledger.posting_rules; nothing of the batch was written"
        )


class InvalidSchemaName(AidLedgerError, ValueError):
    """A schema name that is not a plain lower-case SQL identifier."""

    exit_code = 3

    def __init__(self, name: str) -> None:
        super().__init__(
            f"schema name {name!r} is not allowed: use lower-case letters, digits and _"
        )


class LedgerUnavailable(AidLedgerError):
    """The ledger database cannot be reached, or its tables are missing."""

    exit_code = 4


class InvalidQuery(AidLedgerError, ValueError):
    """A query with arguments the ledger cannot answer (e.g. a time without a timezone)."""

    exit_code = 3
