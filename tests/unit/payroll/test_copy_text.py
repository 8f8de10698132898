"""The read models' COPY text: the joined fast path writes exactly what field-by-field escaping
writes, and falls back to it whenever a value holds a separator, line break or backslash."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ledger.payroll.sql import SequencedCopy, _field, copy_rows


class _Cursor:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def copy_expert(self, sql: str, file: io.StringIO, size: int = 0) -> None:
        self.sent.append((sql, file.read()))


def _escaped(rows: list[tuple[Any, ...]]) -> str:
    return "".join("\t".join(_field(v) for v in row) + "\n" for row in rows)


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.dates(),
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12),
    st.sampled_from(["a\tb", "line\nbreak", "back\\slash", "cr\r", "\\N", "plain"]),
)


@given(st.lists(st.tuples(_values, _values, _values), max_size=8))
def test_copy_text_equals_field_by_field_escaping(rows: list[tuple[Any, ...]]) -> None:
    cursor = _Cursor()
    assert copy_rows(cursor, "t", ("a", "b", "c"), rows) == len(rows)
    if rows:
        ((sql, data),) = cursor.sent
        assert sql == "COPY t (a, b, c) FROM STDIN"
        assert data == _escaped(rows)
    else:
        assert cursor.sent == []


def test_nulls_booleans_and_dates_are_written_as_postgresql_reads_them() -> None:
    cursor = _Cursor()
    copy_rows(cursor, "t", ("a", "b", "c", "d"), [(None, True, date(2024, 7, 1), "x\ty")])
    assert cursor.sent[0][1] == "\\N\tt\t2024-07-01\tx\\ty\n"


@given(
    st.lists(st.tuples(_values, _values, st.integers(1, 10**12)), max_size=8),
    st.integers(0, 10**6),
)
def test_rows_rendered_ahead_are_sent_as_copy_rows_sends_them_with_their_sequences_moved(
    rows: list[tuple[Any, ...]], shift: int
) -> None:
    ahead, now = _Cursor(), _Cursor()
    staged = SequencedCopy("t", ("a", "b", "sequence"), rows)
    assert staged.copy(ahead, shift) == len(rows) == len(staged)
    copy_rows(now, "t", ("a", "b", "sequence"), [(a, b, s + shift) for a, b, s in rows])
    assert ahead.sent == now.sent
