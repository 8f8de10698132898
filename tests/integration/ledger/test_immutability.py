"""The database itself keeps the ledger append-only: grants for the app role, triggers for all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from sqlalchemy import create_engine

from ledger import Ledger
from ledger.migrations import upgrade
from tests.unit.ledger.builders import accrual, card_issued, registered

pytestmark = pytest.mark.integration

APPEND_ONLY = ("events", "postings", "accounts")
CHANGES = {
    "UPDATE": "UPDATE ledger.{t} SET {c} = {c}",
    "DELETE": "DELETE FROM ledger.{t}",
    "TRUNCATE": "TRUNCATE ledger.{t}",
}
FIRST_COLUMN = {
    "events": "sequence",
    "postings": "sequence",
    "accounts": "code",
}


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg2://", "postgresql://")


@pytest.fixture
def raw(ledger: Ledger, ledger_db_url: str) -> Iterator[Any]:
    """A raw superuser session on a ledger holding a few events."""
    ledger.append([registered("P1"), accrual("P1", 500_000, "2024-07")])
    conn = psycopg2.connect(_dsn(ledger_db_url))
    try:
        yield conn
    finally:
        conn.close()


def _attempt(conn: Any, statement: str, role: str | None = None) -> str:
    """Run a statement; return the error message (the transaction is rolled back)."""
    try:
        with conn.cursor() as cur:
            if role:
                cur.execute(f"SET ROLE {role}")
            cur.execute(statement)
        return "accepted"
    except psycopg2.Error as exc:
        return str(exc.pgerror or exc)
    finally:
        conn.rollback()


@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize("change", list(CHANGES))
def test_the_app_role_cannot_change_the_append_only_tables(
    raw: Any, table: str, change: str
) -> None:
    statement = CHANGES[change].format(t=table, c=FIRST_COLUMN[table])
    assert "permission denied" in _attempt(raw, statement, role="aidledger_app")


@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize("change", list(CHANGES))
def test_the_triggers_refuse_changes_even_for_the_superuser(
    raw: Any, table: str, change: str
) -> None:
    statement = CHANGES[change].format(t=table, c=FIRST_COLUMN[table])
    message = _attempt(raw, statement)
    assert f"{change} on ledger.{table} refused: the ledger is append-only" in message
    with raw.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM ledger.{table}")
        assert cur.fetchone()[0] > 0


def test_the_app_role_can_append_and_read_through_the_ledger(ledger_db_url: str) -> None:
    engine = create_engine(ledger_db_url, connect_args={"options": "-c role=aidledger_app"})
    try:
        as_app = Ledger(engine)
        result = as_app.append(
            [
                accrual("P1", 500_000, "2024-07"),
                card_issued("P1", "BT2848420000001", "2024-01-01", "2024-12-31"),
            ],
            consumer="worker",
        )
        assert len(result.appended) == 2
        assert as_app.balances("P1").accrued == 500_000
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT current_user").scalar() == "aidledger_app"
    finally:
        engine.dispose()


def test_the_auditor_reads_everything_and_changes_nothing(raw: Any) -> None:
    assert _attempt(raw, "SELECT count(*) FROM ledger.postings", "aidledger_auditor") == "accepted"
    assert "permission denied" in _attempt(
        raw, "INSERT INTO ledger.positions VALUES ('c', 't', 0, 1)", "aidledger_auditor"
    )


def test_the_donor_role_sees_the_donor_schema_only(raw: Any) -> None:
    assert "permission denied" in _attempt(raw, "SELECT 1 FROM ledger.events", "aidledger_donor")
    with raw.cursor() as cur:
        cur.execute(
            "SELECT has_schema_privilege('aidledger_donor', 'donor', 'USAGE'), "
            "has_schema_privilege('aidledger_donor', 'ledger', 'USAGE')"
        )
        assert cur.fetchone() == (True, False)


def test_roles_are_created_as_nologin_once_per_cluster(raw: Any, empty_database_url: str) -> None:
    upgrade(empty_database_url)  # a second database of the same cluster: roles already exist
    with raw.cursor() as cur:
        cur.execute(
            "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'aidledger_%' ORDER BY 1"
        )
        roles = cur.fetchall()
    assert roles == [
        ("aidledger_app", False),
        ("aidledger_auditor", False),
        ("aidledger_donor", False),
        ("aidledger_owner", False),
    ]


def test_a_scratch_schema_gets_its_own_tables_and_donor_schema(ledger_db_url: str) -> None:
    upgrade(ledger_db_url, "replay_1")
    scratch = Ledger(create_engine(ledger_db_url), schema="replay_1")
    try:
        scratch.append([accrual("P1", 500_000, "2024-07")])
        assert scratch.balances("P1").accrued == 500_000
        with scratch.engine.connect() as conn:
            names = {
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, 'replay_1')"
                )
            }
            live = conn.exec_driver_sql("SELECT count(*) FROM ledger.events").scalar()
        assert names == {"replay_1", "replay_1_donor"} and live == 0
    finally:
        scratch.engine.dispose()


@pytest.mark.parametrize("change", ["UPDATE", "DELETE"])
def test_changes_through_the_journal_view_are_refused_as_changes_to_events(
    raw: Any, change: str
) -> None:
    statement = CHANGES[change].format(t="journal_entries", c="description")
    assert f"{change} on ledger.events refused" in _attempt(raw, statement)
    assert "permission denied" in _attempt(raw, statement, role="aidledger_app")
