"""The not-collecting CSV (``reconcile not-collecting --format csv --out``)."""

from __future__ import annotations

import csv
from pathlib import Path

from connectors.cli.payroll_cmd import _not_collecting_csv
from ledger.reconciliation.uncollected import NotCollecting


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_with_a_quote_mark(
    tmp_path: Path,
) -> None:
    person = NotCollecting(
        "P1", "=HYPERLINK(\"http://example.org\")", "84201", "VNPOST-842",
        ("2025-01",), ("not_collected",), (750_000,),
    )  # fmt: skip
    out = tmp_path / "not-collecting.csv"
    _not_collecting_csv([person], out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        _, row = list(csv.reader(handle))
    assert row == [
        "84201", "P1", "'=HYPERLINK(\"http://example.org\")", "VNPOST-842", "2025-01",
        "not_collected", "750000",
    ]  # fmt: skip
