"""Checking a list against the ledger, then publishing only what is new.

Already recorded events (a re-import) are skipped; an event whose id is recorded with other
content is a changed row: the whole file is refused, naming the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from uuid import UUID

from connectors.jsonl import FileRefused
from ledger.relief.recorded import RecordedCheck
from schemas.envelope import Event


class Publisher(Protocol):
    def publish(self, events: Sequence[Event]) -> int: ...


@dataclass
class ImportSummary:
    """What an import did: events read, published, skipped, and warnings to show."""

    file: Path
    read: int
    published: int
    already_recorded: int
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"{self.file}: {self.read} events read, {self.published} published,"
            f" {self.already_recorded} already recorded (skipped)",
            *self.warnings,
        ]


def refuse_conflicts(path: Path, check: RecordedCheck, rows: Mapping[UUID, str]) -> None:
    """Raise FileRefused when any row changes an event the ledger already recorded."""
    if check.conflicts:
        raise FileRefused(
            path,
            [
                f"{rows[event.event_id]}: changes the {event.event_type} recorded at ledger"
                f" sequence {sequence}; publish a correction instead of editing the list"
                for event, sequence in check.conflicts
            ],
        )


def publish_new(
    path: Path, check: RecordedCheck, publisher: Publisher, warnings: Sequence[str] = ()
) -> ImportSummary:
    """Publish the new events (confirmed by the broker) and summarise."""
    published = publisher.publish(check.new) if check.new else 0
    total = len(check.new) + len(check.already_recorded)
    return ImportSummary(path, total, published, len(check.already_recorded), list(warnings))
