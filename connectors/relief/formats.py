"""Generic writers of records (ordered dicts of plain values) as a table, CSV or JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import orjson
from rich.table import Table

FORMATS = ("table", "csv", "json", "html")


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def as_table(
    title: str,
    records: Sequence[dict[str, Any]],
    footer: dict[str, Any] | None = None,
    names: Sequence[str] = (),
) -> Table:
    """A rich table; numbers right-aligned with thousands separators, hidden values as –.
    ``names`` are the columns when there is neither a record nor a footer to take them from."""
    columns = list(records[0] if records else (footer or names))
    table = Table(title=title, show_footer=footer is not None)
    for name in columns:
        sample = next((r[name] for r in records if r.get(name) is not None), None)
        numeric = isinstance(sample, int) or name in {"people", "households"}
        table.add_column(
            name,
            footer=_cell(footer.get(name)) if footer else "",
            justify="right" if numeric else "left",
        )
    for record in records:
        table.add_row(*(_cell(record.get(name)) for name in columns))
    return table


def as_csv(
    records: Sequence[dict[str, Any]],
    footer: dict[str, Any] | None = None,
    names: Sequence[str] = (),
) -> str:
    """CSV with a header row; hidden values are empty cells; the footer is the last row.
    With no row, the header names ``names`` (nothing when there are none)."""
    rows = [*records, *([footer] if footer else [])]
    out = io.StringIO()
    fields = list(rows[0]) if rows else list(names)
    if fields:
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def as_json(document: dict[str, Any]) -> str:
    """Indented JSON (UTF-8 text, non-ASCII kept)."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()
