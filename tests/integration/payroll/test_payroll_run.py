"""The payroll run on the real PostgreSQL ledger: lists, idempotent re-runs, supplements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from schemas.eligibility import BeneficiaryGroup as G
from schemas.envelope import Event
from schemas.payments import AllowanceAccrued, PaymentListIssued
from tests.unit.payroll.builders import History

pytestmark = pytest.mark.integration


def _sink(ledger: Ledger, seen: list[Event]):  # type: ignore[no-untyped-def]
    def sink(events):  # type: ignore[no-untyped-def]
        seen.extend(events)
        ledger.append(events)

    return sink


def test_a_payroll_run_issues_one_list_per_commune_and_a_rerun_changes_nothing(
    payroll_ledger: Ledger,
) -> None:
    a = History("P-A", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01")
    b = History("P-B", born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-03")
    c = History("P-C", born=date(1970, 1, 1), commune="84305", district="843").grant(
        G.DISABILITY_PARTICULARLY_SEVERE, "2025-03"
    )
    payroll_ledger.append([*a.events, *b.events, *c.events])
    seen: list[Event] = []
    report = run_payroll(
        payroll_ledger.engine, PayrollScope("2025-03", "84"), _sink(payroll_ledger, seen)
    )
    lists = {e.list_id: e for e in seen if isinstance(e, PaymentListIssued)}
    assert set(lists) == {"PL-2025-03-84201", "PL-2025-03-84305"}
    first = lists["PL-2025-03-84201"]
    assert [(line.person_id, line.amount_vnd) for line in first.lines] == [
        ("P-A", 3 * 750_000),
        ("P-B", 1_000_000),
    ]
    assert first.post_office_code == "VNPOST-842"
    assert report.listed_vnd == 3 * 750_000 + 1_000_000 + 1_000_000
    assert sum(isinstance(e, AllowanceAccrued) for e in seen) == 5
    again: list[Event] = []
    rerun = run_payroll(
        payroll_ledger.engine, PayrollScope("2025-03", "84"), _sink(payroll_ledger, again)
    )
    assert again == [] and rerun.lists == 0


def test_a_correction_after_issue_goes_on_a_supplementary_list(payroll_ledger: Ledger) -> None:
    a = History("P-A", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-03")
    payroll_ledger.append(a.events)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append)
    late = History("P-Z", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-02")
    payroll_ledger.append(late.events)
    seen: list[Event] = []
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), _sink(payroll_ledger, seen))
    lists = [e for e in seen if isinstance(e, PaymentListIssued)]
    assert [(x.list_id, x.supplements_list_id) for x in lists] == [
        ("PL-2025-03-84201-S1", "PL-2025-03-84201")
    ]
    assert [(line.person_id, line.amount_vnd) for line in lists[0].lines] == [("P-Z", 1_500_000)]


def test_implied_funeral_support_is_not_accrued_again_by_the_payroll(
    payroll_ledger: Ledger,
) -> None:
    from ledger.payroll.implied import implied_events

    h = History("P-D", born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
    payroll_ledger.append(h.events)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append)
    h.die(date(2025, 1, 20))
    death = h.events[-1]
    payroll_ledger.append([death, *implied_events(death, payroll_ledger)])  # as the worker does
    seen: list[Event] = []
    run_payroll(payroll_ledger.engine, PayrollScope("2025-04", "84"), _sink(payroll_ledger, seen))
    accrued = sorted(
        (e.service_month, e.component.value, e.amount_vnd)
        for e in seen
        if isinstance(e, AllowanceAccrued)
    )
    assert accrued == [("2025-02", "recovery", 1_000_000), ("2025-03", "recovery", 1_000_000)]
    lists = [e for e in seen if isinstance(e, PaymentListIssued)]
    assert [(ln.components, ln.amount_vnd) for e in lists for ln in e.lines] == [
        ({"funeral": 10_000_000, "recovery": 2_000_000}, 8_000_000)
    ]


def test_a_date_of_death_corrected_to_a_later_month_pays_that_month_and_keeps_the_funeral(
    payroll_ledger: Ledger,
) -> None:
    from ledger.payroll.implied import implied_events

    h = History("P-D", born=date(1940, 1, 1)).grant(G.ELDERLY_POOR_NO_SUPPORTER, "2025-01")
    payroll_ledger.append(h.events)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-01", "84"), payroll_ledger.append)
    for died, told in ((date(2025, 1, 5), 20), (date(2025, 2, 5), 50)):  # then corrected
        h.die(died, recorded=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=told))
        death = h.events[-1]
        payroll_ledger.append([death, *implied_events(death, payroll_ledger)])  # as the worker
        if died.month == 1:
            run_payroll(payroll_ledger.engine, PayrollScope("2025-02", "84"), payroll_ledger.append)
    seen: list[Event] = []
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), _sink(payroll_ledger, seen))
    accrued = [
        (e.service_month, e.component.value, e.amount_vnd)
        for e in seen
        if isinstance(e, AllowanceAccrued)
    ]
    assert accrued == [("2025-02", "arrears", 1_000_000)]  # nothing of the funeral recovered


def test_two_corrections_in_one_month_with_nothing_listed_between_them_are_both_accrued(
    payroll_ledger: Ledger,
) -> None:
    person = History("P-A", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01")
    payroll_ledger.append(person.events)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append)
    # Two backdated corrections of the coefficient, each followed by a supplementary run.
    # Each only recovers (nothing positive to list), so no list is issued between them.
    for coefficient in ("1.0", "0.5"):
        payroll_ledger.append(
            History("P-A").change(G.DISABILITY_SEVERE, "2025-01", coefficient=coefficient).events
        )
        report = run_payroll(
            payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append
        )
        assert report.lists == 0

    with payroll_ledger.engine.connect() as conn:
        accrued = conn.exec_driver_sql(
            "SELECT service_month, amount_vnd FROM ledger.payroll_accrued "
            "WHERE person_id = 'P-A' ORDER BY service_month"
        ).all()
    assert [amount for _, amount in accrued] == [250_000, 250_000, 250_000]  # 0.5 x 500,000
