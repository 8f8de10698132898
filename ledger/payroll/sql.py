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


def _cell(value: object) -> str:
    """A non-text value as COPY text; None becomes the NUL placeholder (see ``_clean_text``)."""
    if value is None:
        return _NUL
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


#: Stands for NULL while the rows are joined; PostgreSQL text can never hold a NUL itself.
_NUL = "\x00"


def _clean_text(rows: Iterable[Sequence[object]], width: int) -> tuple[str, int]:
    """COPY text of rows none of whose strings needs escaping, else ("", -1); and the count.

    Joining first and checking the whole text with a few C-level counts is several times
    faster than escaping field by field: a separator, line break, backslash or NUL inside a
    value makes the counts disagree, and the caller then escapes field by field.
    """
    lines: list[str] = []
    nulls = 0
    for row in rows:
        nulls += row.count(None)
        lines.append("\t".join([v if v.__class__ is str else _cell(v) for v in row]))
    if not lines:
        return "", 0
    data = "\n".join(lines) + "\n"
    n = len(lines)
    if (
        data.count("\t") != n * (width - 1)
        or data.count("\n") != n
        or data.count(_NUL) != nulls
        or "\\" in data
        or "\r" in data
    ):
        return "", -1
    return data.replace(_NUL, NULL), n


def copy_text(rows: Iterable[Sequence[object]]) -> str:
    """COPY text of rows ("" when there are none)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return ""
    data, count = _clean_text(rows, len(rows[0]))
    if count < 0:
        data = "".join("\t".join(_field(v) for v in row) + "\n" for row in rows)
    return data


def copy_data(cur: Any, table: str, columns: Sequence[str], data: str) -> None:
    """COPY text made by ``copy_text`` into ``table`` (nothing when it is empty)."""
    if data:
        cur.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(data), size=1 << 16
        )


def copy_rows(
    cur: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """COPY rows into ``table``; returns how many."""
    rows = rows if isinstance(rows, list) else list(rows)
    copy_data(cur, table, columns, copy_text(rows))
    return len(rows)


class SequencedCopy:
    """COPY rows whose last column is a ledger sequence, rendered ahead of the append.

    A pipelined append plans a batch before it holds the chain lock, on the sequences it
    predicts; when another appender went in between, the whole batch moves by the same
    number of sequences (``shift``). Everything but the sequences is rendered once, here, so
    writing under the lock only adds the numbers.
    """

    def __init__(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.table, self.columns = table, columns
        self.sequences = [row[-1] for row in rows]
        data = copy_text([row[:-1] for row in rows])
        #: Each row's text up to its sequence, separator included.
        self.heads = [line + "\t" for line in data.split("\n")[:-1]]

    def __len__(self) -> int:
        return len(self.sequences)

    def copy(self, cur: Any, shift: int = 0) -> int:
        """COPY the rows, every sequence moved by ``shift``; returns how many."""
        if not self.heads:
            return 0
        rows = zip(self.heads, self.sequences, strict=True)
        copy_data(cur, self.table, self.columns, "".join([f"{h}{q + shift}\n" for h, q in rows]))
        return len(self.heads)


def temp_table(cur: Any, name: str, like_columns: str) -> None:
    """A session temp table, emptied, dropped at the end of the transaction."""
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({like_columns}) ON COMMIT DROP")
    cur.execute(f"TRUNCATE {name}")
