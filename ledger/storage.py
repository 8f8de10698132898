"""Raw psycopg2 connections from a SQLAlchemy engine, with database errors worded for people."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import psycopg2.errors
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from ledger.errors import InvalidSchemaName, LedgerUnavailable

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked_schema(name: str) -> str:
    """The schema name, if it is a plain identifier (it is written into SQL text)."""
    if not _SCHEMA.match(name):
        raise InvalidSchemaName(name)
    return name


@contextmanager
def raw_connection(engine: Engine) -> Iterator[Any]:
    """A pooled psycopg2 connection; rolled back (if still in a transaction) and returned."""
    try:
        proxied = engine.raw_connection()
    except OperationalError as exc:
        raise LedgerUnavailable(
            f"cannot connect to the ledger database: {exc.orig}".strip()
        ) from None
    conn: Any = proxied.driver_connection
    try:
        yield conn
    except psycopg2.errors.UndefinedTable as exc:
        raise LedgerUnavailable(
            f"the ledger tables are missing ({exc.pgerror or exc}); run `aidledger db migrate`"
        ) from None
    except psycopg2.OperationalError as exc:
        raise LedgerUnavailable(f"the ledger database failed: {exc}") from None
    finally:
        try:
            if not conn.closed:
                conn.rollback()
        finally:
            proxied.close()
