"""The statutory base salary ("lương cơ sở") by date: a shipped table, overridden by events."""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from sqlalchemy import Connection, text

from schemas.errors import AidLedgerError

DEFAULT_TABLE = Path(__file__).with_name("base_salary.csv")


class BaseSalaryUnknown(AidLedgerError):
    """No base salary is known for a date (it is before the first step of the table)."""

    exit_code = 3


@dataclass(frozen=True, slots=True)
class BaseSalaryStep:
    """One level of the base salary, in force from ``effective_from`` until the next step."""

    effective_from: date
    amount_vnd: int
    legal_basis: str


@dataclass(frozen=True)
class BaseSalaryTable:
    """Steps sorted by date; ``amount_on`` answers the level in force on a day."""

    steps: tuple[BaseSalaryStep, ...]

    @cached_property
    def _dates(self) -> list[date]:
        return [s.effective_from for s in self.steps]

    def amount_on(self, day: date) -> int:
        """The base salary in force on ``day``; raises BaseSalaryUnknown before the table."""
        index = bisect_right(self._dates, day) - 1
        if index < 0:
            first = self.steps[0].effective_from if self.steps else None
            raise BaseSalaryUnknown(
                f"no base salary is known for {day.isoformat()} (the table starts at {first});"
                " record a BaseSalarySet event for that date"
            )
        return self.steps[index].amount_vnd

    def with_overrides(self, overrides: Iterable[BaseSalaryStep]) -> BaseSalaryTable:
        """A new table where each override replaces the step of the same date (later wins)."""
        by_date = {s.effective_from: s for s in self.steps}
        for step in overrides:
            by_date[step.effective_from] = step
        return BaseSalaryTable(tuple(sorted(by_date.values(), key=lambda s: s.effective_from)))


def default_table(path: Path = DEFAULT_TABLE) -> BaseSalaryTable:
    """The shipped table (effective_from, amount_vnd, legal_basis), with its legal basis."""
    with path.open(encoding="utf-8", newline="") as handle:
        steps = [
            BaseSalaryStep(
                date.fromisoformat(row["effective_from"]),
                int(row["amount_vnd"]),
                row["legal_basis"],
            )
            for row in csv.DictReader(handle)
        ]
    return BaseSalaryTable(()).with_overrides(steps)


def recorded_overrides(conn: Connection, schema: str = "ledger") -> list[BaseSalaryStep]:
    """BaseSalarySet events of the ledger, in recording order (a later one wins)."""
    rows = conn.execute(
        text(
            f"""SELECT (body->>'effective_date')::date, (body->>'amount_vnd')::bigint,
                       body->>'legal_basis'
                FROM "{schema}".events WHERE event_type = 'BaseSalarySet' ORDER BY sequence"""
        )
    )
    return [BaseSalaryStep(day, int(amount), basis) for day, amount, basis in rows]


def table_in_force(conn: Connection, schema: str = "ledger") -> BaseSalaryTable:
    """The shipped table overridden by every BaseSalarySet event recorded in the ledger."""
    return default_table().with_overrides(recorded_overrides(conn, schema))
