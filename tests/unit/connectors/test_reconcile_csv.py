"""The reconciliation report's line rows: the same bytes as the csv module writes."""

from __future__ import annotations

import csv
import io

import pytest

from connectors.postoffice.reconcile_out import LineWriter, _line_row
from ledger.reconciliation.report import ClassifiedLine


def _line(name: str, person: str = "P0001", commune: str = "84001") -> ClassifiedLine:
    return ClassifiedLine(
        "PL-2025-03-84001", 7, person, name, commune, "PO-84-01", 500_000, 300_000, 200_000,
        "partially_paid",
    )  # fmt: skip


@pytest.mark.parametrize(
    "line",
    [
        _line("Nguyễn Văn An"),
        _line(""),
        _line("", person="X5", commune=""),
        _line("Trần, Thị B"),
        _line('Lê "Bé" C'),
        _line("two\nlines"),
        _line("carriage\rreturn"),
        _line(" spaced "),
    ],
    ids=["plain", "no-name", "off-list", "comma", "quote", "newline", "return", "spaces"],
)
def test_a_line_row_is_written_exactly_as_the_csv_module_writes_it(line: ClassifiedLine) -> None:
    expected, written = io.StringIO(newline=""), io.StringIO(newline="")
    csv.writer(expected).writerow(_line_row(line))
    LineWriter(written)(line)
    assert written.getvalue() == expected.getvalue()
    assert next(csv.reader(io.StringIO(written.getvalue(), newline="")))[6] == line.full_name


@pytest.mark.parametrize("name", ["=1+2", '=HYPERLINK("http://x","a, b")', "@A1", "-1"])
def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_with_a_quote_mark(
    name: str,
) -> None:
    written = io.StringIO(newline="")
    LineWriter(written)(_line(name))
    assert next(csv.reader(io.StringIO(written.getvalue(), newline="")))[6] == "'" + name
