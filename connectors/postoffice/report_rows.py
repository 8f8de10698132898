"""Reading a disbursement report (CSV or XLSX) row by row, validating each row on its own.

Never loads the whole file: CSV is read line by line, XLSX in openpyxl's read-only mode.
Times without a zone are Vietnam time (UTC+7); a date alone means 00:00 that day.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

from connectors.postoffice.layout import REPORT_OPTIONAL, REPORT_REQUIRED
from ledger.reconciliation.rows import DISBURSED, NOT_COLLECTED
from schemas.errors import AidLedgerError
from schemas.payments import CollectedBy, NotCollectedReason
from schemas.types import IDENTIFIER_MAX, IDENTIFIER_PATTERN

VIETNAM = timezone(timedelta(hours=7))
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
#: The largest amount an event holds (``schemas.types.VND``): a row the checks here accept
#: must make a valid event, or the import would fail half-way through publishing.
MAX_VND = 10**15
#: Line numbers are stored as PostgreSQL integers.
MAX_LINE_NO = 2**31 - 1
#: Longest receipt number and proxy name an event holds (``PaymentDisbursed``).
MAX_RECEIPT = 64
MAX_PROXY_NAME = 200
#: Key of a record's fields beyond the header's columns (their count), if any is not blank.
EXTRA = "\x00extra"
#: Key of the count of a record's fields beyond the header's columns when all are blank.
BLANK_EXTRA = "\x00blank-extra"
_REASONS = frozenset(r.value for r in NotCollectedReason)
_COLLECTORS = frozenset(c.value for c in CollectedBy)


class ReportUnreadable(AidLedgerError):
    """The report file cannot be read at all (wrong type, no header, missing columns)."""

    exit_code = 3


class RowProblem(ValueError):
    """One row is wrong; the message names the column and what is wrong."""


class ParsedRow(NamedTuple):
    """A valid report row; ``amount_vnd`` None means "the listed amount" (not collected).

    A named tuple: a million of them are made per import, and a frozen dataclass takes five
    times as long to make."""

    row_no: int
    kind: str
    list_id: str
    line_no: int
    person_id: str
    amount_vnd: int | None
    at: datetime
    receipt_no: str | None
    collected_by: str | None
    proxy_name: str | None
    reason: str | None
    post_office_code: str | None


def _text(value: Any) -> str:
    if value.__class__ is str:  # every CSV value
        return str(value.strip())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _identifier(raw: dict[str, Any], column: str, required: bool = True) -> str | None:
    value = _text(raw.get(column))
    if not value:
        if required:
            raise RowProblem(f"{column} is required but empty")
        return None
    if len(value) > IDENTIFIER_MAX or _IDENTIFIER.fullmatch(value) is None:
        raise RowProblem(f"{column} {value!r} is not a valid identifier")
    return value


def _whole(raw: dict[str, Any], column: str) -> int | None:
    what = "a whole number of đồng" if column.endswith("_vnd") else "a whole number"
    value = raw.get(column)
    if value.__class__ is not str:  # a spreadsheet cell; every CSV value is text
        if value is None:
            return None
        if isinstance(value, bool):
            raise RowProblem(f"{column} must be a whole number, got {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if value.is_integer():
                return int(value)
            raise RowProblem(f"{column} must be {what}, got {value!r}")
        value = _text(value)
    text = value.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise RowProblem(f"{column} must be {what}, got {text!r}")
    return int(text)


def _bounded(value: int | None, column: str, most: int) -> int | None:
    if value is not None and value > most:
        raise RowProblem(f"{column} {value} is more than the largest allowed, {most:,}")
    return value


def _free_text(raw: dict[str, Any], column: str, most: int) -> str | None:
    value = _text(raw.get(column))
    if len(value) > most:
        raise RowProblem(f"{column} is {len(value)} characters long; at most {most} are kept")
    if "\x00" in value:
        raise RowProblem(f"{column} holds a NUL character")
    return value or None


def _when(raw: dict[str, Any], column: str) -> datetime:
    value = raw.get(column)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = _text(value)
        if not text:
            raise RowProblem(f"{column} is required but empty")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise RowProblem(
                f"{column} must be a date or time like 2025-03-05 or 2025-03-05T08:30+07:00,"
                f" got {text!r}"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise RowProblem(f"{column} {moment.isoformat()} is out of range") from None


def parse_row(row_no: int, raw: dict[str, Any]) -> ParsedRow:
    """Validate one row; raises RowProblem naming the first column that is wrong."""
    if EXTRA in raw:
        raise RowProblem(
            f"the row has {raw[EXTRA]} more field(s) than the header names columns (a comma"
            " in an unquoted value, such as 750,000 or a name, splits it)"
        )
    if BLANK_EXTRA not in raw:
        return _parse_fields(row_no, raw)
    try:
        return _parse_fields(row_no, raw)
    except RowProblem as problem:
        # Blank fields past the header are harmless on a good row; on a bad one they are
        # most often the empty last columns pushed out by a split amount or name.
        raise RowProblem(
            f"{problem} (the row has {raw[BLANK_EXTRA]} more field(s) than the header names"
            " columns: a comma in an unquoted value, such as 750,000 or a name, splits it)"
        ) from None


def _parse_fields(row_no: int, raw: dict[str, Any]) -> ParsedRow:
    list_id = _identifier(raw, "list_id")
    person = _identifier(raw, "person_id")
    line_no = _bounded(_whole(raw, "line_no"), "line_no", MAX_LINE_NO)
    if line_no is None or line_no < 1:
        raise RowProblem("line_no must be a line number from 1")
    office = _identifier(raw, "post_office_code", required=False)
    amount = _bounded(_whole(raw, "amount_paid_vnd"), "amount_paid_vnd", MAX_VND)
    at = _when(raw, "paid_at")
    receipt = _free_text(raw, "receipt_no", MAX_RECEIPT)
    reason = _text(raw.get("not_collected_reason")).lower()
    assert list_id is not None and person is not None
    if reason:
        if reason not in _REASONS:
            allowed = ", ".join(r.value for r in NotCollectedReason)
            raise RowProblem(f"not_collected_reason must be one of {allowed}, got {reason!r}")
        return ParsedRow(
            row_no,
            NOT_COLLECTED,
            list_id,
            line_no,
            person,
            amount or None,
            at,
            receipt,
            None,
            None,
            reason,
            office,
        )
    if amount is None or amount <= 0:
        raise RowProblem(
            "amount_paid_vnd must be more than zero on a paid row (or give a not_collected_reason)"
        )
    if receipt is None:
        raise RowProblem("receipt_no is required on a paid row")
    by = _text(raw.get("collected_by")).lower()
    if by not in _COLLECTORS:
        known = ", ".join(c.value for c in CollectedBy)
        raise RowProblem(f"collected_by must be one of {known}, got {by!r}")
    proxy = _free_text(raw, "proxy_name", MAX_PROXY_NAME)
    return ParsedRow(
        row_no, DISBURSED, list_id, line_no, person, amount, at, receipt, by, proxy, None, office
    )


def _check_header(path: Path, header: list[str]) -> list[str]:
    names = [_text(h).lower() for h in header]
    missing = [c for c in REPORT_REQUIRED if c not in names]
    if missing:
        raise ReportUnreadable(
            f"{path}: the first row must name the columns; missing: {', '.join(missing)}"
            f" (optional: {', '.join(REPORT_OPTIONAL)}); see docs/formats.md"
        )
    return names


def record(header: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    """Column -> value of one record. Missing trailing fields are absent; fields beyond the
    header's columns are counted under ``EXTRA`` unless blank (``parse_row`` refuses them:
    they are most often an amount or a name with an unquoted comma), else under
    ``BLANK_EXTRA`` (a row that is bad besides names them as the likely cause)."""
    row = dict(zip(header, values, strict=False))
    if len(values) > len(header):
        extra = sum(1 for v in values[len(header) :] if _text(v))
        if extra:
            row[EXTRA] = extra
        else:
            row[BLANK_EXTRA] = len(values) - len(header)
    return row


def _decoded(path: Path, records: Iterator[list[str]]) -> Iterator[list[str]]:
    """The records, with a file that is not UTF-8 text refused by name (text is decoded a
    block at a time, so the row is only near the byte that is wrong)."""
    row = 1
    try:
        for row, values in enumerate(records, start=1):  # noqa: B007 (read in except)
            yield values
    except UnicodeDecodeError as exc:
        raise ReportUnreadable(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} near row {row + 1});"
            " save the report as CSV UTF-8, or as .xlsx, and import it again"
        ) from None


@contextmanager
def csv_records(path: Path) -> Iterator[tuple[list[str], Iterator[tuple[int, list[str]]]]]:
    """A CSV report's checked header, and (row number, values) of every record after it,
    blank ones included (see ``is_blank``)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = _decoded(path, csv.reader(handle))
        header = _check_header(path, next(reader, []))
        yield header, enumerate(reader, start=2)


def is_blank(values: Sequence[str]) -> bool:
    """A CSV record with nothing but blanks in it (skipped, not a row)."""
    return not any(v.strip() for v in values)


def raw_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, column -> value) for every non-blank data row; row 1 is the header."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with csv_records(path) as (header, records):
            for number, values in records:
                if not is_blank(values):
                    yield number, record(header, values)
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            header = _check_header(path, list(next(rows, ())))
            for number, values in enumerate(rows, start=2):
                if any(_text(v) for v in values):
                    yield number, record(header, values)
        finally:
            book.close()
    else:
        raise ReportUnreadable(f"{path}: a disbursement report must be a .csv or .xlsx file")
