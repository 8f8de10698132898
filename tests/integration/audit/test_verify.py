"""``audit verify`` on a real PostgreSQL: intact, tampered, missing rows, auditor role, workers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import psycopg2
import pytest

from ledger import Ledger
from ledger.audit.db import Database
from ledger.audit.verify import verify_store
from tests.integration.audit.conftest import rewrite_payload

pytestmark = pytest.mark.integration

Sql = Callable[..., list[tuple[Any, ...]]]


def _row(sql: Sql, receipt: str) -> tuple[int, str, bytes]:
    """(sequence, event id, stored hash) of the disbursement with this receipt number."""
    rows = sql(
        "SELECT sequence, event_id::text, hash FROM ledger.events WHERE body->>'receipt_no' = %s",
        receipt,
    )
    assert len(rows) == 1
    sequence, event_id, stored = rows[0]
    return sequence, event_id, bytes(stored)


def test_an_untouched_store_verifies_with_its_count_and_head_hash(
    live: Ledger, db: Database
) -> None:
    report = verify_store(db)
    head_sequence, head_hash = live.head()
    assert report.problem is None
    assert report.count == head_sequence > 20
    assert report.head_hash == head_hash.hex()


def test_a_superuser_edit_of_one_payload_is_found_at_exactly_that_row(
    live: Ledger,
    db: Database,
    superuser: Sql,
    cli: Callable[..., int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    sequence, event_id, stored = _row(superuser, "R-2")
    rewrite_payload(superuser, sequence, '"amount_paid_vnd":750000', '"amount_paid_vnd":75000')
    payload, prev = superuser(
        "SELECT payload, prev_hash FROM ledger.events WHERE sequence = %s", sequence
    )[0]
    report = verify_store(db)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.sequence, report.problem.event_id) == (
        "hash",
        sequence,
        event_id,
    )
    assert report.problem.found == stored.hex()
    assert report.problem.expected == hashlib.sha256(bytes(prev) + payload.encode()).hexdigest()
    assert report.count == sequence - 1
    assert cli("audit", "verify") == 1
    message = " ".join(capsys.readouterr().err.split())
    assert f"sequence {sequence}" in message
    assert event_id in message


def test_an_edit_that_also_rewrites_the_hash_breaks_the_link_to_the_next_row(
    live: Ledger, db: Database, superuser: Sql
) -> None:
    sequence, _, _ = _row(superuser, "R-1")
    rewrite_payload(superuser, sequence, '"receipt_no":"R-1"', '"receipt_no":"R-X"')
    superuser("ALTER TABLE ledger.events DISABLE TRIGGER ALL")
    superuser(
        "UPDATE ledger.events SET hash = sha256(prev_hash || convert_to(payload, 'UTF8')) "
        "WHERE sequence = %s",
        sequence,
    )
    superuser("ALTER TABLE ledger.events ENABLE TRIGGER ALL")
    next_id = superuser(
        "SELECT event_id::text FROM ledger.events WHERE sequence = %s", sequence + 1
    )[0][0]
    problem = verify_store(db).problem
    assert problem is not None
    assert (problem.kind, problem.sequence, problem.event_id) == ("link", sequence + 1, next_id)


def test_a_removed_event_is_reported_as_a_gap_naming_the_next_one(
    live: Ledger, db: Database, superuser: Sql
) -> None:
    sequence, _, _ = _row(superuser, "R-3")
    next_id = superuser(
        "SELECT event_id::text FROM ledger.events WHERE sequence = %s", sequence + 1
    )[0][0]
    superuser("SET session_replication_role = replica")
    superuser("ALTER TABLE ledger.events DISABLE TRIGGER ALL")
    superuser("DELETE FROM ledger.events WHERE sequence = %s", sequence)
    superuser("ALTER TABLE ledger.events ENABLE TRIGGER ALL")
    problem = verify_store(db).problem
    assert problem is not None
    assert (problem.kind, problem.expected, problem.sequence, problem.event_id) == (
        "gap",
        str(sequence),
        sequence + 1,
        next_id,
    )
    assert "is missing" in str(problem)


def test_parallel_scanners_report_the_same_first_break_as_one(
    live: Ledger, db: Database, superuser: Sql
) -> None:
    sequence, event_id, _ = _row(superuser, "R-3")
    rewrite_payload(superuser, sequence, '"receipt_no":"R-3"', '"receipt_no":"R-4"')
    parallel, serial = verify_store(db, workers=2), verify_store(db, workers=1)
    assert parallel.problem is not None
    assert (parallel.problem.sequence, parallel.problem.event_id) == (sequence, event_id)
    assert (parallel.problem, parallel.count) == (serial.problem, serial.count)
    intact = verify_store(db, workers=2, upto=sequence - 1)
    assert (intact.problem, intact.count) == (None, sequence - 1)


def test_verify_works_as_the_auditor_role_which_cannot_write(
    live: Ledger, ledger_url: str, cli: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    auditor = Database.from_url(ledger_url, role="aidledger_auditor")
    report = verify_store(auditor)
    assert report.problem is None and report.count == live.head()[0]
    assert cli("audit", "verify", "--role", "aidledger_auditor") == 0
    assert f"{report.count:,} events" in " ".join(capsys.readouterr().out.split())
    conn = auditor.connect(readonly=False)
    try:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege), conn.cursor() as cur:
            cur.execute("DELETE FROM ledger.audit_checkpoints")
    finally:
        conn.close()


def test_a_role_that_may_not_read_the_events_gets_a_clear_error(
    live: Ledger, cli: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("audit", "verify", "--role", "aidledger_donor") == 3
    assert "may not read" in " ".join(capsys.readouterr().err.split())
