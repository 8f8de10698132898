"""BHYT premium of a state-paid card: 4.5% x base salary x months of validity.

Legal basis: Law on Health Insurance art. 13 and Decree 146/2018/NĐ-CP art. 7 (the state
budget pays 4.5% of the base salary per month for social-assistance beneficiaries and
children under 6). Rounding: the per-month amounts are added exactly (Decimal) and the card's
total is rounded half-up to the đồng once; a partial month counts as a whole month.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from ledger.bhyt.base_salary import BaseSalaryTable

PREMIUM_RATE = Decimal("0.045")


def add_calendar_months(day: date, n: int) -> date:
    """``day`` plus ``n`` months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + n, 12)
    if day.day <= 28:
        return date(year, month0 + 1, day.day)
    return date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


def month_starts(valid_from: date, valid_to: date) -> list[date]:
    """The first day of each month of validity; a last partial month counts as whole."""
    end = valid_to + timedelta(days=1)  # first day no longer covered
    starts: list[date] = []
    current, k = valid_from, 0
    while current < end:
        starts.append(current)
        k += 1
        current = add_calendar_months(valid_from, k)
    return starts


@dataclass(frozen=True, slots=True)
class PremiumBreakdown:
    """The expected premium of a card, with its months and the base salaries used."""

    months: int
    base_salaries: tuple[int, ...]
    amount_vnd: int


@lru_cache(maxsize=4096)  # a list's cards share a few validity periods
def expected_premium(valid_from: date, valid_to: date, table: BaseSalaryTable) -> PremiumBreakdown:
    """Each month of validity at 4.5% of the base salary in force on that month's first day."""
    starts = month_starts(valid_from, valid_to)
    salaries = tuple(table.amount_on(day) for day in starts)
    exact = sum((PREMIUM_RATE * s for s in salaries), Decimal(0))
    amount = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return PremiumBreakdown(len(starts), salaries, amount)


def premium_problem(
    premium_vnd: int, valid_from: date, valid_to: date, table: BaseSalaryTable
) -> str | None:
    """None when the premium matches to the đồng; otherwise the reason, with the figures."""
    expected = expected_premium(valid_from, valid_to, table)
    if premium_vnd == expected.amount_vnd:
        return None
    levels = sorted(set(expected.base_salaries))
    shown = ", ".join(f"{s:,}" for s in levels)
    return (
        f"premium {premium_vnd:,} VND does not match 4.5% x base salary ({shown}) x"
        f" {expected.months} months = {expected.amount_vnd:,} VND"
        f" (difference {premium_vnd - expected.amount_vnd:+,} VND)"
    )
