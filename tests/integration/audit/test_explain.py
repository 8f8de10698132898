"""``audit explain``: each posting behind a balance, its running total and where it came from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from ledger import Ledger
from ledger.audit.db import Database
from ledger.audit.errors import AuditInputError
from ledger.audit.explain import explain
from tests.integration.audit import scenario

pytestmark = pytest.mark.integration

FIRST, SECOND = scenario.PEOPLE[0], scenario.PEOPLE[1]


def test_a_reversed_payment_shows_both_postings_and_their_sources(
    live: Ledger, db: Database
) -> None:
    found = explain(db, "ledger", FIRST, "paid", date(2025, 2, 28))
    assert [(s.event_type, s.amount, s.running) for s in found.steps] == [
        ("PaymentDisbursed", 750_000, 750_000),
        ("PaymentReversed", -750_000, 0),
    ]
    assert found.balance == 0 == live.account_balance(found.account, as_of=date(2025, 2, 28))
    paid = found.steps[0]
    assert (paid.source, paid.operator) == ("vnpost-report", "officer-9")
    assert paid.reference == "post-office report bc-vnpost-2025-01.csv row 1"
    assert paid.kafka is not None and paid.kafka.startswith("aid.payments[")
    assert [s.stored_after for s in found.steps] == [750_000, 0]


def test_the_business_date_and_the_date_known_decide_what_counts(
    live: Ledger, db: Database
) -> None:
    january = explain(db, "ledger", FIRST, "paid", date(2025, 1, 31))
    assert [s.event_type for s in january.steps] == ["PaymentDisbursed"]
    arrears = explain(db, "ledger", SECOND, "accrued:arrears", date(2025, 1, 31))
    # Accrued amounts are credits (owed to the person): negative, debit positive.
    assert [(s.business_date, s.amount) for s in arrears.steps] == [(date(2024, 12, 1), -750_000)]
    assert arrears.steps[0].reference == "dsach-2025-01.csv"
    known = explain(
        db, "ledger", SECOND, "accrued:arrears", date(2025, 1, 31), known_on=date(2025, 1, 31)
    )
    assert known.steps == () and known.balance == 0


def test_an_unknown_account_lists_the_persons_accounts(live: Ledger, db: Database) -> None:
    with pytest.raises(AuditInputError, match=r"no account 'owed'.*accrued:regular \(VND\)"):
        explain(db, "ledger", FIRST, "owed", date(2025, 3, 31))
    with pytest.raises(AuditInputError, match="has no accounts"):
        explain(db, "ledger", "P-nobody", "paid", date(2025, 3, 31))


def test_the_explain_command_prints_each_step_and_the_balance(
    live: Ledger, cli: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli("audit", "explain", SECOND, "--account", "accrued:regular", "--as-of", "2025-02-28")
        == 0
    )
    out = " ".join(capsys.readouterr().out.split())
    assert "balance -1,500,000 VND from 2 postings (debit positive)" in out
    assert cli("audit", "explain", SECOND, "--account", "paid", "--as-of", "2025-13-01") == 2


def test_explain_as_json_lines_can_be_read_back(
    live: Ledger, cli: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    assert (
        cli("audit", "explain", FIRST, "--account", "paid", "--as-of", "2025-02-28", "--json") == 0
    )
    steps = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(s["amount"], s["running"]) for s in steps] == [(750_000, 750_000), (-750_000, 0)]
