"""JSON-lines files of events: every line validated, the whole file refused on any bad line."""

from __future__ import annotations

from pathlib import Path

from schemas.envelope import Event
from schemas.errors import AidLedgerError, InvalidEvent
from schemas.registry import parse_storable_event


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
    events: list[Event] = []
    problems: list[str] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                events.append(parse_storable_event(line, record=f"line {number}"))
            except InvalidEvent as exc:
                problems.append(exc.message)
    if problems:
        raise FileRefused(path, problems)
    return events
