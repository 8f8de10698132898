"""CSV for spreadsheets: one byte order mark, then UTF-8."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from connectors.spreadsheet_csv import open_for_spreadsheets, text_cell


def test_a_spreadsheet_csv_starts_with_one_byte_order_mark_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with open_for_spreadsheets(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_id", "full_name"])
        writer.writerow(["P1", 'Nguyễn Thị Lan, "Bà"'])
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfperson_id,full_name\r\n")
    assert data.count(b"\xef\xbb\xbf") == 1
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["person_id", "full_name"],
            ["P1", 'Nguyễn Thị Lan, "Bà"'],
        ]


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://example.org")', '\'=HYPERLINK("http://example.org")'),
        ("+84 Lê", "'+84 Lê"),
        ("-Trần", "'-Trần"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("'quoted", "''quoted"),
        ("Nguyễn Văn A", "Nguyễn Văn A"),
        ("Lê-Văn=B", "Lê-Văn=B"),
        ("", ""),
    ],
)
def test_text_a_spreadsheet_would_run_as_a_formula_gets_one_quote_mark_in_front(
    text: str, cell: str
) -> None:
    assert text_cell(text) == cell
    assert (cell[1:] if cell.startswith("'") else cell) == text
