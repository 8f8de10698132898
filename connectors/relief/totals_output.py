"""Donor totals as records: labelled dimensions, measures, and suppressed cells as "<5"."""

from __future__ import annotations

from typing import Any

from ledger.relief.catalogue import Catalogue
from ledger.relief.suppression import THRESHOLD
from ledger.relief.totals import TotalsReport, TotalsRow

SUPPRESSED = f"<{THRESHOLD}"
_LABELS = {"item": "(cash)", "district": "(province level)"}
_VALUE_COLUMNS = (
    "pledged_cash_vnd",
    "pledged_items_vnd",
    "received_cash_vnd",
    "received_items_vnd",
    "distributed_vnd",
)
_QUANTITY_COLUMNS = ("pledged_quantity", "received_quantity", "distributed_quantity")


def _keys(report: TotalsReport, row: TotalsRow, catalogue: Catalogue) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in zip(report.dimensions, row.key, strict=True):
        out[name] = value if value is not None else _LABELS.get(name, "(none)")
        if name == "item":
            item = catalogue.items.get(value or "")
            out["unit"] = item.unit if item else "VND"
    return out


def record(report: TotalsReport, row: TotalsRow, catalogue: Catalogue) -> dict[str, Any]:
    """One group as display values; a hidden group shows "<5" and no recipient figures."""
    is_total = row.key == ()
    out: dict[str, Any] = dict.fromkeys(report.dimensions, "")
    if "item" in report.dimensions:
        out["unit"] = ""
    if is_total and report.dimensions:
        out[report.dimensions[0]] = "TOTAL"
    else:
        out.update(_keys(report, row, catalogue))
    for name in _VALUE_COLUMNS:
        out[name] = row.shown(name)
    out["held_vnd"] = row.held_vnd
    if "item" in report.dimensions:
        # Quantities of different units are not added up: the total line leaves them empty.
        for name in _QUANTITY_COLUMNS:
            out[name] = None if is_total else row.shown(name)
        distributed = row.shown("distributed_quantity")
        held = (
            None
            if is_total or distributed is None
            else (row.values["received_quantity"] - distributed)
        )
        out["held_quantity"] = held
    out["handouts"] = row.shown("handouts")
    out["people"] = SUPPRESSED if row.hidden else row.values["people"]
    out["households"] = SUPPRESSED if row.hidden else row.values["households"]
    return out


def records(report: TotalsReport, catalogue: Catalogue) -> list[dict[str, Any]]:
    """Every group of the report, in order."""
    return [record(report, row, catalogue) for row in report.rows]


def footer(report: TotalsReport, catalogue: Catalogue) -> dict[str, Any]:
    """The total over everything selected (quantities of different units are not added)."""
    return record(report, report.total, catalogue)


def document(report: TotalsReport, catalogue: Catalogue) -> dict[str, Any]:
    """The JSON document: filters, dimensions, groups, total and the suppression rule."""
    return {
        "report": "donor totals",
        "filters": report.filters,
        "dimensions": list(report.dimensions),
        "groups": [
            {**record(report, row, catalogue), "suppressed": row.hidden} for row in report.rows
        ],
        "total": {**footer(report, catalogue), "suppressed": report.total.hidden},
        "suppression": (
            f"groups reaching fewer than {THRESHOLD} recipients show {SUPPRESSED} and hide their"
            " distribution figures; further groups are hidden so that none can be derived by"
            " subtraction from a total"
        ),
        "hidden_groups": report.hidden_groups,
    }
