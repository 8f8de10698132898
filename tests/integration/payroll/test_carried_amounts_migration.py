"""Revisions 0009, 0010 and 0013 bring what the payroll read model held before them up to date."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from alembic import command
from sqlalchemy import create_engine

from ledger.ledger import Ledger
from ledger.migrations import alembic_config, upgrade
from schemas.eligibility import BeneficiaryGroup as G
from schemas.eligibility import EligibilityTerminated, TerminationReason
from tests.fixtures.infra import create_database, drop_database
from tests.unit.payroll.builders import History

pytestmark = pytest.mark.integration

LINE = (
    "INSERT INTO ledger.payroll_lines VALUES (%s, %s, 'P1', 'Name', '2025-03', '84', '842', "
    "'84201', 'PO', %s, 0, 0, 0, 0, %s)"
)
CARRIED = "INSERT INTO ledger.payroll_carried VALUES ('L', %s)"
REPORT = (
    "INSERT INTO ledger.postoffice_reports (event_id, kind, list_id, line_no, person_id, "
    "post_office_code, amount_vnd, at, sequence) "
    "VALUES (%s, 'not_collected', %s, %s, 'P1', 'PO', %s, now(), %s)"
)


def test_a_line_carried_before_the_revision_carries_its_first_not_collected_amount(
    pg_admin_url: str,
) -> None:
    name = f"m_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    try:
        upgrade(url, revision="0004_payroll")
        engine = create_engine(url)
        with engine.begin() as conn:
            for line_no, listed in ((1, 750_000), (2, 750_000), (3, 500_000)):
                conn.exec_driver_sql(LINE, ("L", line_no, listed, listed))
                conn.exec_driver_sql(CARRIED, (line_no,))
            conn.exec_driver_sql(REPORT, (str(uuid.uuid4()), "L", 1, 750_000, 10))
            conn.exec_driver_sql(REPORT, (str(uuid.uuid4()), "L", 2, 300_000, 11))
            conn.exec_driver_sql(REPORT, (str(uuid.uuid4()), "L", 2, 750_000, 12))  # a repeat
            conn.exec_driver_sql(REPORT, (str(uuid.uuid4()), "L", 3, 900_000, 13))  # > listed

        upgrade(url)

        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT line_no, amount_vnd FROM ledger.payroll_carried ORDER BY line_no"
            ).all()
        engine.dispose()
        assert [tuple(r) for r in rows] == [(1, 750_000), (2, 300_000), (3, 500_000)]
    finally:
        drop_database(pg_admin_url, name)


def test_a_line_carried_before_revision_0013_is_due_its_first_not_collected_amount(
    pg_admin_url: str,
) -> None:
    name = f"m_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name)
    try:
        upgrade(url, revision="0012_close_snapshots")
        engine = create_engine(url)
        with engine.begin() as conn:
            for line_no, listed, still in ((1, 750_000, 750_000), (2, 750_000, 0), (3, 500_000, 0)):
                conn.exec_driver_sql(LINE, ("L", line_no, listed, listed))
                conn.exec_driver_sql(
                    "INSERT INTO ledger.payroll_carried VALUES ('L', %s, %s)", (line_no, still)
                )
            conn.exec_driver_sql(REPORT, (str(uuid.uuid4()), "L", 1, 750_000, 10))
            conn.exec_driver_sql(REPORT, (str(uuid.uuid4()), "L", 2, 750_000, 13))  # a repeat
            conn.exec_driver_sql(REPORT, (str(uuid.uuid4()), "L", 2, 300_000, 11))  # the first
            conn.exec_driver_sql(REPORT, (str(uuid.uuid4()), "L", 3, 900_000, 12))  # > listed

        upgrade(url)

        def rows() -> list[tuple[int, ...]]:
            with engine.connect() as conn:
                found = conn.exec_driver_sql(
                    "SELECT * FROM ledger.payroll_carried ORDER BY line_no"
                ).all()
            return [tuple(r[1:]) for r in found]

        assert rows() == [(1, 750_000, 750_000), (2, 0, 300_000), (3, 0, 500_000)]
        command.downgrade(alembic_config(url), "0012_close_snapshots")
        assert rows() == [(1, 750_000), (2, 0), (3, 0)]  # as stored before the revision
        engine.dispose()
    finally:
        drop_database(pg_admin_url, name)


def test_terminations_stored_without_their_reason_get_it_from_their_event(
    payroll_ledger: Ledger, payroll_db_url: str
) -> None:
    history = History("P1", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01")
    payroll_ledger.append(history.terminate("2025-03").events)
    died = History("P2", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-01")
    died.add(EligibilityTerminated, reason=TerminationReason.DIED, effective_month="2025-03")
    payroll_ledger.append(died.events)

    def terminations() -> list[tuple[str, str | None]]:
        with payroll_ledger.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT p.person_id, f->>'r' FROM ledger.payroll_people p, "
                "jsonb_array_elements(p.facts) AS x(f) WHERE f->>'k' = 'terminated' ORDER BY 1"
            ).all()
        return [(person, reason) for person, reason in rows]

    assert terminations() == [("P1", "no_longer_eligible"), ("P2", "died")]
    command.downgrade(alembic_config(payroll_db_url), "0009_carried_amounts")
    assert terminations() == [("P1", None), ("P2", None)]  # as stored before the revision

    upgrade(payroll_db_url)

    assert terminations() == [("P1", "no_longer_eligible"), ("P2", "died")]
