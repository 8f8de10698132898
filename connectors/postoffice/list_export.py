"""Payment-list export: one CSV or XLSX file per post office or commune, streamed.

Each list's lines are followed by a TOTAL row carrying the list digest, recomputed from the
exported lines and checked against the issued list (a mismatch refuses the file).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson
from sqlalchemy.engine import Engine

from connectors.postoffice.layout import ALL_LISTS, DIGEST_PREFIX, LIST_COLUMNS, TOTAL
from connectors.spreadsheet_csv import csv_row, open_for_spreadsheets
from connectors.spreadsheet_xlsx import text_safe
from connectors.whole_files import move_into_place, part_of
from ledger.storage import checked_schema, raw_connection
from schemas.errors import AidLedgerError


class ExportMismatch(AidLedgerError):
    """The exported lines do not hash to the issued list's digest: the file is not written."""

    exit_code = 1


class NothingToExport(AidLedgerError):
    """No issued list matches the month, province and filters."""

    exit_code = 3


_LINES = """
SELECT pl.post_office_code, pl.commune_code, pl.digest, l.list_id, l.line_no, l.person_id,
       l.full_name, l.commune_code, l.month, l.regular_vnd, l.arrears_vnd, l.funeral_vnd,
       l.recovery_vnd, l.carried_vnd, l.amount_vnd
FROM payroll_lines l JOIN payroll_lists pl ON pl.list_id = l.list_id
WHERE pl.province_code = %(p)s AND pl.month = %(m)s
  AND (%(po)s::text IS NULL OR pl.post_office_code = %(po)s)
  AND (%(c)s::text IS NULL OR pl.commune_code = %(c)s)
ORDER BY {group}, l.list_id, l.line_no
"""
_KEYS = ("regular", "arrears", "funeral", "recovery", "carried")


class _Sink(Protocol):
    """Rows of one file, written beside it (``part_of``) until ``close`` moves it into place;
    ``discard`` removes what was written and leaves any earlier file as it was."""

    def row(self, values: list[Any]) -> None: ...
    def close(self) -> None: ...
    def discard(self) -> None: ...


class _CsvSink:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle = open_for_spreadsheets(part_of(path))
        self._writer = csv.writer(self._handle)

    def row(self, values: list[Any]) -> None:
        self._writer.writerow(csv_row(values))

    def close(self) -> None:
        self._handle.close()
        move_into_place(self._path)

    def discard(self) -> None:
        self._handle.close()
        part_of(self._path).unlink(missing_ok=True)


class _XlsxSink:
    def __init__(self, path: Path, title: str) -> None:
        from openpyxl import Workbook

        self._path = path
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet(title=title[:31])

    def row(self, values: list[Any]) -> None:
        self._sheet.append(text_safe(self._sheet, values))

    def close(self) -> None:
        self._book.save(part_of(self._path))
        move_into_place(self._path)

    def discard(self) -> None:
        part_of(self._path).unlink(missing_ok=True)


@dataclass
class _ListState:
    list_id: str
    commune: str
    month: str
    digest: str
    hasher: Any = field(default_factory=hashlib.sha256)
    lines: int = 0
    sums: list[int] = field(default_factory=lambda: [0] * 6)


@dataclass
class ExportedFile:
    """One written file: its path, how many lists and lines, and the total amount."""

    path: Path
    lists: int
    lines: int
    total_vnd: int


def _line_json(row: tuple[Any, ...]) -> bytes:
    (_, _, _, _, line_no, person, name, commune, _, *amounts) = row
    components = {k: v for k, v in zip(_KEYS, amounts[:5], strict=True) if v}
    return orjson.dumps(
        {
            "line_no": line_no,
            "person_id": person,
            "full_name": name,
            "commune_code": commune,
            "components": components,
            "amount_vnd": amounts[5],
        },
        option=orjson.OPT_SORT_KEYS,
    )


class _FileWriter:
    def __init__(self, sink: _Sink, path: Path) -> None:
        self.sink, self.path = sink, path
        self.current: _ListState | None = None
        self.lists = self.lines = 0
        self.sums = [0] * 6
        sink.row(list(LIST_COLUMNS))

    def line(self, row: tuple[Any, ...]) -> None:
        _, _, digest, list_id, line_no, person, name, commune, month, *amounts = row
        if self.current is None or self.current.list_id != list_id:
            self.end_list()
            self.current = _ListState(list_id, commune, month, digest)
            self.current.hasher.update(b"[")
        state = self.current
        state.hasher.update((b"," if state.lines else b"") + _line_json(row))
        state.lines += 1
        state.sums = [a + b for a, b in zip(state.sums, amounts, strict=True)]
        self.sink.row([list_id, line_no, person, name, commune, month, *amounts, ""])

    def end_list(self) -> None:
        state, self.current = self.current, None
        if state is None:
            return
        state.hasher.update(b"]")
        if state.hasher.hexdigest() != state.digest:
            raise ExportMismatch(
                f"list {state.list_id}: the exported lines hash to {state.hasher.hexdigest()}"
                f" but the issued list's digest is {state.digest}; the read model is damaged,"
                " rebuild it with `aidledger audit replay` before exporting"
            )
        self.sink.row(
            [
                state.list_id,
                TOTAL,
                "",
                f"{state.lines} lines",
                state.commune,
                state.month,
                *state.sums,
                DIGEST_PREFIX + state.digest,
            ]
        )
        self.lists += 1
        self.lines += state.lines
        self.sums = [a + b for a, b in zip(self.sums, state.sums, strict=True)]

    def close(self) -> ExportedFile:
        self.end_list()
        if self.lists > 1:
            self.sink.row(
                [
                    ALL_LISTS,
                    TOTAL,
                    "",
                    f"{self.lists} lists, {self.lines} lines",
                    "",
                    "",
                    *self.sums,
                    "",
                ]
            )
        self.sink.close()
        return ExportedFile(self.path, self.lists, self.lines, self.sums[5])


def _rows(
    engine: Engine, schema: str, params: dict[str, Any], group: str
) -> Iterator[tuple[Any, ...]]:
    with raw_connection(engine) as conn:
        with conn.cursor() as cur:
            cur.execute(f'SET search_path TO "{checked_schema(schema)}", public')
        with conn.cursor(name="export_lines") as cur:
            cur.itersize = 10_000
            cur.execute(_LINES.format(group=group), params)
            yield from cur


def export_lists(
    engine: Engine,
    out_dir: Path,
    month: str,
    province: str,
    *,
    by: str = "post_office",
    fmt: str = "csv",
    post_office: str | None = None,
    commune: str | None = None,
    schema: str = "ledger",
) -> list[ExportedFile]:
    """Write one file per post office (``by="post_office"``) or commune; returns them."""
    if by not in ("post_office", "commune") or fmt not in ("csv", "xlsx"):
        raise NothingToExport(f"unknown grouping {by!r} or format {fmt!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    column = "pl.post_office_code" if by == "post_office" else "pl.commune_code"
    params = {"p": province, "m": month, "po": post_office, "c": commune}
    files: list[ExportedFile] = []
    writer: _FileWriter | None = None
    key: str | None = None
    try:
        for row in _rows(engine, schema, params, column):
            group = row[0] if by == "post_office" else row[1]
            if group != key:
                if writer is not None:
                    files.append(writer.close())
                key = group
                path = out_dir / f"payment-list_{month}_{group}.{fmt}"
                sink: _Sink = (
                    _CsvSink(path) if fmt == "csv" else _XlsxSink(path, f"{month} {group}")
                )
                writer = _FileWriter(sink, path)
            assert writer is not None
            writer.line(row)
        if writer is not None:
            files.append(writer.close())
    except BaseException:
        if writer is not None:
            writer.sink.discard()
        raise
    if not files:
        raise NothingToExport(
            f"no issued payment list for {month} in province {province} matches the filters;"
            " run `aidledger payroll run` first"
        )
    return files
