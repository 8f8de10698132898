"""The synthetic data generator: deterministic, valid against the contract, bounded in memory."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from bench.generate import population_events, write_events
from schemas import canonical_json, parse_event
from schemas.eligibility import BeneficiaryRegistered
from schemas.payments import AllowanceAccrued, PaymentListIssued
from schemas.policy import StandardLevelSet


def _bytes(people: int, seed: int, years: int = 1) -> bytes:
    out = io.BytesIO()
    write_events(population_events(people, years=years, seed=seed), out, Counter())
    return out.getvalue()


@pytest.fixture(scope="module")
def two_years() -> bytes:
    """About 1,500 people over two years: enough for every kind of life event to happen."""
    return _bytes(1500, seed=7, years=2)


def test_the_same_seed_gives_identical_bytes_and_another_seed_does_not() -> None:
    first, again, other = _bytes(400, seed=3), _bytes(400, seed=3), _bytes(400, seed=4)

    assert first == again
    assert first != other


def test_every_generated_line_parses_back_to_the_same_canonical_event(two_years: bytes) -> None:
    ids = set()
    for number, line in enumerate(two_years.splitlines(), start=1):
        event = parse_event(line, record=f"line {number}")
        assert canonical_json(event) == line
        ids.add(event.event_id)

    assert len(ids) == two_years.count(b"\n"), "every event has its own id"


def test_the_history_holds_every_kind_of_fact_the_ledger_must_handle(two_years: bytes) -> None:
    types = Counter(parse_event(line).event_type for line in two_years.splitlines())

    expected = {
        "StandardLevelSet", "BaseSalarySet", "BeneficiaryRegistered", "EligibilityGranted",
        "EligibilityChanged", "EligibilitySuspended", "EligibilityResumed",
        "EligibilityTerminated", "BeneficiaryRelocated", "BeneficiaryDied", "AllowanceAccrued",
        "PaymentListIssued", "PaymentDisbursed", "PaymentNotCollected", "FundsTransferred",
        "HealthInsuranceCardIssued", "HealthInsuranceCardRevoked", "DonationPledged",
        "DonationReceived", "ReliefItemHandedOut",
    }  # fmt: skip
    assert expected <= set(types), f"missing: {expected - set(types)}"
    assert types["AllowanceAccrued"] > 20 * types["BeneficiaryRegistered"]
    assert types["PaymentDisbursed"] > 10 * types["PaymentNotCollected"]


def test_the_2024_rate_rise_pays_500k_and_late_provinces_catch_up_with_arrears() -> None:
    events = list(population_events(6000, years=1, seed=1))
    levels = {e.effective_month: e.amount_vnd for e in events if isinstance(e, StandardLevelSet)}
    accruals = [e for e in events if isinstance(e, AllowanceAccrued)]
    provinces = {e.province_code for e in accruals}
    arrears_for_july = {
        e.province_code
        for e in accruals
        if e.component == "arrears" and e.service_month == "2024-07" and e.standard_level_vnd
        and e.standard_level_vnd == 500_000
    }  # fmt: skip
    july_regular = {e.standard_level_vnd for e in accruals
                    if e.component == "regular" and e.service_month == "2024-07"}  # fmt: skip

    assert levels == {"2014-01": 270_000, "2021-07": 360_000, "2024-07": 500_000}
    assert july_regular == {360_000}, "July's list was made before the decree was signed"
    assert arrears_for_july == provinces, "every province pays the July difference later"
    assert any(e.amount_vnd == 500_000 * 2 for e in accruals if e.month == "2025-06")


def test_amounts_are_whole_dong_and_lists_add_up(two_years: bytes) -> None:
    for line in two_years.splitlines():
        if b'"PaymentListIssued"' in line:
            issued = parse_event(line)
            assert isinstance(issued, PaymentListIssued)
            assert issued.total_vnd == sum(x.amount_vnd for x in issued.lines)
        elif b'"AllowanceAccrued"' in line:
            accrued = parse_event(line)
            assert isinstance(accrued, AllowanceAccrued)
            assert isinstance(accrued.amount_vnd, int) and accrued.amount_vnd > 0


def test_the_population_spreads_over_real_province_codes_by_size() -> None:
    registered = Counter(
        e.province_code
        for e in population_events(20_000, months=1, seed=2)
        if isinstance(e, BeneficiaryRegistered)
    )

    assert sum(registered.values()) == 20_000
    assert len(registered) == 61  # one commune of ~330 people each for all but 2 smallest
    assert registered["79"] > registered["84"] > registered["06"], "HCMC > Trà Vinh > Bắc Kạn"
