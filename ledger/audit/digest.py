"""A digest of everything a ledger schema holds, to show two replays came out byte-identical.

SHA-256 over the tables in name order: the table name, then the MD5 of each row's text (the
compared columns, in primary-key order), with the session in UTC and ISO dates so the text of
a row depends only on its values.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ledger.audit.tables import ledger_tables, quoted


class _Hasher:
    """A write()-able sink that feeds COPY output into a running hash."""

    def __init__(self, digest: Any) -> None:
        self.digest = digest

    def write(self, chunk: bytes | str) -> None:
        self.digest.update(chunk.encode() if isinstance(chunk, str) else chunk)


def schema_digest(conn: Any, schema: str) -> str:
    """The digest of ``schema`` (read in the connection's current transaction)."""
    digest = hashlib.sha256()
    with conn.cursor() as cur:
        cur.execute("SET LOCAL TimeZone = 'UTC'")
        cur.execute("SET LOCAL DateStyle = 'ISO, YMD'")
        cur.execute("SET LOCAL bytea_output = 'hex'")
        cur.execute("SET LOCAL extra_float_digits = 3")
        for name, table in sorted(ledger_tables(conn, schema).items()):
            row = f"md5(ROW({quoted(table.columns)})::text)"
            order = quoted(table.key) if table.key else "1"
            digest.update(f"\n{name}\n".encode())
            cur.copy_expert(
                f'COPY (SELECT {row} FROM "{schema}"."{name}" ORDER BY {order}) TO STDOUT',
                _Hasher(digest),
            )
    return digest.hexdigest()
