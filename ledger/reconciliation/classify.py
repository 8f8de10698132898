"""The reconciliation rules: one class per listed line, and one for each row off the list.

The first matching rule wins, in the order of ``LineStatus`` below.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class LineStatus(StrEnum):
    CONFLICT = "conflict_between_imports"
    PAID_AFTER_STOP = "paid_after_death_or_termination"
    PAID_TWICE = "paid_twice"
    OVERPAID = "overpaid"
    PAID_IN_FULL = "paid_in_full"
    PARTIALLY_PAID = "partially_paid"
    NOT_COLLECTED = "not_collected"
    MISSING = "missing_from_report"
    NOT_ON_LIST = "paid_to_person_not_on_list"


#: Classes that need an officer's attention (everything but paid in full and carried forward).
DISCREPANCIES = frozenset(LineStatus) - {LineStatus.PAID_IN_FULL, LineStatus.NOT_COLLECTED}


class LineFacts(NamedTuple):
    """What the reports say about one listed line (aggregated in SQL)."""

    listed_vnd: int
    paid_vnd: int = 0
    payments: int = 0
    not_collected: bool = False
    conflicts: int = 0
    paid_after_stop: bool = False


def classify(f: LineFacts) -> LineStatus:
    """The one class of a listed line."""
    if f.conflicts:
        return LineStatus.CONFLICT
    if f.payments and f.paid_after_stop:
        return LineStatus.PAID_AFTER_STOP
    if f.payments >= 2:
        return LineStatus.PAID_TWICE
    if f.paid_vnd > f.listed_vnd:
        return LineStatus.OVERPAID
    if f.payments and f.paid_vnd == f.listed_vnd:
        return LineStatus.PAID_IN_FULL
    if f.paid_vnd > 0:
        return LineStatus.PARTIALLY_PAID
    if f.not_collected:
        return LineStatus.NOT_COLLECTED
    if f.listed_vnd == 0:
        return LineStatus.PAID_IN_FULL  # a fully netted line: nothing was to be paid
    return LineStatus.MISSING


def unpaid(f: LineFacts, status: LineStatus) -> int:
    """What stays unpaid on a line (never negative)."""
    return max(f.listed_vnd - f.paid_vnd, 0)
