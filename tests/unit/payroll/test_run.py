"""The payroll run per person, with the read model given as rows (no database)."""

from __future__ import annotations

from datetime import date

from ledger.payroll.postoffices import PostOfficeMap
from ledger.payroll.rates import load_rates
from ledger.payroll.reader import PersonRow
from ledger.payroll.run import PayrollReport, PayrollScope, _Run
from schemas.eligibility import BeneficiaryGroup as G
from schemas.envelope import Event
from schemas.payments import PaymentListIssued
from tests.unit.payroll.builders import History, m

RATES = load_rates()
PAID = {m("2025-01"): 1_000_000, m("2025-02"): 1_000_000}


def run(row: PersonRow, month: str = "2025-03") -> tuple[list[Event], PayrollReport]:
    seen: list[Event] = []
    payroll = _Run(PayrollScope(month, "84"), RATES, PostOfficeMap(), {}, seen.extend, 10)
    payroll.person(row)
    for commune in sorted(payroll.communes):
        payroll.finish(commune)
    payroll.flush()
    return seen, payroll.report


def listed(events: list[Event]) -> list[tuple[str, dict[str, int]]]:
    return [
        (e.commune_code, {k.value: v for k, v in line.components.items()})
        for e in events
        if isinstance(e, PaymentListIssued)
        for line in e.lines
    ]


def test_an_amount_carried_in_the_registration_commune_goes_on_the_next_list() -> None:
    h = History(born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
    row = PersonRow(h.person(), "84201", False, PAID, 0, [("84201", "carried", "84", 1_000_000)])
    events, report = run(row)
    assert listed(events) == [("84201", {"regular": 1_000_000, "carried": 1_000_000})]
    assert report.problems == []


def test_an_amount_open_in_a_commune_the_person_is_no_longer_linked_to_is_a_named_problem() -> None:
    # Registered again in 84202 (a corrected registration): 84201 is no place of theirs now.
    h = History(born=date(1940, 1, 1), commune="84202").grant(
        G.ELDERLY_POOR_NO_SUPPORTER, "2025-01"
    )
    open_ = [("84201", "carried", "84", 1_000_000), ("79001", "carried", "79", 500_000)]
    events, report = run(PersonRow(h.person(), "84202", False, PAID, 0, open_))
    assert listed(events) == [("84202", {"regular": 1_000_000})]
    assert len(report.problems) == 1  # province 79's amount is for province 79's run
    assert report.problems[0].startswith(
        "person P1: 1,000,000 VND (carried 1,000,000) is still open in commune 84201"
    )
