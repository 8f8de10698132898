"""Migrations 0007 (text payload, derived body) and 0008 (journal in events) keep every stored
byte and row, both ways."""

from __future__ import annotations

from typing import Any

from alembic import command

from ledger import Ledger, verify_chain
from ledger.migrations import alembic_config
from tests.unit.ledger.builders import accrual, registered


def _rows(ledger: Ledger, column_type_sql: str) -> list[tuple[Any, ...]]:
    with ledger.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                f"SELECT sequence, {column_type_sql}, body->>'person_id', "
                "format_type(a.atttypid, a.atttypmod) FROM ledger.events, pg_attribute a "
                "WHERE a.attrelid = 'ledger.events'::regclass AND a.attname = 'payload' "
                "ORDER BY sequence"
            )
        ]


def test_payloads_survive_a_downgrade_to_bytea_and_the_upgrade_back_byte_for_byte(
    ledger: Ledger, ledger_db_url: str
) -> None:
    stored = ledger.append([registered("P1"), accrual("P1", 500_000, "2024-07")]).appended
    config = alembic_config(ledger_db_url)

    command.downgrade(config, "0005_relief")
    old = _rows(ledger, "payload")
    assert [(r[0], bytes(r[1]), r[2], r[3]) for r in old] == [
        (s.sequence, s.payload, "P1", "bytea") for s in stored
    ]

    command.upgrade(config, "heads")
    new = _rows(ledger, "payload")
    assert [(r[0], r[1].encode(), r[2], r[3]) for r in new] == [
        (s.sequence, s.payload, "P1", "text") for s in stored
    ]
    assert verify_chain(ledger.engine) is None
    with ledger.engine.connect() as conn:
        kind = conn.exec_driver_sql(
            "SELECT attgenerated FROM pg_attribute "
            "WHERE attrelid = 'ledger.events'::regclass AND attname = 'body'"
        ).scalar_one()
    assert kind == "v"  # virtual on PostgreSQL 18: appends do not parse jsonb


def _journal(ledger: Ledger) -> list[tuple[Any, ...]]:
    with ledger.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql("SELECT * FROM ledger.journal_entries ORDER BY 1")
        ]


def test_the_journal_survives_a_downgrade_to_its_own_table_and_the_upgrade_back(
    ledger: Ledger, ledger_db_url: str
) -> None:
    ledger.append([registered("P1"), accrual("P1", 500_000, "2024-07")])
    before = _journal(ledger)
    assert [(r[0], r[1], r[5]) for r in before] == [
        (1, "BeneficiaryRegistered", 0),
        (2, "AllowanceAccrued", 2),
    ]
    config = alembic_config(ledger_db_url)

    command.downgrade(config, "0007_text_payload")
    assert _journal(ledger) == before
    assert _kind(ledger) == "r"

    command.upgrade(config, "heads")
    assert _journal(ledger) == before
    assert _kind(ledger) == "v"
    ledger.append([accrual("P1", 500_000, "2024-08")])
    third = _journal(ledger)[2]
    assert (third[0], third[1], third[5]) == (3, "AllowanceAccrued", 2) and "2024-08" in third[2]
    assert verify_chain(ledger.engine) is None


def _kind(ledger: Ledger) -> str:
    with ledger.engine.connect() as conn:
        return str(
            conn.exec_driver_sql(
                "SELECT relkind FROM pg_class WHERE oid = 'ledger.journal_entries'::regclass"
            ).scalar_one()
        )
