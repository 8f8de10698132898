"""A store replay rebuilds the carried lines and open amounts the live run left, whatever its
batches: one event at a time, or the whole history at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ledger.audit import history
from ledger.audit import replay as rp
from ledger.audit.db import Database
from ledger.ledger import Ledger
from ledger.payroll.projector import PayrollProjector
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.projector import ReconciliationProjector
from schemas.eligibility import BeneficiaryGroup as G
from tests.integration.payroll.reports import import_rows, reverse
from tests.unit.payroll.builders import History

pytestmark = pytest.mark.integration

MARCH = "PL-2025-03-84201"
APRIL = "PL-2025-04-84201"
ABSENT = f"{MARCH},1,P1,,2025-03-05,,,absent\n"


def run(ledger: Ledger, month: str) -> None:
    run_payroll(ledger.engine, PayrollScope(month, "84"), ledger.append)


def listed_again_then_paid_late(ledger: Ledger, tmp_path: Path) -> None:
    """March carried onto April's list, then March paid late: recovered from May's line."""
    import_rows(ledger, tmp_path / "absent.csv", ABSENT)
    run(ledger, "2025-04")
    import_rows(
        ledger,
        tmp_path / "late.csv",
        f"{MARCH},1,P1,750000,2025-03-28,R1,self,\n{APRIL},1,P1,1500000,2025-04-05,R2,self,\n",
    )


def paid_late_then_reversed(ledger: Ledger, tmp_path: Path) -> None:
    """March carried, paid late, the payment reversed: carried onto April's list after all."""
    import_rows(ledger, tmp_path / "absent.csv", ABSENT)
    import_rows(ledger, tmp_path / "late.csv", f"{MARCH},1,P1,750000,2025-03-15,R1,self,\n")
    reverse(ledger, "R1")
    run(ledger, "2025-04")


def recovered_then_reversed(ledger: Ledger, tmp_path: Path) -> None:
    """The late payment of a line listed again is recovered from May's line; reversed, the
    line is carried onto June's; a second line reversed before its recovery was netted."""
    listed_again_then_paid_late(ledger, tmp_path)
    run(ledger, "2025-05")
    reverse(ledger, "R1")
    run(ledger, "2025-06")
    import_rows(ledger, tmp_path / "june.csv", "PL-2025-06-84201,1,P1,,2025-06-05,,,absent\n")
    run(ledger, "2025-07")
    import_rows(
        ledger,
        tmp_path / "late-june.csv",
        "PL-2025-06-84201,1,P1,1500000,2025-06-28,R3,self,\n"
        "PL-2025-07-84201,1,P1,2250000,2025-07-05,R4,self,\n",
    )
    reverse(ledger, "R3")


def paid_not_collected_reversed(ledger: Ledger, tmp_path: Path) -> None:
    """March paid, then also reported not collected (nothing carried), the payment reversed:
    carried onto April's list."""
    import_rows(ledger, tmp_path / "paid.csv", f"{MARCH},1,P1,750000,2025-03-05,R1,self,\n")
    import_rows(ledger, tmp_path / "absent.csv", f"{MARCH},1,P1,,2025-03-05,NC1,,absent\n")
    reverse(ledger, "R1")
    run(ledger, "2025-04")


HISTORIES: dict[str, Callable[[Ledger, Path], None]] = {
    "listed again, then paid late": listed_again_then_paid_late,
    "paid late, then reversed": paid_late_then_reversed,
    "recovered, then reversed": recovered_then_reversed,
    "paid, not collected, reversed": paid_not_collected_reversed,
}


@pytest.mark.parametrize(
    "batch", [1, 7, 1_000], ids=["one event a batch", "seven a batch", "one batch"]
)
@pytest.mark.parametrize("story", HISTORIES)
def test_a_replay_rebuilds_the_carried_lines_and_open_amounts_of_the_live_run(
    payroll_ledger: Ledger, payroll_db_url: str, tmp_path: Path, story: str, batch: int
) -> None:
    ledger = payroll_ledger
    person = History("P1", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-03")
    ledger.append(person.events)
    run(ledger, "2025-03")
    HISTORIES[story](ledger, tmp_path)

    db = Database.from_url(payroll_db_url)
    outcome = rp.rebuild(
        payroll_db_url,
        "replayed",
        history.from_store(db, "ledger"),
        [PayrollProjector(), ReconciliationProjector()],
        source="store",
        batch=batch,
    )
    differences = rp.check(db, "ledger", outcome, exact=True).differences
    rp.drop(db, "replayed")
    assert [str(d) for d in differences] == []
