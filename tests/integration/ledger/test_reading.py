"""Reading the ledger back: events, a person's history, relief and BHYT coverage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine

from ledger import Ledger
from ledger.migrations import alembic_config, upgrade
from tests.fixtures.ledger import DatabaseFactory
from tests.unit.ledger.builders import (
    accrual,
    card_issued,
    card_revoked,
    disbursement,
    handout,
    registered,
)

pytestmark = pytest.mark.integration
CARD = "BT2848420000001"


def test_events_are_filtered_by_person_type_and_position(ledger: Ledger) -> None:
    ledger.append(
        [
            registered("P1"),
            registered("P2"),
            accrual("P1", 500_000, "2024-07"),
            accrual("P2", 500_000, "2024-07"),
        ]
    )
    assert [s.sequence for s in ledger.events(person_id="P1")] == [1, 3]
    assert [s.sequence for s in ledger.events(event_types=["AllowanceAccrued"])] == [3, 4]
    assert [s.sequence for s in ledger.events(after_sequence=2)] == [3, 4]
    assert [
        s.event.event_type
        for s in ledger.events(person_id="P2", event_types=["BeneficiaryRegistered"])
    ] == ["BeneficiaryRegistered"]


def test_history_is_a_timeline_with_running_balances(ledger: Ledger) -> None:
    ledger.append([registered("P1"), accrual("P1", 500_000, "2024-07")])
    ledger.append([accrual("P1", 500_000, "2024-08"), disbursement("P1", 800_000, "2024-08-05")])
    timeline = ledger.history("P1")
    assert [e.event_type for e in timeline] == [
        "BeneficiaryRegistered",
        "AllowanceAccrued",
        "AllowanceAccrued",
        "PaymentDisbursed",
    ]
    assert timeline[0].postings == ()
    running = [
        (p.balance_before, p.balance_after)
        for e in timeline
        for p in e.postings
        if p.account == "person:P1:accrued:regular"
    ]
    assert running == [(0, -500_000), (-500_000, -1_000_000)]
    assert timeline[2].description == "regular 500,000 VND for 2024-08 (payroll 2024-08)"
    assert ledger.history("nobody") == []


def test_relief_is_received_per_item_in_quantity_and_value(ledger: Ledger) -> None:
    ledger.append(
        [
            handout("P1", "RICE", 2, 200_000, recorded="2025-01-20"),
            handout("P1", "RICE", 1, 200_000, recorded="2025-02-20"),
            handout("P1", "OIL", 1, 55_000, recorded="2025-02-20"),
        ]
    )
    relief = ledger.balances("P1").relief
    assert (relief["RICE"].quantity, relief["RICE"].value_vnd) == (3, 600_000)
    assert (relief["OIL"].quantity, relief["OIL"].value_vnd) == (1, 55_000)
    assert ledger.balances("P1", as_of=date(2025, 1, 31)).relief["RICE"].quantity == 2
    held = ledger.account_balance("donor:D1:TET-2025:held", "ITEM:RICE")
    assert held == -3  # handed out without a recorded receipt: the stock shows the gap


def test_coverage_follows_issue_and_revocation_as_of_and_as_known(ledger: Ledger) -> None:
    ledger.append([card_issued("P1", CARD, "2024-01-01", "2024-12-31", recorded="2023-12-20")])
    ledger.append([card_revoked("P1", CARD, "2024-06-11", recorded="2024-09-25")])
    june_1, july_1 = date(2024, 6, 1), date(2024, 7, 1)
    assert [c.card_number for c in ledger.balances("P1", as_of=june_1).coverage] == [CARD]
    assert ledger.balances("P1", as_of=july_1).coverage == ()
    known_in_august = ledger.balances("P1", as_of=july_1, known_on=date(2024, 8, 31))
    assert [c.valid_to for c in known_in_august.coverage] == [date(2024, 12, 31)]
    assert ledger.balances("P1", as_of=june_1, known_on=date(2023, 12, 1)).coverage == ()
    assert ledger.account_balance("program:84:bhyt_premium") == 758_160


def _coverage_rows(ledger: Ledger) -> list[tuple[Any, ...]]:
    with ledger.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT person_id, valid_from, revoked_from, revoked_sequence"
                " FROM ledger.coverage ORDER BY person_id, valid_from"
            )
        ]


def test_a_revocation_voids_only_the_card_periods_recorded_before_it_or_the_one_it_names(
    ledger_databases: DatabaseFactory,
) -> None:
    first, second, third = "BT2848420000001", "BT2848420000002", "BT2848420000003"
    events = [
        # P1: last year's card revoked, then this year's renewal with the same number
        card_issued("P1", first, "2024-01-01", "2024-12-31"),
        card_revoked("P1", first, "2024-12-01"),
        card_issued("P1", first, "2025-01-01", "2025-12-31"),
        # P2: the renewal recorded before the revocation, which then voids both periods;
        # a later revocation of an earlier day changes nothing (the first one counts)
        card_issued("P2", second, "2024-01-01", "2024-12-31"),
        card_issued("P2", second, "2025-01-01", "2025-12-31"),
        card_revoked("P2", second, "2024-12-01"),
        card_revoked("P2", second, "2024-11-01"),
        # P3: the renewal recorded before the revocation, which names the period it revokes;
        # a revocation naming a period the number does not have changes nothing
        card_issued("P3", third, "2024-01-01", "2024-12-31"),
        card_issued("P3", third, "2025-01-01", "2025-12-31"),
        card_revoked("P3", third, "2024-12-01", period="2023-01-01"),
        card_revoked("P3", third, "2024-12-01", period="2024-01-01"),
    ]
    expected = [
        ("P1", date(2024, 1, 1), date(2024, 12, 1), 2),
        ("P1", date(2025, 1, 1), None, None),
        ("P2", date(2024, 1, 1), date(2024, 12, 1), 6),
        ("P2", date(2025, 1, 1), date(2024, 12, 1), 6),
        ("P3", date(2024, 1, 1), date(2024, 12, 1), 11),
        ("P3", date(2025, 1, 1), None, None),
    ]
    batchings: dict[str, Callable[[Ledger], object]] = {
        "one batch": lambda ledger: ledger.append(events),
        "one by one": lambda ledger: [ledger.append([e]) for e in events],
        "pipelined in threes": lambda ledger: list(
            ledger.append_all([events[i : i + 3] for i in range(0, len(events), 3)])
        ),
    }
    for name, append in batchings.items():
        with ledger_databases() as url:
            engine = create_engine(url)
            try:
                ledger = Ledger(engine)
                append(ledger)
                assert _coverage_rows(ledger) == expected, name
                for person, number in (("P1", first), ("P3", third)):
                    covered = ledger.balances(person, as_of=date(2025, 6, 1)).coverage
                    assert [(c.card_number, c.valid_from) for c in covered] == [
                        (number, date(2025, 1, 1))
                    ], name
            finally:
                engine.dispose()


def test_revision_0011_marks_coverage_projected_before_it_as_the_projector_now_does(
    ledger: Ledger, ledger_db_url: str
) -> None:
    number = "BT2848420000001"
    ledger.append(
        [
            card_issued("P1", number, "2024-01-01", "2024-12-31"),
            card_revoked("P1", number, "2024-12-01"),
            card_issued("P1", number, "2025-01-01", "2025-12-31"),
        ]
    )
    expected = _coverage_rows(ledger)
    with ledger.engine.begin() as conn:  # as the old rule left it: the renewal revoked too
        conn.exec_driver_sql(
            "UPDATE ledger.coverage SET revoked_from = '2024-12-01', revoked_sequence = 2, "
            "revoked_recorded_at = now() WHERE valid_from = '2025-01-01'"
        )
    assert _coverage_rows(ledger) != expected
    command.downgrade(alembic_config(ledger_db_url), "0008_journal_in_events")

    upgrade(ledger_db_url)

    assert _coverage_rows(ledger) == expected
    assert expected[1][2:] == (None, None)  # the renewal is not revoked
