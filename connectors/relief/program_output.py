"""Program totals as records: one line per month and a total line."""

from __future__ import annotations

from typing import Any

from ledger.relief.program_totals import COLUMNS, ProgramMonth, grand_total


def records(months: list[ProgramMonth]) -> list[dict[str, Any]]:
    """One record per month."""
    return [{"month": m.month, **m.values} for m in months]


def footer(months: list[ProgramMonth]) -> dict[str, Any]:
    """Sums over the months (people counts are summed month by month)."""
    return {"month": "TOTAL", **grand_total(months)}


def document(province: str, months: list[ProgramMonth]) -> dict[str, Any]:
    """The JSON document."""
    return {
        "report": "program totals",
        "province": province,
        "columns": ["month", *COLUMNS],
        "months": records(months),
        "total": footer(months),
    }
