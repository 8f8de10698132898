"""CSV files written for spreadsheet programs: UTF-8 with a byte order mark.

The mark makes Excel read Vietnamese names as UTF-8. It is written once, by hand, and the
rest through the plain "utf-8" codec: Python's "utf-8-sig" encoder is a Python function,
called for every row a ``csv.writer`` writes (a twentieth of the time of writing a
reconciliation of a million lines), while "utf-8" is encoded in C.

A spreadsheet program runs a cell that starts with =, +, - or @ as a formula (a name such
as ``=HYPERLINK(...)`` would become a link, or worse): such text is written with a ``'`` in
front, as is text that starts with ``'`` itself, so a reader drops the first ``'`` of any cell
that has one and gets the text back (docs/formats.md).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any, TextIO

#: What a text cell must not start with (tab and carriage return start formulas too).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def open_for_spreadsheets(path: Path) -> TextIO:
    """``path`` opened for writing CSV (``newline=""``), its byte order mark written."""
    handle = path.open("w", newline="", encoding="utf-8")
    handle.write(codecs.BOM_UTF8.decode("utf-8"))
    return handle


def text_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet program shows as text, not runs as a formula."""
    return "'" + text if text[:1] in FORMULA_START else text


def csv_row(values: list[Any]) -> list[Any]:
    """A row with every string written by ``text_cell`` (numbers stay numbers)."""
    return [text_cell(v) if isinstance(v, str) else v for v in values]
