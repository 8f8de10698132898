"""The shipped rates table: standard levels, coefficients by group and age, overrides."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.payroll.errors import NoRateRule, RatesInvalid
from ledger.payroll.rates import load_rates
from schemas.build import make_event
from schemas.eligibility import BeneficiaryGroup as G
from schemas.eligibility import DisabilityLevel
from schemas.policy import StandardLevelSet
from tests.unit.payroll.builders import m

RATES = load_rates()


def test_the_national_level_is_360000_from_2021_07_and_500000_from_2024_07() -> None:
    assert RATES.standard_level("84", m("2021-07")) == 360_000
    assert RATES.standard_level("84", m("2024-06")) == 360_000
    assert RATES.standard_level("84", m("2024-07")) == 500_000


def test_a_month_before_any_level_cannot_be_priced() -> None:
    with pytest.raises(NoRateRule, match="2021-06"):
        RATES.standard_level("84", m("2021-06"))


def test_a_province_level_set_by_event_overrides_from_its_month_only_when_higher() -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    own = make_event(
        StandardLevelSet,
        province_code="84",
        amount_vnd=600_000,
        effective_month="2025-01",
        legal_basis="Resolution 12/2024/NQ-HĐND",
        occurred_at=at,
        recorded_at=at,
    )
    table = RATES.with_level_events([own])
    assert table.standard_level("84", m("2024-12")) == 500_000
    assert table.standard_level("84", m("2025-01")) == 600_000
    assert table.standard_level("79", m("2025-01")) == 500_000


@pytest.mark.parametrize(
    ("group", "age", "level", "expected"),
    [
        (G.CHILD_NO_CAREGIVER, 3, None, "2.5"),
        (G.CHILD_NO_CAREGIVER, 4, None, "1.5"),
        (G.ELDERLY_POOR_NO_SUPPORTER, 60, None, "1.5"),
        (G.ELDERLY_POOR_NO_SUPPORTER, 79, None, "1.5"),
        (G.ELDERLY_POOR_NO_SUPPORTER, 80, None, "2.0"),
        (G.ELDERLY_80_NO_PENSION, 80, None, "1.0"),
        (G.DISABILITY_PARTICULARLY_SEVERE, 30, None, "2.0"),
        (G.DISABILITY_PARTICULARLY_SEVERE, 10, None, "2.5"),
        (G.DISABILITY_PARTICULARLY_SEVERE, 70, None, "2.5"),
        (G.DISABILITY_SEVERE, 30, None, "1.5"),
        (G.DISABILITY_SEVERE, 15, None, "2.0"),
        (G.DISABILITY_SEVERE, 60, None, "2.0"),
        (G.LANDMINE_VICTIM, 40, DisabilityLevel.SEVERE, "1.5"),
        (G.SINGLE_PARENT_POOR, 35, None, "1.0"),
    ],
)
def test_coefficients_follow_decree_20_article_6(
    group: G, age: int, level: DisabilityLevel | None, expected: str
) -> None:
    assert RATES.coefficient(group, age, level, m("2025-03")) == Decimal(expected)


def test_an_elderly_group_below_its_age_has_no_coefficient_yet() -> None:
    assert RATES.coefficient(G.ELDERLY_POOR_NO_SUPPORTER, 59, None, m("2025-03")) is None
    assert RATES.coefficient(G.ELDERLY_80_NO_PENSION, 79, None, m("2025-03")) is None


def test_a_landmine_victim_with_a_mild_disability_needs_a_coefficient_in_the_decision() -> None:
    with pytest.raises(NoRateRule, match="mild"):
        RATES.coefficient(G.LANDMINE_VICTIM, 40, DisabilityLevel.MILD, m("2025-03"))


def test_every_shipped_row_cites_its_legal_basis() -> None:
    assert all(row.legal_basis for row in RATES.levels)
    assert all("Decree" in rule.legal_basis for rule in RATES.rules)


def test_a_rates_file_with_a_bad_row_is_refused_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(
        "kind,scope,group,disability_level,age_from,age_to,value,effective_month,legal_basis\n"
        "standard_level,national,,,,,360000,2021-07,Decree 20\n"
        "coefficient,,no_such_group,,,,1.0,2021-07,Decree 20\n",
        encoding="utf-8",
    )
    with pytest.raises(RatesInvalid, match="row 3"):
        load_rates(path)
