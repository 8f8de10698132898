"""Lines paid after a death or a termination: the allowance is flagged, funeral support not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.classify import LineStatus as S
from schemas.eligibility import BeneficiaryGroup as G
from schemas.payments import Component
from tests.integration.payroll.reports import classified, import_rows, issued_lines
from tests.unit.payroll.builders import History

pytestmark = pytest.mark.integration


def _statuses(ledger: Ledger, month: str) -> dict[str, str]:
    return {line.person_id: line.status for line in classified(ledger, month)}


def test_funeral_support_paid_to_the_family_after_the_death_is_paid_in_full(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    ledger = payroll_ledger
    ledger.append(History("P1", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-03").events)
    ledger.append(History("P2", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-03").events)
    run_payroll(ledger.engine, PayrollScope("2025-03", "84"), ledger.append)
    ledger.append(History("P1").die(date(2025, 3, 20)).events[1:])
    ledger.append(History("P2").die(date(2025, 3, 1)).events[1:])  # before March was paid
    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    april = {line.person_id: (list_id, line) for list_id, line in issued_lines(ledger, "2025-04")}
    april_list, funeral = april["P1"]
    assert set(funeral.components) == {Component.FUNERAL}
    march = {line.person_id: (list_id, line) for list_id, line in issued_lines(ledger, "2025-03")}
    rows = [
        # P1's funeral support, collected by the family in April.
        f"{april_list},{funeral.line_no},P1,{funeral.amount_vnd},2025-04-05,R-F,proxy,\n",
        # P2's March allowance, collected after P2 died on 1 March.
        f"{march['P2'][0]},{march['P2'][1].line_no},P2,750000,2025-03-05,R-M,proxy,\n",
    ]
    import_rows(ledger, tmp_path / "r.csv", "".join(rows))

    assert _statuses(ledger, "2025-04")["P1"] == S.PAID_IN_FULL
    assert _statuses(ledger, "2025-03")["P2"] == S.PAID_AFTER_STOP


def test_a_change_decided_after_a_termination_does_not_hide_a_payment_after_it(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    ledger = payroll_ledger
    ledger.append(History("P1", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-03").events)
    run_payroll(ledger.engine, PayrollScope("2025-03", "84"), ledger.append)
    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    # Terminated from April after April's list was issued; then a change of coefficient from
    # June is recorded: only a grant restarts payment, so April stays a month after the stop.
    later = History("P1").terminate("2025-04")
    later.change(G.DISABILITY_SEVERE, "2025-06", coefficient="2.0")
    ledger.append(later.events[1:])
    ((april_list, line),) = issued_lines(ledger, "2025-04")
    rows = f"{april_list},{line.line_no},P1,{line.amount_vnd},2025-04-05,R-A,self,\n"
    import_rows(ledger, tmp_path / "r.csv", rows)

    assert _statuses(ledger, "2025-04")["P1"] == S.PAID_AFTER_STOP
