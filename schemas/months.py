"""Month arithmetic on "YYYY-MM" strings, the ledger's unit of business time."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta


def month_of(day: date) -> str:
    """The month a date falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, n: int) -> str:
    """The month ``n`` months after (or before, if negative) ``month``."""
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> Iterator[str]:
    """Every month from ``first`` to ``last`` inclusive (nothing if last < first)."""
    current = first
    while current <= last:
        yield current
        current = add_months(current, 1)


def first_day(month: str) -> date:
    """The first day of a month."""
    return date(int(month[:4]), int(month[5:7]), 1)


def last_day(month: str) -> date:
    """The last day of a month."""
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, calendar.monthrange(year, mon)[1])


def end_of_day(day: date) -> datetime:
    """The first instant after ``day`` (UTC): balances "at the end of" a date use it."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
