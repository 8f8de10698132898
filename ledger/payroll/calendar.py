"""Months as integers (year * 12 + month - 1) for fast arithmetic in the payroll hot loop."""

from __future__ import annotations

from datetime import date


def month_index(month: str) -> int:
    """``"2025-03"`` -> 24302: consecutive months are consecutive integers."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_text(index: int) -> str:
    """The inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def date_month_index(day: date) -> int:
    """The month index a date falls in."""
    return day.year * 12 + day.month - 1


def birthday_month(birth_date: date, age: int) -> int:
    """The month index in which a person reaches ``age`` (thresholds apply from that month)."""
    return date_month_index(birth_date) + 12 * age


def age_in_month(birth_date: date, index: int) -> int:
    """Age in whole years reached by the end of a month (the birthday month counts)."""
    return (index - date_month_index(birth_date)) // 12
