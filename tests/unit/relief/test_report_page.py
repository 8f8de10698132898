"""The donor page and its outputs, from hand-made reports (no database)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from connectors.relief import totals_output
from connectors.relief.formats import as_csv, as_json
from connectors.reports.donor_page import render_donor_page
from connectors.reports.svg import bar_chart, line_chart
from ledger.relief.catalogue import load_catalogue
from ledger.relief.suppression import FEWER_THAN_5
from ledger.relief.totals import MEASURES, TotalsReport, TotalsRow


def row(
    key: tuple[str | None, ...], people: int, hidden: str | None = None, **values: int
) -> TotalsRow:
    base = dict.fromkeys(MEASURES, 0)
    base.update(
        people=people,
        handouts=people,
        distributed_vnd=people * 180_000,
        distributed_quantity=people * 10,
        **values,
    )
    return TotalsRow(key, base, hidden)


def report(dimension: str, rows: list[TotalsRow]) -> TotalsReport:
    total = row((), sum(r.values["people"] for r in rows), received_items_vnd=9_000_000)
    return TotalsReport((dimension,), rows, total)


def test_a_bar_per_shown_group_and_a_less_than_five_label_per_hidden_one() -> None:
    svg = bar_chart("c", [("842", 4_000_000), ("843", None), ("<script>", 1)])
    assert svg.count('class="bar"') == 2 and svg.count("&lt;5") == 1
    assert "<script>" not in svg


def test_a_point_per_month_with_a_value() -> None:
    svg = line_chart("t", [("2025-01", 10), ("2025-02", None), ("2025-03", 30)])
    assert svg.count('class="point"') == 2 and "<polyline" in svg


def test_suppressed_rows_show_less_than_five_and_no_distribution_figures() -> None:
    rep = report("item", [row(("RICE",), 20), row(("WHEELCHAIR",), 3, FEWER_THAN_5)])
    rice, chair = totals_output.records(rep, load_catalogue())
    assert rice["unit"] == "kg" and rice["people"] == 20 and rice["distributed_quantity"] == 200
    assert chair["people"] == "<5" and chair["households"] == "<5"
    assert chair["distributed_vnd"] is None and chair["held_quantity"] is None
    text = as_csv(
        totals_output.records(rep, load_catalogue()), totals_output.footer(rep, load_catalogue())
    )
    lines = list(csv.DictReader(io.StringIO(text)))
    assert lines[1]["distributed_vnd"] == "" and lines[-1]["item"] == "TOTAL"
    doc = json.loads(as_json(totals_output.document(rep, load_catalogue())))
    assert doc["groups"][1]["suppressed"] == FEWER_THAN_5 and doc["hidden_groups"] == 1


def test_the_page_is_self_contained_and_draws_the_three_charts() -> None:
    months = report("month", [row(("2025-01",), 9), row(("2025-02",), 7)])
    places = report(
        "district", [row(("842",), 30), row(("843",), 3, FEWER_THAN_5), row(("844",), 6, "hidden")]
    )
    items = report("item", [row(("RICE",), 12), row(("COOKING-OIL",), 10)])
    page = render_donor_page(
        places, months, places, items, load_catalogue(), datetime(2025, 3, 1, tzinfo=UTC)
    )
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<link" not in page and "src=" not in page
    assert page.count('class="point"') == 2
    assert page.count('class="bar"') == 1 + 2
    assert page.count('class="suppressed"') == 2
