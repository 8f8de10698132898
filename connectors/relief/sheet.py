"""Reading a CSV or XLSX list into numbered rows keyed by normalised column names.

Row numbers are the spreadsheet's: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.jsonl import FileRefused


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One record row: its number in the file and its cells by column name."""

    number: int
    cells: dict[str, Any]

    def label(self) -> str:
        return f"row {self.number}"


def _column(name: object) -> str:
    return str(name or "").strip().lower().replace(" ", "_").replace("-", "_")


def _blank(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_sheet(path: Path, required: tuple[str, ...]) -> list[SheetRow]:
    """Rows of a .csv (UTF-8) or .xlsx (first sheet) file; refuses missing columns."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table: list[list[Any]] = []
        with path.open(encoding="utf-8-sig", newline="") as handle:
            try:
                table.extend(csv.reader(handle))
            except UnicodeDecodeError as exc:
                # Excel's plain "CSV" on a Vietnamese Windows is Windows-1258, not UTF-8.
                raise FileRefused(
                    path,
                    [
                        f"not UTF-8 text (byte {exc.object[exc.start]:#04x} near row"
                        f" {len(table) + 1}); save it as CSV UTF-8 or .xlsx and import it again"
                    ],
                ) from None
    elif suffix == ".xlsx":
        table = _xlsx_rows(path)
    else:
        raise FileRefused(path, [f"unknown file type {suffix!r}: use .csv or .xlsx"])
    if not table:
        raise FileRefused(path, ["the file is empty: the first row must name the columns"])
    header = [_column(name) for name in table[0]]
    first: dict[str, int] = {}
    twice: list[str] = []
    for number, name in enumerate(header, start=1):
        if name and name in first:
            # Only one of them would be read, whichever came last.
            twice.append(f"row 1: columns {first[name]} and {number} are both {name}")
        first.setdefault(name, number)
    if twice:
        raise FileRefused(path, twice)
    missing = [name for name in required if name not in header]
    if missing:
        raise FileRefused(
            path, [f"row 1: missing column(s) {', '.join(missing)} (found: {', '.join(header)})"]
        )
    rows: list[SheetRow] = []
    split: list[str] = []
    for number, values in enumerate(table[1:], start=2):
        if _blank(values):
            continue
        if not _blank(values[len(header) :]):
            # Most often an unquoted "1,000,000" or "Nguyễn, Văn A": read anyway, the fields
            # after it would be shifted and the amount cut to its first digits.
            extra = sum(1 for v in values[len(header) :] if not _blank([v]))
            split.append(
                f"row {number}: {extra} more fields than row 1 names; a value holds an unquoted"
                " comma (write amounts with digits only, put text with commas in quotes)"
            )
            continue
        padded = list(values) + [None] * (len(header) - len(values))
        rows.append(SheetRow(number, dict(zip(header, padded, strict=False))))
    if split:
        raise FileRefused(path, split)
    return rows


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
