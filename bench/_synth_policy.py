"""Policy facts for synthetic data: standard levels, base salaries, coefficients, payroll times.

Standard levels and base salaries are the published national figures (docs: shared/domain.md);
the dates they were first known and the two-month lag of some provinces are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from schemas.eligibility import BeneficiaryGroup as G
from schemas.eligibility import DisabilityLevel
from schemas.months import add_months


@dataclass(frozen=True, slots=True)
class LevelChange:
    """A standard level from ``effective_month``, first known at ``known_at``."""

    effective_month: str
    amount_vnd: int
    known_at: datetime
    legal_basis: str


def _utc(y: int, m: int, d: int, hour: int = 3) -> datetime:
    return datetime(y, m, d, hour, tzinfo=UTC)


STANDARD_LEVELS = (
    LevelChange("2014-01", 270_000, _utc(2013, 10, 21), "Nghị định 136/2013/NĐ-CP"),
    LevelChange("2021-07", 360_000, _utc(2021, 3, 15), "Nghị định 20/2021/NĐ-CP"),
    LevelChange("2024-07", 500_000, _utc(2024, 7, 1), "Nghị định 76/2024/NĐ-CP"),
)
#: (effective date, amount, legal basis) of the statutory base salary ("lương cơ sở").
BASE_SALARIES = (
    (date(2013, 7, 1), 1_150_000, "Nghị định 66/2013/NĐ-CP"),
    (date(2016, 5, 1), 1_210_000, "Nghị quyết 99/2015/QH13"),
    (date(2017, 7, 1), 1_300_000, "Nghị định 47/2017/NĐ-CP"),
    (date(2018, 7, 1), 1_390_000, "Nghị định 72/2018/NĐ-CP"),
    (date(2019, 7, 1), 1_490_000, "Nghị định 38/2019/NĐ-CP"),
    (date(2023, 7, 1), 1_800_000, "Nghị định 24/2023/NĐ-CP"),
    (date(2024, 7, 1), 2_340_000, "Nghị định 73/2024/NĐ-CP"),
)
#: The earliest month the generator can start a window (the oldest level it knows).
EARLIEST_MONTH = STANDARD_LEVELS[0].effective_month
BHYT_RATE = Decimal("0.045")


def payroll_run_at(month: str) -> datetime:
    """When the list for payroll ``month`` is computed: the 20th of the month before."""
    before = add_months(month, -1)
    return _utc(int(before[:4]), int(before[5:]), 20)


@lru_cache(maxsize=128)
def level_lag_days(province_code: str) -> int:
    """Some provinces apply a new level two months late (then pay the difference as arrears)."""
    return 61 if int(province_code) % 2 else 0


def standard_level(service_month: str, province_code: str, as_known_at: datetime) -> int:
    """The level a province applies to ``service_month`` with what it knows at a time."""
    lag = timedelta(days=level_lag_days(province_code))
    amount = STANDARD_LEVELS[0].amount_vnd
    for change in STANDARD_LEVELS:
        if change.effective_month <= service_month and change.known_at + lag <= as_known_at:
            amount = change.amount_vnd
    return amount


def level_applied_between(province_code: str, after: datetime, until: datetime) -> bool:
    """True when a province started applying a new level in (after, until]."""
    lag = timedelta(days=level_lag_days(province_code))
    return any(after < c.known_at + lag <= until for c in STANDARD_LEVELS)


def base_salary(on: date) -> int:
    """The statutory base salary in force on a date."""
    amount = BASE_SALARIES[0][1]
    for effective, value, _ in BASE_SALARIES:
        if effective <= on:
            amount = value
    return amount


def bhyt_premium(valid_from: date, months: int) -> int:
    """State-paid BHYT premium: 4.5% x base salary x months covered (12 for a card-year)."""
    return int((BHYT_RATE * base_salary(valid_from) * months).to_integral_value())


_DISABILITY = {
    DisabilityLevel.PARTICULARLY_SEVERE: (Decimal("2.0"), Decimal("2.5")),
    DisabilityLevel.SEVERE: (Decimal("1.5"), Decimal("2.0")),
}
_DISABILITY_GROUPS = {G.DISABILITY_PARTICULARLY_SEVERE, G.DISABILITY_SEVERE, G.LANDMINE_VICTIM}


def coefficient(
    group: G, age: int, disability: DisabilityLevel | None, children: int | None
) -> Decimal:
    """Decree 20/2021 art. 6 coefficient of one group at an age (0 when it pays nothing)."""
    if group is G.CHILD_NO_CAREGIVER:
        return Decimal("2.5") if age < 4 else Decimal("1.5")
    if group is G.ELDERLY_POOR_NO_SUPPORTER:
        return Decimal("2.0") if age >= 80 else Decimal("1.5")
    if group is G.ELDERLY_80_NO_PENSION:
        return Decimal("1.0")
    if group in _DISABILITY_GROUPS:
        adult, child_or_elderly = _DISABILITY.get(disability or DisabilityLevel.MILD, (0, 0))
        return Decimal(child_or_elderly if age < 16 or age >= 60 else adult)
    if group is G.HIV_POOR_HOUSEHOLD:
        return Decimal("1.5")
    if group is G.SINGLE_PARENT_POOR:
        return Decimal(children or 1)
    raise ValueError(f"no coefficient rule for group {group}")


def allowance(level_vnd: int, coef: Decimal) -> int:
    """Monthly amount in whole đồng (levels are multiples of 1,000, coefficients of 0.5)."""
    return int((level_vnd * coef).to_integral_value())
