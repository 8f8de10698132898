"""Array literals built in Python read back as the same values in PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ledger import Ledger
from ledger.sql import literal_array

pytestmark = pytest.mark.integration


def _read(ledger: Ledger, values: list[object], cast: str) -> list[object]:
    with ledger.engine.connect() as conn:
        row = conn.exec_driver_sql(f"SELECT %s::{cast}[]", (literal_array(values),)).one()
    return list(row[0])


def test_text_with_quotes_backslashes_commas_braces_and_nulls_reads_back_unchanged(
    ledger: Ledger,
) -> None:
    values: list[object] = ['a"b', "c\\d", "e,f", "{g}", " h ", "NULL", None, "Người", ""]
    assert _read(ledger, values, "text") == values


def test_dates_and_aware_datetimes_read_back_as_the_same_instants(ledger: Ledger) -> None:
    days: list[object] = [date(2024, 2, 29), None, date(1940, 1, 1)]
    moments: list[object] = [
        datetime(2024, 7, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(2024, 7, 1, 7, tzinfo=timezone(timedelta(hours=7))),
    ]
    assert _read(ledger, days, "date") == days
    assert _read(ledger, moments, "timestamptz") == moments


def test_integers_read_back_unchanged(ledger: Ledger) -> None:
    values: list[object] = [0, -1, 2**62, None]
    assert _read(ledger, values, "bigint") == values


def test_columns_of_one_type_without_nulls_take_the_fast_path_and_read_back_unchanged(
    ledger: Ledger,
) -> None:
    assert _read(ledger, ["P1", "a b", "{x}", "c,d", ""], "text") == ["P1", "a b", "{x}", "c,d", ""]
    assert _read(ledger, ['say "hi"', "P2"], "text") == ['say "hi"', "P2"]
    assert _read(ledger, [1, 2, -3], "bigint") == [1, 2, -3]
    days = [date(2024, 1, 1), date(2025, 12, 31)]
    assert _read(ledger, list(days), "date") == days
    at = [datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, 3, tzinfo=UTC)]
    assert _read(ledger, list(at), "timestamptz") == at
    assert _read(ledger, [], "text") == []
