"""A line reported not collected, then paid after all: carried once at most, never paid twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.classify import LineStatus as S
from schemas.payments import Component, PaymentLine
from tests.integration.payroll.reports import classified, import_rows, issued_lines

pytestmark = pytest.mark.integration

MARCH = "PL-2025-03-84201"


def _line(ledger: Ledger, month: str) -> PaymentLine:
    ((_, line),) = issued_lines(ledger, month)
    return line


def _status(ledger: Ledger, month: str) -> str:
    (line,) = classified(ledger, month)
    return line.status


def test_a_line_paid_after_it_was_reported_not_collected_is_not_carried_to_the_next_list(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "first.csv", f"{MARCH},1,P1,,2025-03-05,,,absent\n")
    import_rows(ledger, tmp_path / "second.csv", f"{MARCH},1,P1,750000,2025-03-15,R1,self,\n")

    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)

    assert _status(ledger, "2025-03") == S.PAID_IN_FULL
    assert _line(ledger, "2025-04").components == {Component.REGULAR: 750_000}


def test_a_line_partly_paid_after_being_carried_carries_only_the_rest(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "first.csv", f"{MARCH},1,P1,,2025-03-05,,,absent\n")
    import_rows(ledger, tmp_path / "second.csv", f"{MARCH},1,P1,500000,2025-03-15,R1,self,\n")

    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)

    assert _line(ledger, "2025-04").components == {
        Component.REGULAR: 750_000,
        Component.CARRIED: 250_000,
    }


def test_a_report_saying_paid_and_not_collected_at_once_carries_nothing(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(
        ledger,
        tmp_path / "both.csv",
        f"{MARCH},1,P1,750000,2025-03-15,R1,self,\n{MARCH},1,P1,,2025-03-05,NC1,,absent\n",
    )

    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)

    assert _line(ledger, "2025-04").components == {Component.REGULAR: 750_000}


def test_a_carried_amount_already_listed_again_and_then_paid_late_is_recovered_next_month(
    march_listed: Ledger, tmp_path: Path
) -> None:
    ledger = march_listed
    import_rows(ledger, tmp_path / "first.csv", f"{MARCH},1,P1,,2025-03-05,,,absent\n")
    run_payroll(ledger.engine, PayrollScope("2025-04", "84"), ledger.append)
    april = _line(ledger, "2025-04")
    assert april.components == {Component.REGULAR: 750_000, Component.CARRIED: 750_000}
    # March's line was paid after all, and April's (with March carried) too: paid twice.
    import_rows(
        ledger,
        tmp_path / "late.csv",
        f"{MARCH},1,P1,750000,2025-03-28,R1,self,\n"
        f"PL-2025-04-84201,1,P1,1500000,2025-04-05,R2,self,\n",
    )

    run_payroll(ledger.engine, PayrollScope("2025-05", "84"), ledger.append)

    assert _line(ledger, "2025-05").components == {
        Component.REGULAR: 750_000,
        Component.RECOVERY: 750_000,
    }
    assert _line(ledger, "2025-05").amount_vnd == 0
