"""The donor report as one self-contained HTML page: inline CSS, SVG charts and a little JS
(sortable table), no network access, no server; only aggregates, never personal data."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from connectors.relief.totals_output import footer, records
from connectors.reports.svg import PALETTE, bar_chart, line_chart
from ledger.relief.catalogue import Catalogue
from ledger.relief.suppression import THRESHOLD
from ledger.relief.totals import TotalsReport

_CSS = """
body{font-family:system-ui,'Segoe UI',Roboto,sans-serif;margin:24px;color:#1a202c;max-width:1100px}
h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.2em;margin-top:28px}
.meta{color:#4a5568}.note{background:#f7fafc;border-left:4px solid #2b6cb0;padding:8px 12px}
svg text{font-size:12px;fill:#2d3748}svg .suppressed{fill:#c53030;font-weight:bold}
table{border-collapse:collapse;font-size:12px;margin-top:8px}
th,td{border:1px solid #cbd5e0;padding:3px 6px}th{background:#edf2f7;cursor:pointer}
td.n{text-align:right}tfoot td{font-weight:bold;background:#f7fafc}
.scroll{overflow-x:auto;max-width:100%}
"""

_JS = """
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var num = function (r) { return parseFloat(r.cells[col].dataset.v); };
    var asc = th.dataset.asc !== '1'; th.dataset.asc = asc ? '1' : '0';
    rows.sort(function (a, b) {
      var x = num(a), y = num(b);
      var ta = a.cells[col].textContent, tb = b.cells[col].textContent;
      var c = (isNaN(x) || isNaN(y)) ? ta.localeCompare(tb) : x - y;
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
document.body.dataset.ready = 'yes';
"""


def chart_data(report: TotalsReport) -> list[tuple[str, int | None]]:
    """(label, distributed VND or None when suppressed) for groups that handed anything out."""
    data: list[tuple[str, int | None]] = []
    for row in report.rows:
        if not row.hidden and row.values["handouts"] == 0:
            continue
        label = " · ".join(v if v is not None else "(none)" for v in row.key)
        data.append((label, row.shown("distributed_vnd")))
    return data


def _cell(value: Any) -> str:
    if value is None:
        return '<td class="n" data-v="">–</td>'
    if isinstance(value, int):
        return f'<td class="n" data-v="{value}">{value:,}</td>'
    return f'<td data-v="">{escape(str(value))}</td>'


def _table(report: TotalsReport, catalogue: Catalogue) -> str:
    rows = records(report, catalogue)
    total = footer(report, catalogue)
    head = "".join(f"<th>{escape(name.replace('_', ' '))}</th>" for name in total)
    body = "".join("<tr>" + "".join(_cell(r[k]) for k in total) + "</tr>" for r in rows)
    foot = "<tr>" + "".join(_cell(v) for v in total.values()) + "</tr>"
    return (
        f'<div class="scroll"><table id="totals" class="sortable"><thead><tr>{head}</tr>'
        f"</thead><tbody>{body}</tbody><tfoot>{foot}</tfoot></table></div>"
    )


def render_donor_page(
    main: TotalsReport,
    by_month: TotalsReport,
    by_place: TotalsReport,
    by_item: TotalsReport,
    catalogue: Catalogue,
    generated_at: datetime,
) -> str:
    """The whole page as a string (UTF-8 HTML5)."""
    filters = ", ".join(f"{k} {v}" for k, v in main.filters.items()) or "all donors and campaigns"
    by = ", ".join(main.dimensions) or "overall"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Donor totals – {escape(filters)}</title><style>{_CSS}</style></head>
<body>
<h1>Donor totals</h1>
<p class="meta">{escape(filters)} · by {escape(by)} ·
generated {generated_at:%Y-%m-%d %H:%M} UTC</p>
<p class="note">Only totals are shown: no names, identity numbers or person and household ids.
Groups reaching fewer than {THRESHOLD} people or households show &lt;{THRESHOLD} and hide their
distribution figures; some further groups are hidden so that a small group cannot be worked
out by subtraction. Values are in Vietnamese đồng (₫).</p>
<h2>Distributed over time (value per month)</h2>
{line_chart("chart-time", chart_data(by_month), PALETTE[1])}
<h2>Distributed by place (district)</h2>
{bar_chart("chart-place", chart_data(by_place), PALETTE[0])}
<h2>Distributed by item</h2>
{bar_chart("chart-item", chart_data(by_item), PALETTE[2])}
<h2>Totals by {escape(by)}</h2>
{_table(main, catalogue)}
<p class="meta">{main.hidden_groups} group(s) hidden.</p>
<script>{_JS}</script>
</body></html>
"""
