"""Small SQL helpers shared by the BHYT and relief queries over the ledger's events."""

from __future__ import annotations

from ledger.storage import checked_schema


def events_table(schema: str) -> str:
    """The quoted ``schema.events`` table, refusing anything but a plain identifier."""
    return f'"{checked_schema(schema)}".events'


def local_date(column: str) -> str:
    """SQL for the Vietnam calendar date (UTC+7, no daylight saving) of a jsonb timestamp."""
    return f"((({column})::timestamptz AT TIME ZONE 'UTC') + interval '7 hours')::date"


def local_month(column: str) -> str:
    """SQL for the Vietnam month, written YYYY-MM, of a jsonb timestamp."""
    return f"to_char({local_date(column)}, 'YYYY-MM')"
