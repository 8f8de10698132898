"""Month arithmetic used for effective months, arrears and as-of dates."""

from datetime import date

from schemas.months import add_months, first_day, last_day, month_of, months_between


def test_adding_months_crosses_year_boundaries() -> None:
    assert add_months("2024-12", 1) == "2025-01"
    assert add_months("2025-01", -1) == "2024-12"
    assert add_months("2024-07", 18) == "2026-01"


def test_months_between_is_inclusive_and_empty_when_reversed() -> None:
    assert list(months_between("2024-11", "2025-02")) == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert list(months_between("2025-03", "2025-02")) == []


def test_first_and_last_days_know_leap_years() -> None:
    assert first_day("2024-02") == date(2024, 2, 1)
    assert last_day("2024-02") == date(2024, 2, 29)
    assert last_day("2025-02") == date(2025, 2, 28)
    assert month_of(date(2025, 3, 31)) == "2025-03"
