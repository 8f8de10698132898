"""The files a payment officer opens: payment lists and reconciliations, as spreadsheets
show them. A name is text whatever it starts with, and the list digest is recomputed from
the file as docs/formats.md describes."""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from openpyxl import load_workbook
from rich.console import Console

from connectors.postoffice.layout import LIST_COLUMNS, TOTAL
from connectors.postoffice.list_export import export_lists
from connectors.postoffice.reconcile_out import write_report
from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from schemas.eligibility import BeneficiaryGroup as G
from tests.unit.payroll.builders import History

pytestmark = pytest.mark.integration

#: Names a spreadsheet program would read as a formula or an error code if written as is.
NAMES = ('=HYPERLINK("http://example.org","Nguyễn Văn A")', "#N/A", "Trần Thị Bé")


def _paid_lists(ledger: Ledger) -> None:
    events = []
    for n, name in enumerate(NAMES):
        person = History(f"P{n}", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-03")
        person.events[0] = person.events[0].model_copy(update={"full_name": name})
        events += person.events
    ledger.append(events)
    run_payroll(ledger.engine, PayrollScope("2025-03", "84"), ledger.append)


def _digest(lines: list[dict[str, Any]]) -> str:
    """The list digest as docs/formats.md tells a payment officer to recompute it."""
    keys = ("regular", "arrears", "funeral", "recovery", "carried")
    array = [
        {
            "amount_vnd": int(line["amount_vnd"]),
            "commune_code": line["commune_code"],
            "components": {k: int(line[f"{k}_vnd"]) for k in keys if int(line[f"{k}_vnd"])},
            "full_name": line["full_name"],
            "line_no": int(line["line_no"]),
            "person_id": line["person_id"],
        }
        for line in lines
    ]
    return hashlib.sha256(orjson.dumps(array, option=orjson.OPT_SORT_KEYS)).hexdigest()


def test_names_are_text_cells_in_the_xlsx_payment_list_and_the_digest_is_recomputed(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    _paid_lists(payroll_ledger)
    (exported,) = export_lists(payroll_ledger.engine, tmp_path, "2025-03", "84", fmt="xlsx")
    sheet = load_workbook(exported.path).worksheets[0]
    header, *rows = [list(r) for r in sheet.iter_rows()]
    assert [c.value for c in header] == list(LIST_COLUMNS)
    names = [r[3] for r in rows if r[1].value != TOTAL]
    assert [(c.data_type, c.value) for c in names] == [("s", name) for name in NAMES]
    lines = [dict(zip(LIST_COLUMNS, (c.value for c in r), strict=True)) for r in rows]
    footer = lines.pop()
    assert footer["signature"] == f"sha256:{_digest(lines)}"


def test_names_are_text_cells_in_the_xlsx_reconciliation(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    _paid_lists(payroll_ledger)
    out = tmp_path / "reconciliation.xlsx"
    write_report(payroll_ledger.engine, "2025-03", "84", None, "xlsx", out, Console())
    header, *rows = [list(r) for r in load_workbook(out)["lines"].iter_rows()]
    column = [c.value for c in header].index("full_name")
    assert [(r[column].data_type, r[column].value) for r in rows] == [("s", n) for n in NAMES]


def test_a_csv_payment_list_quotes_names_that_start_like_a_formula_and_keeps_its_digest(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    _paid_lists(payroll_ledger)
    (exported,) = export_lists(payroll_ledger.engine, tmp_path, "2025-03", "84", fmt="csv")
    with exported.path.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == list(LIST_COLUMNS)
    assert [r[3] for r in rows[:-1]] == [f"'{NAMES[0]}", NAMES[1], NAMES[2]]
    # docs/formats.md: a text cell starting with ' has one added; drop it to read the text.
    lines = [
        {k: v[1:] if v.startswith("'") else v for k, v in zip(LIST_COLUMNS, r, strict=True)}
        for r in rows
    ]
    footer = lines.pop()
    assert footer["signature"] == f"sha256:{_digest(lines)}"
