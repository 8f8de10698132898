"""Cell parsers for imported lists: each returns a typed value or raises CellError(reason).

The plain functions refuse an empty cell; the ``optional_`` ones return None for it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

#: Naive times in a list are Vietnam local time (UTC+7, no daylight saving).
VIETNAM = timezone(timedelta(hours=7))
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class CellError(ValueError):
    """One cell could not be read; the message is the reason shown to the user."""


def optional_text(cells: dict[str, Any], column: str) -> str | None:
    """A trimmed string, or None when blank; refuses a NUL character (U+0000)."""
    value = cells.get(column)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets store codes typed as numbers as floats
    shown = "" if value is None else str(value).strip()
    if "\x00" in shown:
        # PostgreSQL stores no NUL in text: the event would be refused by the ledger.
        raise CellError(f"{column}: contains a NUL character (U+0000); remove it")
    return shown or None


def text(cells: dict[str, Any], column: str) -> str:
    """A trimmed, non-blank string."""
    value = optional_text(cells, column)
    if value is None:
        raise CellError(f"{column}: is required but empty")
    return value


def optional_whole(cells: dict[str, Any], column: str) -> int | None:
    """A whole number (digits only in text, or an integral spreadsheet number), or None."""
    value = cells.get(column)
    if isinstance(value, bool):
        raise CellError(f"{column}: must be a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError(f"{column}: must be a whole number (amounts are whole đồng), got {value!r}")
    raw = optional_text(cells, column)
    if raw is None:
        return None
    if not re.fullmatch(r"-?\d+", raw):
        raise CellError(f"{column}: must be a whole number written with digits only, got {raw!r}")
    return int(raw)


def whole(cells: dict[str, Any], column: str) -> int:
    """A whole number; blank is refused."""
    value = optional_whole(cells, column)
    if value is None:
        raise CellError(f"{column}: is required but empty")
    return value


def optional_day(cells: dict[str, Any], column: str) -> date | None:
    """A date (YYYY-MM-DD, DD/MM/YYYY or a spreadsheet date), or None."""
    value = cells.get(column)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = optional_text(cells, column)
    if raw is None:
        return None
    match = _DMY.match(raw)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(raw)
    except ValueError:
        reason = f"{column}: {raw!r} is not a date (write YYYY-MM-DD or DD/MM/YYYY)"
        raise CellError(reason) from None


def day(cells: dict[str, Any], column: str) -> date:
    """A date; blank is refused."""
    value = optional_day(cells, column)
    if value is None:
        raise CellError(f"{column}: is required but empty")
    return value


def instant(cells: dict[str, Any], column: str) -> datetime:
    """A UTC instant: ISO 8601 with or without offset (none means Vietnam time), or a date."""
    value = cells.get(column)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    else:
        raw = text(cells, column)
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            moment = datetime.combine(day(cells, column), time(0))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    return moment.astimezone(UTC)


def local_midnight(value: date) -> datetime:
    """The start of a Vietnam calendar day, as a UTC instant."""
    return datetime.combine(value, time(0), tzinfo=VIETNAM).astimezone(UTC)
