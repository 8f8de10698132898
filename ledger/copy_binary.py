"""PostgreSQL binary COPY: field encoders for the types the ledger writes.

Binary COPY skips the server's text parsing and the hex round trip of bytea, which roughly
halves the cost of writing an event on both sides (see docs/PERFORMANCE.md).
"""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
TRAILER = struct.pack("!h", -1)
NULL = struct.pack("!i", -1)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_EPOCH_DAY = date(2000, 1, 1).toordinal()
_MICROSECOND = timedelta(microseconds=1)
_LEN = struct.Struct("!i").pack
INT4 = struct.Struct("!ii")
INT8 = struct.Struct("!iq")
TIMESTAMP = INT8


def text(value: str | None) -> bytes:
    """A text field (UTF-8), or NULL."""
    if value is None:
        return NULL
    data = value.encode()
    return _LEN(len(data)) + data


def raw(data: bytes) -> bytes:
    """A bytea field."""
    return _LEN(len(data)) + data


def jsonb(data: bytes) -> bytes:
    """A jsonb field from JSON text: format version 1, then the text."""
    return _LEN(len(data) + 1) + b"\x01" + data


def micros(moment: datetime) -> int:
    """A timestamptz as microseconds since 2000-01-01 UTC (aware datetimes only)."""
    return (moment - _EPOCH) // _MICROSECOND


def days(day: date) -> int:
    """A date as days since 2000-01-01."""
    return day.toordinal() - _EPOCH_DAY


def timestamptz(moment: datetime) -> bytes:
    return TIMESTAMP.pack(8, micros(moment))


def date_field(day: date) -> bytes:
    return INT4.pack(4, days(day))
