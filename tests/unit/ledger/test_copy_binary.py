"""Binary COPY encoders: PostgreSQL's epoch and wire layout."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from ledger import copy_binary as B


def test_timestamps_are_microseconds_since_2000_utc() -> None:
    assert B.micros(datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert B.micros(datetime(2000, 1, 2, 0, 0, 1, 5, tzinfo=UTC)) == 86_401_000_005
    plus7 = timezone(timedelta(hours=7))
    assert B.micros(datetime(2000, 1, 1, 7, tzinfo=plus7)) == 0
    assert B.micros(datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)) == -1_000_000


def test_dates_are_days_since_2000() -> None:
    assert B.days(date(2000, 1, 1)) == 0
    assert B.days(date(2024, 7, 1)) == 8948


def test_fields_carry_their_length_and_null_is_minus_one() -> None:
    assert B.text("ả") == b"\x00\x00\x00\x03" + "ả".encode()
    assert B.text(None) == b"\xff\xff\xff\xff"
    assert B.jsonb(b"{}") == b"\x00\x00\x00\x03\x01{}"
    assert B.raw(b"\x00\x01") == b"\x00\x00\x00\x02\x00\x01"
