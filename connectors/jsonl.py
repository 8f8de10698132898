"""JSON-lines files of events: every line validated, the whole file refused on any bad line.

UTF-8, with or without a byte order mark at the start.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from connectors.producer import MAX_REQUEST_BYTES, message_of, too_large
from schemas.envelope import Event
from schemas.errors import AidLedgerError, InvalidEvent
from schemas.registry import parse_storable_event
from streams.intake import unreadable

#: (prefixed topic, key, canonical JSON) of one event.
Message = tuple[str, bytes, bytes]


class FileRefused(AidLedgerError):
    """A file had bad records; none of it was applied. ``problems`` lists each one."""

    exit_code = 3

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{path} was refused, nothing was published:\n  {shown}{more}")


def read_events(path: Path) -> list[Event]:
    """Parse every non-blank line; raise FileRefused listing each bad line by number."""
    problems: list[str] = []
    events = [event for _, event in _numbered_events(path, problems)]
    if problems:
        raise FileRefused(path, problems)
    return events


def read_messages(path: Path, prefix: str = "") -> list[Message]:
    """The file's events as the messages that publish them; FileRefused lists each bad line
    by number, an event too large for one Kafka message included (checked before anything
    is sent, so a file is never published in part)."""
    messages: list[Message] = []
    problems: list[str] = []
    for number, event in _numbered_events(path, problems):
        message = message_of(event, prefix)
        if too_large(message[1], message[2]):
            problems.append(
                f"line {number} ({event.event_type} {event.event_id}) was refused: it is"
                f" {len(message[2]):,} bytes as canonical JSON, more than the"
                f" {MAX_REQUEST_BYTES:,} one Kafka message may hold; split it"
            )
        messages.append(message)
    if problems:
        raise FileRefused(path, problems)
    return messages


def _numbered_events(path: Path, problems: list[str]) -> Iterator[tuple[int, Event]]:
    """The valid events of the file with their line numbers; each bad line goes to
    ``problems`` instead."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1:  # as Windows editors save UTF-8
                line = line.removeprefix(codecs.BOM_UTF8)
            if not line.strip():
                continue
            try:
                yield number, parse_storable_event(line, record=f"line {number}")
            except InvalidEvent as exc:
                problems.append(exc.message)
            except Exception as exc:  # validation broke down on this line: still its problem
                problems.append(unreadable(f"line {number}", exc).message)
