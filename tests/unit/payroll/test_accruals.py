"""Due minus accrued over successive payroll months: regular, arrears, recovery, funeral."""

from __future__ import annotations

from datetime import date

from ledger.payroll.accruals import ALLOWANCE, FUNERAL, Accrual, new_accruals
from ledger.payroll.calendar import month_text
from ledger.payroll.entitlement import entitlement
from ledger.payroll.rates import load_rates
from schemas.eligibility import BeneficiaryGroup as G
from schemas.payments import Component as C
from tests.unit.payroll.builders import History, m

RATES = load_rates()


class Books:
    """A tiny independent model of what was accrued, per kind and service month."""

    def __init__(self) -> None:
        self.accrued: dict[tuple[str, int], int] = {}

    def run(self, history: History, month: str) -> list[Accrual]:
        ent = entitlement(history.person(), RATES, m(month))
        allowance = {k: v for (kind, k), v in self.accrued.items() if kind == ALLOWANCE}
        funeral = sum(v for (kind, _), v in self.accrued.items() if kind == FUNERAL)
        out = new_accruals(ent, allowance, funeral, m(month))
        for a in out:
            sign = -1 if a.component is C.RECOVERY else 1
            key = (a.kind, a.service_month)
            self.accrued[key] = self.accrued.get(key, 0) + sign * a.amount_vnd
        return out


def summary(accruals: list[Accrual]) -> list[tuple[str, str, int]]:
    return [(month_text(a.service_month), a.component.value, a.amount_vnd) for a in accruals]


def test_running_the_same_month_twice_accrues_nothing_the_second_time() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01")
    books = Books()
    assert summary(books.run(h, "2025-01")) == [("2025-01", "regular", 750_000)]
    assert books.run(h, "2025-01") == []


def test_a_decision_signed_two_months_late_gives_arrears_for_the_missed_months() -> None:
    h = History(born=date(1970, 1, 1)).grant(
        G.DISABILITY_SEVERE, "2025-01", signed=date(2025, 3, 5)
    )
    assert summary(Books().run(h, "2025-03")) == [
        ("2025-01", "arrears", 750_000),
        ("2025-02", "arrears", 750_000),
        ("2025-03", "regular", 750_000),
    ]


def test_a_backdated_rate_raise_gives_arrears_of_the_difference() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2024-05")
    books = Books()
    for month in ("2024-05", "2024-06", "2024-07"):
        books.run(h, month)
    assert books.accrued[(ALLOWANCE, m("2024-07"))] == 1_000_000
    assert books.accrued[(ALLOWANCE, m("2024-06"))] == 720_000


def test_a_person_turning_80_is_paid_the_higher_amount_from_the_birthday_month() -> None:
    h = History(born=date(1945, 5, 20)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
    books = Books()
    paid = [summary(books.run(h, x))[0][2] for x in ("2025-03", "2025-04", "2025-05", "2025-06")]
    assert paid[1:] == [750_000, 1_000_000, 1_000_000]


def test_a_suspension_then_a_resumption_with_back_pay_accrues_the_suspended_months() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2024-12")
    books = Books()
    books.run(h, "2024-12")
    h.suspend("2025-01")
    assert books.run(h, "2025-01") == []
    assert books.run(h, "2025-02") == []
    h.resume("2025-03")
    assert summary(books.run(h, "2025-03")) == [
        ("2025-01", "arrears", 750_000),
        ("2025-02", "arrears", 750_000),
        ("2025-03", "regular", 750_000),
    ]


def test_a_death_reported_three_months_late_gives_funeral_support_and_a_recovery() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2024-11")
    books = Books()
    for month in ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03"):
        books.run(h, month)
    h.die(date(2024, 12, 10))
    assert sorted(summary(books.run(h, "2025-04"))) == [
        ("2024-12", "funeral", 10_000_000),
        ("2025-01", "recovery", 1_000_000),
        ("2025-02", "recovery", 1_000_000),
        ("2025-03", "recovery", 1_000_000),
    ]
    assert books.run(h, "2025-05") == []


def test_a_relocation_pays_every_month_exactly_once_across_the_two_communes() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
    books = Books()
    communes: dict[str, list[str]] = {}
    for month in ("2025-01", "2025-02"):
        for a in books.run(h, month):
            communes.setdefault(month_text(a.service_month), []).append(a.place.commune)
    h.relocate("2025-03")
    for month in ("2025-03", "2025-04"):
        for a in books.run(h, month):
            communes.setdefault(month_text(a.service_month), []).append(a.place.commune)
    assert communes == {
        "2025-01": ["84201"],
        "2025-02": ["84201"],
        "2025-03": ["84305"],
        "2025-04": ["84305"],
    }


def test_a_relocation_reported_late_neither_pays_twice_nor_misses_a_month() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
    books = Books()
    for month in ("2025-01", "2025-02", "2025-03"):
        books.run(h, month)
    h.relocate("2025-02")
    assert summary(books.run(h, "2025-04")) == [("2025-04", "regular", 1_000_000)]
    assert {k: v for k, v in books.accrued.items()} == {
        (ALLOWANCE, m(x)): 1_000_000 for x in ("2025-01", "2025-02", "2025-03", "2025-04")
    }


def test_a_downward_correction_becomes_a_recovery_for_the_months_already_accrued() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_PARTICULARLY_SEVERE, "2025-01")
    books = Books()
    books.run(h, "2025-01")
    books.run(h, "2025-02")
    h.change(G.DISABILITY_SEVERE, "2025-01")
    assert summary(books.run(h, "2025-03")) == [
        ("2025-01", "recovery", 250_000),
        ("2025-02", "recovery", 250_000),
        ("2025-03", "regular", 750_000),
    ]
