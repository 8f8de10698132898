"""Intake: raw records become validated events, or dead letters that say what is wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from connectors.topics import topic_name
from ledger.records import Incoming
from schemas.envelope import Event
from schemas.errors import InvalidEvent
from schemas.registry import parse_storable_event, topic_for
from streams.deadletters import DeadLetter
from streams.records import RawRecord


@dataclass
class Intake:
    """One batch sorted: events ready for the ledger (with their records) and dead letters."""

    accepted: list[tuple[RawRecord, Event]] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)

    def incoming(self) -> list[Incoming]:
        """The accepted events as ledger items, each with its Kafka origin."""
        return [Incoming(event, record.origin) for record, event in self.accepted]


def accept(record: RawRecord, prefix: str = "") -> Event:
    """Parse and validate one record; raises InvalidEvent naming the record and each problem
    (a text holding U+0000, which no PostgreSQL text can store, is one)."""
    # Valid JSON and a valid event, yet PostgreSQL can store no NUL: refused here, the
    # record is a dead letter instead of a batch that fails on every attempt.
    event = parse_storable_event(record.value, record=record.label)
    expected = topic_name(topic_for(event), prefix)
    if record.topic != expected:
        # One subject's events must share one topic, or their order is lost.
        raise InvalidEvent.single(
            f"{record.label} {event.event_id}",
            "event_type",
            f"{event.event_type} events belong on topic {expected}, not {record.topic};"
            " publish it there",
        )
    return event


def triage(records: Iterable[RawRecord], prefix: str = "") -> Intake:
    """Sort a batch; nothing is dropped: every record is accepted or becomes a dead letter.

    A record on which validation itself breaks down (an error other than InvalidEvent) is a
    dead letter too, saying so: raised, it would fail the batch on every attempt.
    """
    intake = Intake()
    for record in records:
        try:
            intake.accepted.append((record, accept(record, prefix)))
        except InvalidEvent as exc:
            intake.letters.append(DeadLetter.invalid(record, exc))
        except Exception as exc:
            intake.letters.append(DeadLetter.invalid(record, unreadable(record.label, exc)))
    return intake


def unreadable(record: str, error: Exception) -> InvalidEvent:
    """An InvalidEvent for a record whose validation failed with an unexpected ``error``."""
    return InvalidEvent.single(
        record,
        "",
        f"could not be validated ({type(error).__name__}: {error}); correct the event and send"
        " it again",
    )
