"""CSV files written for spreadsheet programs: UTF-8 with a byte order mark.

The mark makes Excel read Vietnamese names as UTF-8. It is written once, by hand, and the
rest through the plain "utf-8" codec: Python's "utf-8-sig" encoder is a Python function,
called for every row a ``csv.writer`` writes (a twentieth of the time of writing a
reconciliation of a million lines), while "utf-8" is encoded in C.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import TextIO


def open_for_spreadsheets(path: Path) -> TextIO:
    """``path`` opened for writing CSV (``newline=""``), its byte order mark written."""
    handle = path.open("w", newline="", encoding="utf-8")
    handle.write(codecs.BOM_UTF8.decode("utf-8"))
    return handle
