"""Read-only database sessions for audits: plain psycopg2, one snapshot, optional SET ROLE.

Audits take a URL rather than an engine because parallel scans open one connection per
worker process, all importing the snapshot of the first, so every worker reads the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg2
import psycopg2.errors
from sqlalchemy.engine import make_url

from ledger.audit.errors import AuditInputError, AuditUnavailable

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def checked_name(name: str, what: str = "schema") -> str:
    """A plain lower-case SQL identifier (it is written into SQL text), else bad input."""
    if not _NAME.match(name):
        raise AuditInputError(f"{what} name {name!r} is not allowed: use a-z, 0-9 and _")
    return name


@dataclass(frozen=True)
class Database:
    """Where to connect (psycopg2 keywords) and the role to act as (``SET ROLE``), if any."""

    params: tuple[tuple[str, Any], ...]
    role: str | None = None

    @classmethod
    def from_url(cls, url: str, role: str | None = None) -> Database:
        """From a SQLAlchemy URL such as ``postgresql+psycopg2://user:pw@host:5432/db``."""
        u = make_url(url)
        params: dict[str, Any] = {
            "host": u.host,
            "port": u.port,
            "user": u.username,
            "password": u.password,
            "dbname": u.database,
            **{k: v for k, v in u.query.items() if isinstance(v, str)},
        }
        checked = checked_name(role, "role") if role else None
        return cls(tuple((k, v) for k, v in params.items() if v is not None), checked)

    def connect(self, readonly: bool = True) -> Any:
        """A psycopg2 connection (acting as ``role``); read-only repeatable read by default."""
        try:
            conn = psycopg2.connect(**dict(self.params))
        except psycopg2.OperationalError as exc:
            reason = str(exc).strip()
            raise AuditUnavailable(f"cannot connect to the ledger database: {reason}") from None
        if self.role:
            conn.autocommit = True
            with conn.cursor() as cur:
                try:
                    cur.execute(f'SET ROLE "{self.role}"')
                except psycopg2.Error as exc:
                    conn.close()
                    reason = str(exc).strip()
                    raise AuditInputError(f"cannot act as role {self.role}: {reason}") from None
            conn.autocommit = False
        if readonly:
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        return conn


@contextmanager
def session(db: Database, readonly: bool = True) -> Iterator[Any]:
    """A connection that is rolled back and closed afterwards; database errors are worded."""
    conn = db.connect(readonly)
    try:
        with worded_errors():
            yield conn
    finally:
        if not conn.closed:
            conn.rollback()
            conn.close()


@contextmanager
def worded_errors() -> Iterator[None]:
    """Turn the database errors an audit can meet into messages that say what to do."""
    try:
        yield
    except psycopg2.errors.UndefinedTable as exc:
        raise AuditUnavailable(
            f"the ledger tables are missing ({_first_line(exc)}); check --schema, "
            "or run `aidledger db migrate`"
        ) from None
    except psycopg2.errors.InsufficientPrivilege as exc:
        raise AuditInputError(
            f"this database role may not read what the audit needs ({_first_line(exc)}); "
            "connect or --role as aidledger_auditor"
        ) from None
    except psycopg2.OperationalError as exc:
        raise AuditUnavailable(f"the ledger database failed: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
