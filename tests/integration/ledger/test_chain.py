"""The hash chain catches what the triggers cannot stop: a superuser editing a stored row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest

from ledger import Ledger, verify_chain
from tests.unit.ledger.builders import accrual

pytestmark = pytest.mark.integration


@pytest.fixture
def superuser(ledger: Ledger, ledger_db_url: str) -> Iterator[Any]:
    ledger.append([accrual(f"P{i}", 500_000, "2024-07") for i in range(1, 11)])
    conn = psycopg2.connect(ledger_db_url.replace("postgresql+psycopg2://", "postgresql://"))
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def _tamper(conn: Any, statement: str) -> None:
    with conn.cursor() as cur:
        cur.execute("ALTER TABLE ledger.events DISABLE TRIGGER events_append_only")
        cur.execute(statement)
        cur.execute("ALTER TABLE ledger.events ENABLE TRIGGER events_append_only")


def test_an_intact_chain_has_no_break(superuser: Any, ledger: Ledger) -> None:
    assert verify_chain(ledger.engine, "ledger") is None


def test_an_edited_payload_breaks_the_chain_exactly_at_that_row(
    superuser: Any, ledger: Ledger
) -> None:
    _tamper(
        superuser,
        "UPDATE ledger.events SET payload = "
        "replace(payload, '500000', '900000') "
        "WHERE sequence = 6",
    )
    broken = verify_chain(ledger.engine, "ledger")
    assert broken is not None and broken.sequence == 6
    assert broken.event_id == str(next(ledger.events(after_sequence=5)).event_id)
    assert "sequence 6" in str(broken)


def test_a_deleted_row_breaks_the_chain_at_the_next_one(superuser: Any, ledger: Ledger) -> None:
    _tamper(superuser, "DELETE FROM ledger.events WHERE sequence = 3")
    broken = verify_chain(ledger.engine)
    assert broken is not None and broken.sequence == 4


def test_verification_can_resume_from_a_trusted_point(superuser: Any, ledger: Ledger) -> None:
    _tamper(superuser, "UPDATE ledger.events SET hash = sha256(hash) WHERE sequence = 2")
    with superuser.cursor() as cur:
        cur.execute("SELECT hash FROM ledger.events WHERE sequence = 8")
        (trusted,) = cur.fetchone()
    assert verify_chain(ledger.engine).sequence == 2  # type: ignore[union-attr]
    assert verify_chain(ledger.engine, after_sequence=8, start_hash=bytes(trusted)) is None


def test_a_renumbered_event_breaks_the_chain_where_its_sequence_is_missing(
    superuser: Any, ledger: Ledger
) -> None:
    # The last event moved to sequence 15: every hash still recomputes, but 10 is missing.
    _tamper(superuser, "UPDATE ledger.events SET sequence = 15 WHERE sequence = 10")
    broken = verify_chain(ledger.engine)
    assert broken is not None and broken.sequence == 15
    assert "sequence 10 is missing" in str(broken)
