"""Small SQL helpers shared by the BHYT and relief queries over the ledger's events."""

from __future__ import annotations

import re

from schemas.errors import AidLedgerError

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class BadSchemaName(AidLedgerError):
    """A schema name that is not a plain lowercase identifier (it is put into SQL text)."""

    exit_code = 3


def events_table(schema: str) -> str:
    """The quoted ``schema.events`` table, refusing anything but a plain identifier."""
    if not _SCHEMA.match(schema):
        raise BadSchemaName(f"schema name {schema!r} must be a lowercase identifier")
    return f'"{schema}".events'


def local_date(column: str) -> str:
    """SQL for the Vietnam calendar date (UTC+7, no daylight saving) of a jsonb timestamp."""
    return f"((({column})::timestamptz AT TIME ZONE 'UTC') + interval '7 hours')::date"


def local_month(column: str) -> str:
    """SQL for the Vietnam month, written YYYY-MM, of a jsonb timestamp."""
    return f"to_char({local_date(column)}, 'YYYY-MM')"
