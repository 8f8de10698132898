"""The synthetic data generator: deterministic, valid against the contract, bounded in memory."""

from __future__ import annotations

import io
from collections import Counter

import psutil
import pytest

from bench._synth_district import district_events
from bench._synth_geography import PROVINCES, Commune, District, districts
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
    """1,000 people in 3 communes over two years: enough for every kind of event to happen."""
    return _bytes(1000, seed=7, years=2)


def test_the_same_seed_gives_identical_bytes_and_another_seed_does_not() -> None:
    first, again, other = _bytes(200, seed=3), _bytes(200, seed=3), _bytes(200, seed=4)

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
    types = Counter(line.split(b'"event_type":"')[1].split(b'"')[0].decode()
                    for line in two_years.splitlines())  # fmt: skip

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


def test_amounts_are_whole_dong_and_lists_add_up(two_years: bytes) -> None:
    lists = 0
    for line in two_years.splitlines():
        if b'"PaymentListIssued"' in line:
            issued = parse_event(line)
            assert isinstance(issued, PaymentListIssued)
            assert issued.total_vnd == sum(x.amount_vnd for x in issued.lines) > 0
            lists += 1
    assert lists == 3 * 24, "one list per commune (1,000 people: 3) and month"


def _district(index: int, province: str, district: str, commune: str) -> District:
    return District(
        index, province, district, (Commune(province, district, commune, index * 150, 150),)
    )


def test_the_2024_rise_to_500k_reaches_a_late_province_two_months_later_as_arrears() -> None:
    on_time, late = _district(0, "84", "842", "29242"), _district(1, "87", "866", "30001")
    events = [e for d in (on_time, late) for e in district_events(1, d, "2024-01", "2024-12")]
    accrued = [e for e in events if isinstance(e, AllowanceAccrued)]

    def levels(commune: str, component: str, month: str) -> set[tuple[str, int | None]]:
        return {
            (e.service_month, e.standard_level_vnd)
            for e in accrued
            if e.commune_code == commune and e.component == component and e.month == month
        }

    assert levels("29242", "regular", "2024-07") == {("2024-07", 360_000)}, "before the decree"
    assert levels("29242", "regular", "2024-08") == {("2024-08", 500_000)}
    assert ("2024-07", 500_000) in levels("29242", "arrears", "2024-08")
    assert levels("30001", "regular", "2024-09") == {("2024-09", 360_000)}
    late_arrears = levels("30001", "arrears", "2024-10")
    assert {(m, 500_000) for m in ("2024-07", "2024-08", "2024-09")} <= late_arrears
    paid_in_july = {e.person_id: e.amount_vnd for e in accrued
                    if e.component == "regular" and e.service_month == "2024-07"}  # fmt: skip
    for e in accrued:
        if e.component == "arrears" and e.service_month == "2024-07" and e.coefficient:
            due = int(500_000 * e.coefficient)
            assert e.amount_vnd == due - paid_in_july.get(e.person_id, 0), e


def test_the_policy_events_carry_the_national_levels() -> None:
    levels = {e.effective_month: e.amount_vnd for e in population_events(1, months=1)
              if isinstance(e, StandardLevelSet)}  # fmt: skip

    assert levels == {"2014-01": 270_000, "2021-07": 360_000, "2024-07": 500_000}


def test_national_scale_spreads_3_5_million_people_over_63_provinces_with_real_codes() -> None:
    national = list(districts(3_500_000))
    communes = [c for d in national for c in d.communes]
    by_province: Counter[str] = Counter()
    for commune in communes:
        by_province[commune.province_code] += commune.people

    assert sum(by_province.values()) == 3_500_000
    assert set(by_province) == {code for code, _, _ in PROVINCES}
    assert 30_000 < by_province["84"] < 40_000, "Trà Vinh pays about 33,200 people"
    assert by_province["79"] > by_province["84"] > by_province["06"], "HCMC > Trà Vinh > Bắc Kạn"
    assert len({c.commune_code for c in communes}) == len(communes) > 10_000
    assert all(len(c.commune_code) == 5 and len(c.district_code) == 3 for c in communes)


def test_a_small_population_is_a_part_of_trà_vinh_with_the_same_codes_as_at_national_scale() -> (
    None
):
    small = [c for d in districts(1500) for c in d.communes]
    national = {c.commune_code: c for d in districts(3_500_000) for c in d.communes}

    assert [c.province_code for c in small] == ["84"] * 5
    assert all(national[c.commune_code].district_code == c.district_code for c in small)


@pytest.mark.slow
def test_memory_stays_bounded_while_50_000_people_stream_out() -> None:
    process = psutil.Process()
    registered, after_warm_up = 0, 0
    for event in population_events(50_000, months=1, seed=5):
        if isinstance(event, BeneficiaryRegistered):
            registered += 1
            if registered == 5_000:
                after_warm_up = process.memory_info().rss
    growth_mb = (process.memory_info().rss - after_warm_up) / 2**20

    assert registered > 49_000
    assert growth_mb < 25, f"RSS grew by {growth_mb:.1f} MiB over 45,000 more people"
