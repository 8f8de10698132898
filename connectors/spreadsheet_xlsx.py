"""XLSX rows written for spreadsheet programs: text stays text.

openpyxl stores a string that starts with ``=`` as a formula and one such as ``#N/A`` as an
error value: a name written that way would show as something else (a link, a computed
value, an error) and no longer hash to its list's digest. Such strings are written as text
cells, exactly as they are.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.worksheet._write_only import WriteOnlyWorksheet


def text_safe(sheet: WriteOnlyWorksheet, values: list[Any]) -> list[Any]:
    """``values`` for ``sheet.append``, a string openpyxl would store as a formula or an error
    value given as a text cell instead (``values`` itself when there is none)."""
    row = values
    for k, value in enumerate(values):
        if (
            isinstance(value, str)
            and value[:1] in ("=", "#")  # every error code starts with "#"
            and ((len(value) > 1 and value[0] == "=") or value in ERROR_CODES)
        ):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            row = row if row is not values else list(values)
            row[k] = cell
    return row
