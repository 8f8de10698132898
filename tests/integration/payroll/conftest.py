"""A migrated ledger database per test, cloned from a template migrated once per session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from ledger.ledger import Ledger
from ledger.migrations import upgrade
from ledger.payroll.projector import PayrollProjector
from ledger.reconciliation.projector import ReconciliationProjector
from tests.fixtures.infra import create_database, drop_database


@pytest.fixture(scope="session")
def payroll_template(pg_admin_url: str) -> Iterator[str]:
    name = f"payroll_tpl_{uuid.uuid4().hex[:8]}"
    url = create_database(pg_admin_url, name)
    upgrade(url)
    try:
        yield name
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture
def payroll_db_url(pg_admin_url: str, payroll_template: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_admin_url, name, template=payroll_template)
    try:
        yield url
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture
def payroll_ledger(payroll_db_url: str) -> Iterator[Ledger]:
    engine = create_engine(payroll_db_url)
    try:
        yield Ledger(engine, projectors=[PayrollProjector(), ReconciliationProjector()])
    finally:
        engine.dispose()


@pytest.fixture
def march_listed(payroll_ledger: Ledger) -> Ledger:
    """P1 (750,000 a month from March 2025) on March's list."""
    from tests.integration.payroll.reports import list_march

    return list_march(payroll_ledger)
