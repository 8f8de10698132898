"""Inline SVG charts drawn in Python: horizontal bars and a line with points.

A value of None is a suppressed group: it keeps its label, shows "<5", and draws no mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 960
LABEL_W = 220
ROW_H = 26
PALETTE = ("#2b6cb0", "#2f855a", "#b7791f")


def _money(value: int) -> str:
    return f"{value:,} ₫"


def bar_chart(
    chart_id: str, data: Sequence[tuple[str, int | None]], colour: str = PALETTE[0]
) -> str:
    """One horizontal bar per group with a value; suppressed groups are labelled "<5"."""
    top = max((v for _, v in data if v is not None), default=0) or 1
    plot_w = WIDTH - LABEL_W - 140
    height = max(ROW_H * len(data) + 10, 40)
    parts = [
        f'<svg id="{chart_id}" class="chart bars" role="img" xmlns="http://www.w3.org/2000/svg"'
        f' width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">'
    ]
    for i, (label, value) in enumerate(data):
        y = 5 + i * ROW_H
        parts.append(
            f'<text class="label" x="{LABEL_W - 8}" y="{y + 17}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        if value is None:
            parts.append(f'<text class="suppressed" x="{LABEL_W + 4}" y="{y + 17}">&lt;5</text>')
            continue
        w = max(round(plot_w * value / top), 1)
        parts.append(
            f'<rect class="bar" x="{LABEL_W}" y="{y + 3}" width="{w}" height="{ROW_H - 8}"'
            f' fill="{colour}" data-value="{value}"><title>{escape(label)}: {_money(value)}'
            f"</title></rect>"
        )
        parts.append(
            f'<text class="value" x="{LABEL_W + w + 6}" y="{y + 17}">{_money(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    chart_id: str, data: Sequence[tuple[str, int | None]], colour: str = PALETTE[1]
) -> str:
    """A line through one point per period with a value; suppressed periods show "<5"."""
    height, left, bottom, top_pad = 300, 90, 50, 30
    plot_w, plot_h = WIDTH - left - 90, height - bottom - top_pad
    top = max((v for _, v in data if v is not None), default=0) or 1
    step = plot_w / max(len(data) - 1, 1)
    parts = [
        f'<svg id="{chart_id}" class="chart line" role="img" xmlns="http://www.w3.org/2000/svg"'
        f' width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">',
        f'<line class="axis" x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}"'
        f' y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<text class="value" x="{left - 8}" y="{top_pad + plot_h + 4}" text-anchor="end">'
        "0 ₫</text>",
    ]
    points: list[tuple[float, float, str, int]] = []
    for i, (label, value) in enumerate(data):
        x = left + (i * step if len(data) > 1 else plot_w / 2)
        parts.append(
            f'<text class="label" x="{x:.1f}" y="{height - 20}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        if value is None:
            parts.append(
                f'<text class="suppressed" x="{x:.1f}" y="{top_pad + plot_h - 6}"'
                ' text-anchor="middle">&lt;5</text>'
            )
            continue
        points.append((x, top_pad + plot_h - plot_h * value / top, label, value))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for x, y, label, value in points:
        parts.append(
            f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"'
            f' data-value="{value}"><title>{escape(label)}: {_money(value)}</title></circle>'
        )
        parts.append(
            f'<text class="value" x="{x:.1f}" y="{y - 10:.1f}" text-anchor="middle">'
            f"{_money(value)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
