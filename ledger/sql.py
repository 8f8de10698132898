"""Small SQL helpers: array literals, streaming binary COPY, a setting for a few statements."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any


def array(values: Iterable[str]) -> str:
    """A text[] literal. Ids, account codes and assets never hold quotes or backslashes."""
    return "{" + ",".join(f'"{v}"' for v in values) + "}"


def int_array(values: Iterable[int]) -> str:
    """A bigint[] literal."""
    return "{" + ",".join(map(str, values)) + "}"


def _element(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()  # a datetime must be aware (see schemas.types)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def literal_array(values: Iterable[object]) -> str:
    """An array literal of text, integers, dates or aware datetimes (NULL for None); cast it
    in SQL (``%s::date[]``). Much cheaper to send than psycopg2's ARRAY[...] of adapted values."""
    items = list(values)
    if not items:
        return "{}"
    kind = type(items[0])
    if kind in (str, int, date, datetime) and all(type(v) is kind for v in items):
        if kind is str:
            plain = "".join(items)  # type: ignore[arg-type]
            if "\\" not in plain and '"' not in plain:  # nothing to escape: quote and join
                return '{"' + '","'.join(items) + '"}'  # type: ignore[arg-type]
        elif kind is int:
            return "{" + ",".join(map(str, items)) + "}"
        else:
            return "{" + ",".join([v.isoformat() for v in items]) + "}"  # type: ignore[attr-defined]
    return "{" + ",".join(map(_element, items)) + "}"


class _Chunks:
    """A read()-able file over byte chunks: ``copy_expert`` pulls one chunk per read."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def read(self, size: int = -1) -> bytes:
        # An empty chunk (e.g. a run of entries without postings) would read as the end of
        # the data and silently cut the COPY short: skip them.
        return next((chunk for chunk in self._chunks if chunk), b"")


def copy_binary(cur: Any, target: str, chunks: Iterator[bytes]) -> None:
    """COPY ``target`` (a table, optionally with a column list) from binary chunks."""
    cur.copy_expert(f"COPY {target} FROM STDIN (FORMAT binary)", _Chunks(chunks), size=1 << 16)


@contextmanager
def local_setting(cur: Any, name: str, value: str) -> Iterator[None]:
    """``name`` set to ``value`` for the statements run inside, then back to what it was, in
    the cursor's transaction. After an error the setting is left: the failed transaction
    ends, and the setting (``SET LOCAL``) with it."""
    cur.execute("SELECT current_setting(%s)", (name,))
    (before,) = cur.fetchone()
    cur.execute("SELECT set_config(%s, %s, true)", (name, value))
    yield
    cur.execute("SELECT set_config(%s, %s, true)", (name, before))
