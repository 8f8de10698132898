"""BHYT premium rule: 4.5% x base salary x months, base salary versioned by date."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.bhyt.base_salary import BaseSalaryStep, BaseSalaryUnknown, default_table
from ledger.bhyt.premium import add_calendar_months, expected_premium, month_starts, premium_problem


def test_the_shipped_table_has_every_statutory_level_with_its_legal_basis() -> None:
    table = default_table()
    assert [(s.effective_from, s.amount_vnd) for s in table.steps] == [
        (date(2017, 7, 1), 1_300_000),
        (date(2018, 7, 1), 1_390_000),
        (date(2019, 7, 1), 1_490_000),
        (date(2023, 7, 1), 1_800_000),
        (date(2024, 7, 1), 2_340_000),
    ]
    assert all("Decree" in s.legal_basis for s in table.steps)


def test_the_level_in_force_is_the_last_step_on_or_before_the_day() -> None:
    table = default_table()
    assert table.amount_on(date(2024, 6, 30)) == 1_800_000
    assert table.amount_on(date(2024, 7, 1)) == 2_340_000
    assert table.amount_on(date(2030, 1, 1)) == 2_340_000


def test_a_day_before_the_table_is_refused_with_advice() -> None:
    with pytest.raises(BaseSalaryUnknown, match="BaseSalarySet"):
        default_table().amount_on(date(2016, 1, 1))


def test_a_recorded_base_salary_overrides_the_shipped_step_of_the_same_date() -> None:
    table = default_table().with_overrides(
        [
            BaseSalaryStep(date(2024, 7, 1), 2_400_000, "test"),
            BaseSalaryStep(date(2026, 1, 1), 2_600_000, "later decree"),
        ]
    )
    assert table.amount_on(date(2025, 1, 1)) == 2_400_000
    assert table.amount_on(date(2026, 1, 1)) == 2_600_000
    assert len(table.steps) == 6


def test_a_calendar_year_card_at_one_level_costs_twelve_months() -> None:
    result = expected_premium(date(2025, 1, 1), date(2025, 12, 31), default_table())
    assert result.months == 12
    assert result.amount_vnd == 12 * 105_300  # 4.5% of 2,340,000


def test_a_card_across_a_base_salary_change_uses_each_months_level() -> None:
    result = expected_premium(date(2024, 1, 1), date(2024, 12, 31), default_table())
    assert result.amount_vnd == 6 * 81_000 + 6 * 105_300


def test_a_partial_last_month_counts_as_a_whole_month() -> None:
    assert len(month_starts(date(2025, 1, 15), date(2025, 2, 20))) == 2
    assert len(month_starts(date(2025, 1, 15), date(2025, 2, 14))) == 1


def test_month_arithmetic_clamps_to_the_end_of_a_short_month() -> None:
    assert add_calendar_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_calendar_months(date(2024, 3, 15), -72) == date(2018, 3, 15)


def test_rounding_is_half_up_once_per_card() -> None:
    table = default_table().with_overrides([BaseSalaryStep(date(2025, 1, 1), 1_000_011, "t")])
    # 4.5% of 1,000,011 = 45,000.495 per month; 2 months = 90,000.99 -> 90,001
    assert expected_premium(date(2025, 1, 1), date(2025, 2, 28), table).amount_vnd == 90_001


def test_a_wrong_premium_is_explained_with_the_expected_figure() -> None:
    table = default_table()
    assert premium_problem(1_263_600, date(2025, 1, 1), date(2025, 12, 31), table) is None
    reason = premium_problem(1_263_000, date(2025, 1, 1), date(2025, 12, 31), table)
    assert reason is not None
    assert "1,263,600" in reason and "12 months" in reason and "-600" in reason
