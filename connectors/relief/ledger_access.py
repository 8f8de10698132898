"""A read-only SQLAlchemy connection to the ledger with database errors worded for people."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from ledger.errors import LedgerUnavailable


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for queries; missing tables or a dead server become LedgerUnavailable."""
    try:
        with engine.connect() as conn:
            yield conn
    except OperationalError as exc:
        raise LedgerUnavailable(f"cannot reach the ledger database: {exc.orig}") from None
    except ProgrammingError as exc:
        if getattr(exc.orig, "pgcode", None) in {"42P01", "3F000"}:  # undefined table / schema
            raise LedgerUnavailable(
                f"the ledger tables are missing ({exc.orig}); run the migrations first"
            ) from None
        raise
