"""Reconciliation output: a terminal table, or CSV / XLSX (every line) / HTML (discrepancies).

CSV and XLSX stream each classified line as it is read, then the totals; layout in
docs/formats.md ("Reconciliation report").
"""

from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from connectors.console_tables import amount, print_whole
from connectors.spreadsheet_csv import csv_row, open_for_spreadsheets, text_cell
from connectors.spreadsheet_xlsx import text_safe
from connectors.whole_files import whole_file
from ledger.reconciliation.classify import DISCREPANCIES
from ledger.reconciliation.report import ClassifiedLine, Reconciliation, reconcile
from ledger.reconciliation.totals import OfficeTotals, Totals

COLUMNS = (
    "section",
    "post_office_code",
    "commune_code",
    "list_id",
    "line_no",
    "person_id",
    "full_name",
    "status",
    "listed_vnd",
    "paid_vnd",
    "unpaid_vnd",
    "variance_vnd",
    "deposited_vnd",
    "returned_vnd",
    "fee_vnd",
    "funds_left_vnd",
)
#: Discrepancy lines kept for the table and HTML views (the files carry every line).
SHOWN = 500


def _line_row(line: ClassifiedLine, section: str = "line") -> list[Any]:
    return [
        section,
        line.post_office_code,
        line.commune_code,
        line.list_id,
        line.line_no,
        line.person_id,
        line.full_name,
        line.status,
        line.listed_vnd,
        line.paid_vnd,
        line.unpaid_vnd,
        "",
        "",
        "",
        "",
        "",
    ]


class LineWriter:
    """Writes each classified line as a row of the CSV report.

    A million lines make a large province's report, and the csv module took a third of the
    command's time on them. A line is formatted here when none of its fields needs quoting,
    which shows in the text itself: exactly 15 commas, no quote, one line break at the end
    (what the csv module writes for such a row, byte for byte). Any other line goes through
    the csv module. Text is written as ``text_cell`` writes it (no formula).
    """

    def __init__(self, handle: TextIO) -> None:
        self._write = handle.write
        self._rows = csv.writer(handle)

    def __call__(self, line: ClassifiedLine) -> None:
        text = (
            f"line,{line.post_office_code},{line.commune_code},{line.list_id},{line.line_no},"
            f"{text_cell(line.person_id)},{text_cell(line.full_name)},{line.status},"
            f"{line.listed_vnd},{line.paid_vnd},{line.unpaid_vnd},,,,,\r\n"
        )
        if (
            text.count(",") == len(COLUMNS) - 1
            and '"' not in text
            and text.count("\n") == 1
            and text.count("\r") == 1
        ):
            self._write(text)
        else:
            self._rows.writerow(csv_row(_line_row(line)))


def _counts(t: Totals) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(t.lines.items()))


def total_rows(recon: Reconciliation) -> list[list[Any]]:
    """Totals per commune, per post office and for the province, after the lines."""
    rows: list[list[Any]] = []
    for code, office in sorted(recon.offices.items()):
        for commune, t in sorted(office.communes.items()):
            rows.append(
                [
                    "commune_total",
                    code,
                    commune,
                    "",
                    "",
                    "",
                    "",
                    _counts(t),
                    t.listed_vnd,
                    t.paid_vnd + t.off_list_paid_vnd,
                    t.unpaid_vnd,
                    t.variance_vnd,
                    "",
                    "",
                    "",
                    "",
                ]
            )
        rows.append(_office_row(office))
    t = recon.totals
    rows.append(
        [
            "province_total",
            "",
            "",
            "",
            "",
            "",
            "",
            _counts(t),
            t.listed_vnd,
            t.paid_vnd + t.off_list_paid_vnd,
            t.unpaid_vnd,
            t.variance_vnd,
            sum(o.funds.deposited_vnd for o in recon.offices.values()),
            sum(o.funds.returned_vnd for o in recon.offices.values()),
            sum(o.funds.fee_vnd for o in recon.offices.values()),
            sum(o.funds_left_vnd for o in recon.offices.values()),
        ]
    )
    return rows


def _office_row(office: OfficeTotals) -> list[Any]:
    t, f = office.totals, office.funds
    return [
        "post_office_total",
        office.post_office_code,
        "",
        "",
        "",
        "",
        "",
        _counts(t),
        t.listed_vnd,
        t.paid_vnd + t.off_list_paid_vnd,
        t.unpaid_vnd,
        t.variance_vnd,
        f.deposited_vnd,
        f.returned_vnd,
        f.fee_vnd,
        office.funds_left_vnd,
    ]


def write_report(
    engine: Engine,
    month: str,
    province: str,
    post_office: str | None,
    fmt: str,
    out: Path | None,
    console: Console,
    schema: str = "ledger",
) -> Reconciliation:
    """Reconcile and write the report in ``fmt`` (table|csv|xlsx|html) to ``out``."""
    shown: list[ClassifiedLine] = []

    def keep(line: ClassifiedLine) -> None:
        if line.status in DISCREPANCIES and len(shown) < SHOWN:
            shown.append(line)

    if fmt == "csv":
        assert out is not None
        with whole_file(out) as part, open_for_spreadsheets(part) as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            recon = reconcile(
                engine,
                month,
                province,
                post_office,
                schema=schema,
                on_line=LineWriter(handle),
            )
            writer.writerows(csv_row(_line_row(x, "late_adjustment")) for x in recon.late)
            writer.writerows(csv_row(row) for row in total_rows(recon))
        return recon
    if fmt == "xlsx":
        assert out is not None
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        lines = book.create_sheet("lines")
        lines.append(list(COLUMNS))
        recon = reconcile(
            engine,
            month,
            province,
            post_office,
            schema=schema,
            on_line=lambda line: lines.append(text_safe(lines, _line_row(line))),
        )
        for late in recon.late:
            lines.append(text_safe(lines, _line_row(late, "late_adjustment")))
        totals = book.create_sheet("totals")
        totals.append(list(COLUMNS))
        for row in total_rows(recon):
            totals.append(row)
        with whole_file(out) as part:
            book.save(part)
        return recon
    recon = reconcile(engine, month, province, post_office, schema=schema, on_line=keep)
    if fmt == "html":
        assert out is not None
        with whole_file(out) as part:
            part.write_text(_html(recon, shown), encoding="utf-8")
    else:
        _print(recon, shown, console)
    return recon


def _html_table(header: tuple[str, ...] | list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(recon: Reconciliation, shown: list[ClassifiedLine]) -> str:
    title = html.escape(f"Reconciliation {recon.month}, province {recon.province}")
    parts = [
        f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{title}</title>",
        "<style>td,th{border:1px solid #999;padding:2px 6px}table{border-collapse:collapse}"
        "</style>",
        f"<h1>{title}</h1><h2>Totals</h2>",
        _html_table(COLUMNS, total_rows(recon)),
        "<h2>Discrepancies</h2>",
        _html_table(COLUMNS, [_line_row(x) for x in shown]),
        "<h2>Late adjustments (previous month, after its close)</h2>",
        _html_table(COLUMNS, [_line_row(x, "late_adjustment") for x in recon.late]),
        "</html>",
    ]
    return "".join(parts)


#: The totals table's columns: (header, holds an amount).
_TOTAL_COLUMNS = (
    ("section", False),
    ("post office", False),
    ("commune", False),
    ("lines", False),
    *((name, True) for name in ("listed", "paid", "unpaid", "variance")),
    *((name, True) for name in ("deposited", "returned", "fee", "funds left")),
)


def _cell(value: Any) -> str:
    return amount(value) if isinstance(value, int) else str(value)


def _lines_table(title: str, rows: list[ClassifiedLine]) -> Table:
    """Lines of the reconciliation, one per row, amounts whole."""
    table = Table(title=title)
    for name in ("status", "list", "line", "person", "listed", "paid", "unpaid"):
        table.add_column(
            name, justify="right" if name in ("line", "listed", "paid", "unpaid") else "left"
        )
    for x in rows:
        table.add_row(
            x.status,
            x.list_id,
            str(x.line_no),
            x.person_id,
            amount(x.listed_vnd),
            amount(x.paid_vnd),
            amount(x.unpaid_vnd),
        )
    return table


def _print(recon: Reconciliation, shown: list[ClassifiedLine], console: Console) -> None:
    """The totals, the first discrepancies, late adjustments; every amount whole, in đồng."""
    table = Table(title=f"Reconciliation {recon.month}, province {recon.province} (VND)")
    for name, money in _TOTAL_COLUMNS:
        table.add_column(name, justify="right" if money else "left")
    for row in total_rows(recon):
        table.add_row(*(_cell(v) for v in (row[0], row[1], row[2], row[7], *row[8:])))
    print_whole(console, table)
    if shown:
        print_whole(console, _lines_table(f"Discrepancies (first {SHOWN})", shown))
    if recon.late:
        title = f"Late adjustments to the closed previous month ({len(recon.late):,})"
        print_whole(console, _lines_table(title, recon.late[:SHOWN]))
    for office, digest in sorted(recon.closed.items()):
        console.print(f"post office {office}: closed (totals digest {digest[:16]}…)")
