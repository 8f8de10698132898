"""What is due per service month, for every case of shared/domain.md (pure, no database)."""

from __future__ import annotations

from datetime import date

from ledger.payroll.entitlement import entitlement, whole_vnd
from ledger.payroll.facts import Place
from ledger.payroll.rates import load_rates
from schemas.eligibility import BeneficiaryGroup as G
from schemas.eligibility import DisabilityLevel
from tests.unit.payroll.builders import History, m

RATES = load_rates()


def due(history: History, month: str, through: str = "2026-12") -> int:
    return entitlement(history.person(), RATES, m(through)).due(m(month))


def test_the_rate_change_of_2024_07_raises_the_amount_from_that_month() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2023-01")
    assert due(h, "2024-06") == 720_000  # 360,000 x 2.0
    assert due(h, "2024-07") == 1_000_000  # 500,000 x 2.0


def test_payment_starts_in_the_effective_month_of_the_decision() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-02")
    assert due(h, "2025-01") == 0
    assert due(h, "2025-02") == 750_000


def test_a_person_turning_80_moves_from_1_5_to_2_0_in_the_birthday_month() -> None:
    h = History(born=date(1945, 5, 20)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2024-01")
    assert due(h, "2025-04") == 750_000
    assert due(h, "2025-05") == 1_000_000


def test_a_child_turning_4_moves_from_2_5_to_1_5_in_the_birthday_month() -> None:
    h = History(born=date(2021, 8, 31)).grant(G.CHILD_NO_CAREGIVER, "2024-07")
    assert due(h, "2025-07") == 1_250_000
    assert due(h, "2025-08") == 750_000


def test_elderly_payment_starts_in_the_month_the_person_reaches_the_age() -> None:
    h = History(born=date(1965, 4, 2)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
    assert due(h, "2025-03") == 0
    assert due(h, "2025-04") == 750_000


def test_the_single_highest_coefficient_wins_when_several_groups_apply() -> None:
    h = (
        History(born=date(1950, 1, 1))
        .grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
        .grant(G.DISABILITY_PARTICULARLY_SEVERE, "2025-01")
    )
    assert due(h, "2025-03") == 1_250_000  # 2.5 (elderly with a particularly severe disability)


def test_a_poor_single_parent_keeps_that_allowance_in_addition() -> None:
    h = (
        History(born=date(1985, 1, 1))
        .grant(G.DISABILITY_SEVERE, "2025-01")
        .grant(G.SINGLE_PARENT_POOR, "2025-01", children=2)
    )
    assert due(h, "2025-03") == 500_000 * 3 // 2 + 2 * 500_000


def test_an_explicit_coefficient_in_the_decision_overrides_the_table() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01", coefficient="1.75")
    assert due(h, "2025-03") == 875_000


def test_a_mild_disability_gives_no_monthly_allowance() -> None:
    h = History(born=date(1960, 1, 1), disability=DisabilityLevel.MILD)
    assert due(h, "2025-03") == 0


def test_a_backdated_change_applies_from_its_effective_month() -> None:
    h = (
        History(born=date(1970, 1, 1))
        .grant(G.DISABILITY_SEVERE, "2025-01")
        .change(G.DISABILITY_PARTICULARLY_SEVERE, "2025-02")
    )
    assert due(h, "2025-01") == 750_000
    assert due(h, "2025-02") == 1_000_000


def test_a_change_to_the_single_parent_group_keeps_the_main_allowance() -> None:
    h = (
        History(born=date(1950, 1, 1))
        .grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
        .change(G.SINGLE_PARENT_POOR, "2025-03")
    )
    assert due(h, "2025-02") == 750_000
    assert due(h, "2025-03") == 750_000 + 500_000  # 1.5 as elderly, plus 1.0 as single parent


def test_a_termination_stops_payment_from_its_effective_month() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01").terminate("2025-03")
    assert due(h, "2025-02") == 750_000
    assert due(h, "2025-03") == 0


def test_a_backdated_termination_is_not_undone_by_a_change_decided_before_it() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01")
    h.change(G.DISABILITY_SEVERE, "2025-05", coefficient="1.75")  # decided in April
    h.change(G.DISABILITY_PARTICULARLY_SEVERE, "2025-06")  # decided in May
    h.terminate("2025-03")  # no longer eligible from March, recorded in June
    months = ("2025-02", "2025-03", "2025-05", "2025-06", "2025-07")
    assert [due(h, x) for x in months] == [750_000, 0, 0, 0, 0]


def test_a_backdated_termination_overrides_a_grant_decided_earlier_for_a_later_month() -> None:
    h = History(born=date(1950, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01")
    h.grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-05")  # decided in April
    h.terminate("2025-03")  # recorded in June: the later decision
    assert [due(h, x) for x in ("2025-02", "2025-03", "2025-05")] == [1_000_000, 0, 0]


def test_after_a_termination_a_change_restarts_nothing_and_a_later_grant_restarts_payment() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01").terminate("2025-03")
    h.change(G.DISABILITY_PARTICULARLY_SEVERE, "2025-05")
    assert [due(h, x) for x in ("2025-02", "2025-03", "2025-05")] == [750_000, 0, 0]
    h.grant(G.DISABILITY_SEVERE, "2025-07")
    assert [due(h, x) for x in ("2025-06", "2025-07", "2025-08")] == [0, 750_000, 750_000]


def test_suspended_months_are_not_due_until_a_resumption_with_back_pay() -> None:
    h = History(born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2024-10").suspend("2025-01")
    assert [due(h, x) for x in ("2024-12", "2025-01", "2025-03")] == [750_000, 0, 0]
    h.resume("2025-04", back_pay=True)
    assert [due(h, x) for x in ("2025-01", "2025-03", "2025-04")] == [750_000] * 3


def test_a_resumption_without_back_pay_leaves_the_suspended_months_unpaid() -> None:
    h = (
        History(born=date(1970, 1, 1))
        .grant(G.DISABILITY_SEVERE, "2024-10")
        .suspend("2025-01")
        .resume("2025-04", back_pay=False)
    )
    assert [due(h, x) for x in ("2025-01", "2025-03", "2025-04")] == [0, 0, 750_000]


def test_payment_stops_from_the_month_after_death_and_funeral_support_is_due_once() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2024-01")
    h.die(date(2024, 12, 10))
    ent = entitlement(h.person(), RATES, m("2025-03"))
    assert ent.due(m("2024-12")) == 1_000_000
    assert ent.due(m("2025-01")) == 0
    assert ent.funeral is not None
    assert (ent.funeral.month, ent.funeral.amount_vnd) == (m("2024-12"), 10_000_000)


def test_funeral_support_uses_the_level_in_force_in_the_month_of_death() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2023-01")
    h.die(date(2024, 6, 30))
    funeral = entitlement(h.person(), RATES, m("2025-03")).funeral
    assert funeral is not None and funeral.amount_vnd == 7_200_000


def test_a_relocated_person_is_paid_by_the_new_commune_from_the_effective_month() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
    h.relocate("2025-03")
    ent = entitlement(h.person(), RATES, m("2025-06"))
    places = {seg.place.commune for seg in ent.segments if seg.first <= m("2025-02") <= seg.last}
    assert places == {"84201"}
    after = [seg for seg in ent.segments if seg.first <= m("2025-03") <= seg.last]
    assert after[0].place == Place("84", "843", "84305")
    months = [x for seg in ent.segments for x in range(seg.first, seg.last + 1)]
    assert months == list(range(m("2025-01"), m("2025-06") + 1))  # none twice, none missed


def test_amounts_are_exact_and_rounded_half_up_only_at_the_end() -> None:
    from decimal import Decimal

    assert whole_vnd(Decimal("333333.5")) == 333_334
    assert whole_vnd(Decimal("333333.49")) == 333_333
