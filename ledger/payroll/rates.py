"""Rates as data: standard levels (national, provincial) and coefficients per group, by month.

The shipped table is ``default_rates.csv`` (with the legal basis of each row); StandardLevelSet
events override it. Coefficients are exact Decimals; nothing here rounds.
"""

from __future__ import annotations

import csv
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from importlib import resources
from pathlib import Path

from ledger.payroll.calendar import month_index
from ledger.payroll.errors import NoRateRule, RatesInvalid
from schemas.eligibility import BeneficiaryGroup, DisabilityLevel
from schemas.policy import StandardLevelSet


@dataclass(frozen=True, slots=True)
class LevelRow:
    """A standard level from a month; ``province`` None is the national level."""

    province: str | None
    effective: int
    amount_vnd: int
    legal_basis: str
    #: Ledger sequence of the StandardLevelSet event (0 for the shipped table).
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class CoefficientRule:
    """A coefficient for a group and age band [age_from, age_to), maybe a disability level."""

    group: BeneficiaryGroup
    value: Decimal
    effective: int
    legal_basis: str
    age_from: int | None = None
    age_to: int | None = None
    disability_level: DisabilityLevel | None = None

    def matches(self, age: int, level: DisabilityLevel | None) -> bool:
        if self.disability_level is not None and self.disability_level != level:
            return False
        if self.age_from is not None and age < self.age_from:
            return False
        return self.age_to is None or age < self.age_to


@dataclass(frozen=True)
class RateTable:
    """Standard levels and coefficient rules; the latest row in force for a month wins."""

    levels: tuple[LevelRow, ...]
    rules: tuple[CoefficientRule, ...]
    _cache: dict[str | None, tuple[list[int], list[int]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _changes: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)
    _rule_sets: dict[tuple[BeneficiaryGroup, int], list[CoefficientRule]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _applicable: dict[
        tuple[BeneficiaryGroup, int, DisabilityLevel | None], list[CoefficientRule] | str
    ] = field(default_factory=dict, compare=False, repr=False)

    def _level_steps(self, province: str | None) -> tuple[list[int], list[int]]:
        """Months where the level changes and the level from each, for one scope."""
        steps = self._cache.get(province)
        if steps is None:
            rows = [r for r in self.levels if r.province == province]  # order kept: later wins
            by_month: dict[int, int] = {}
            for row in sorted(rows, key=lambda r: r.effective):
                by_month[row.effective] = row.amount_vnd
            months = sorted(by_month)
            steps = (months, [by_month[m] for m in months])
            self._cache[province] = steps
        return steps

    def standard_level(self, province: str, month: int) -> int:
        """The level in force: the province's own level if set and higher, else the national one."""
        months, amounts = self._level_steps(None)
        at = bisect_right(months, month)
        if at == 0:
            raise NoRateRule(f"no national standard level is in force in month {_text(month)}")
        level = amounts[at - 1]
        p_months, p_amounts = self._level_steps(province)
        p_at = bisect_right(p_months, month)
        return max(level, p_amounts[p_at - 1]) if p_at else level

    def level_change_months(self, province: str) -> list[int]:
        """Every month the level of a province may change (segment boundaries)."""
        return sorted({*self._level_steps(None)[0], *self._level_steps(province)[0]})

    def table_change_months(self, province: str) -> tuple[int, ...]:
        """Months where the level of a province or any coefficient rule set changes, in order
        (cached)."""
        cached = self._changes.get(province)
        if cached is None:
            months = set(self.level_change_months(province))
            for versions in self.rule_versions.values():
                months.update(versions)
            cached = self._changes[province] = tuple(sorted(months))
        return cached

    def table_changes_between(self, province: str, start: int, end: int) -> tuple[int, ...]:
        """``table_change_months`` of a province within [start, end], in order."""
        months = self.table_change_months(province)
        return months[bisect_left(months, start) : bisect_right(months, end)]

    @cached_property
    def birthday_offsets(self) -> tuple[int, ...]:
        """Months after birth where a coefficient may change: 12 x each age threshold."""
        return tuple(12 * age for age in self.age_thresholds)

    @cached_property
    def rule_versions(self) -> dict[BeneficiaryGroup, list[int]]:
        """For each group, the months from which a new set of its rules applies."""
        versions: dict[BeneficiaryGroup, set[int]] = {}
        for rule in self.rules:
            versions.setdefault(rule.group, set()).add(rule.effective)
        return {group: sorted(months) for group, months in versions.items()}

    @cached_property
    def age_thresholds(self) -> tuple[int, ...]:
        """Ages at which some coefficient changes (a segment starts in that birthday month)."""
        ages = {a for r in self.rules for a in (r.age_from, r.age_to) if a is not None}
        return tuple(sorted(ages))

    def coefficient(
        self, group: BeneficiaryGroup, age: int, level: DisabilityLevel | None, month: int
    ) -> Decimal | None:
        """The table's coefficient, or None when the person is outside every age band.

        Raises NoRateRule when the group has no rules in force, or none for the disability level.
        """
        versions = self.rule_versions.get(group, [])
        at = bisect_right(versions, month)
        if at == 0:
            raise NoRateRule(f"no coefficient rule for group {group.value} in {_text(month)}")
        rules = self._applicable_rules(group, versions[at - 1], level)
        if isinstance(rules, str):
            raise NoRateRule(rules)
        for rule in rules:
            if rule.matches(age, level):
                return rule.value
        return None

    def _applicable_rules(
        self, group: BeneficiaryGroup, version: int, level: DisabilityLevel | None
    ) -> list[CoefficientRule] | str:
        """The rules of a version that can apply at a disability level, or why none can."""
        key = (group, version, level)
        found = self._applicable.get(key)
        if found is None:
            candidates = self._rule_set(group, version)
            if any(r.disability_level is not None for r in candidates) and not any(
                r.disability_level == level for r in candidates
            ):
                found = (
                    f"no coefficient rule for group {group.value} with disability level "
                    f"{level.value if level else 'unknown'}; the decision must state a coefficient"
                )
            else:
                found = [
                    r
                    for r in candidates
                    if r.disability_level is None or r.disability_level == level
                ]
            self._applicable[key] = found
        return found

    def _rule_set(self, group: BeneficiaryGroup, version: int) -> list[CoefficientRule]:
        key = (group, version)
        found = self._rule_sets.get(key)
        if found is None:
            found = [r for r in self.rules if r.group == group and r.effective == version]
            self._rule_sets[key] = found
        return found

    def with_level_events(self, events: Iterable[StandardLevelSet]) -> RateTable:
        """A table where StandardLevelSet events override the shipped levels (later wins)."""
        extra = tuple(
            LevelRow(
                e.province_code, month_index(e.effective_month), e.amount_vnd, e.legal_basis, n
            )
            for n, e in enumerate(events, start=1)
        )
        return RateTable(self.levels + extra, self.rules)

    def known_at(self, sequence: int) -> RateTable:
        """The table as it was when the ledger held events up to ``sequence``."""
        if all(row.sequence <= sequence for row in self.levels):
            return self
        return RateTable(tuple(r for r in self.levels if r.sequence <= sequence), self.rules)

    def with_levels(self, rows: Iterable[LevelRow]) -> RateTable:
        """A table with extra level rows appended (they win over earlier rows of the same month)."""
        return RateTable(self.levels + tuple(rows), self.rules)


def _text(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _optional_int(value: str) -> int | None:
    return int(value) if value.strip() else None


def _parse_row(number: int, row: dict[str, str]) -> LevelRow | CoefficientRule:
    kind = row.get("kind", "")
    month = month_index(row["effective_month"])
    basis = row["legal_basis"].strip()
    if not basis:
        raise ValueError("legal_basis is required")
    if kind == "standard_level":
        scope = row["scope"].strip()
        province = None if scope == "national" else scope
        if province is not None and not (len(province) == 2 and province.isdigit()):
            raise ValueError(f"scope must be 'national' or a 2-digit province code, got {scope!r}")
        return LevelRow(province, month, int(row["value"]), basis)
    if kind == "coefficient":
        level = row["disability_level"].strip()
        return CoefficientRule(
            group=BeneficiaryGroup(row["group"]),
            value=Decimal(row["value"]),
            effective=month,
            legal_basis=basis,
            age_from=_optional_int(row["age_from"]),
            age_to=_optional_int(row["age_to"]),
            disability_level=DisabilityLevel(level) if level else None,
        )
    raise ValueError(f"kind must be standard_level or coefficient, got {kind!r}")


def load_rates(path: Path | None = None) -> RateTable:
    """Read a rates CSV (default: the shipped table); every bad row is named, none skipped."""
    if path is None:
        text = resources.files("ledger.payroll").joinpath("default_rates.csv").read_text("utf-8")
        source = "default_rates.csv"
    else:
        text = path.read_text("utf-8")
        source = str(path)
    levels: list[LevelRow] = []
    rules: list[CoefficientRule] = []
    problems: list[str] = []
    for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            parsed = _parse_row(number, row)
        except (KeyError, ValueError, InvalidOperation, TypeError) as exc:
            problems.append(f"row {number}: {exc}")
            continue
        (levels if isinstance(parsed, LevelRow) else rules).append(parsed)  # type: ignore[arg-type]
    if problems:
        raise RatesInvalid(f"{source} has bad rows: " + "; ".join(problems))
    return RateTable(tuple(levels), tuple(rules))
