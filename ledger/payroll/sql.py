"""COPY helpers for the payroll and reconciliation read models (set-based, never row by row)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

#: COPY text format: NULL, and the characters that must be escaped inside a field.
NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text(value: str | None) -> str:
    """A text field for COPY: backslash, tab and line breaks escaped; None is NULL."""
    return NULL if value is None else value.translate(_ESCAPES)


def _field(value: object) -> str:
    if value is None:
        return NULL
    if isinstance(value, str):
        return text(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def copy_rows(
    cur: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """COPY rows into ``table``; returns how many."""
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(_field(v) for v in row))
        buffer.write("\n")
        count += 1
    if count:
        buffer.seek(0)
        cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer, size=1 << 16)
    return count


def temp_table(cur: Any, name: str, like_columns: str) -> None:
    """A session temp table, emptied, dropped at the end of the transaction."""
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({like_columns}) ON COMMIT DROP")
    cur.execute(f"TRUNCATE {name}")
