"""A migrated ledger per test, the scenario history appended to it, and superuser access."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg2
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from ledger import Ledger
from ledger.audit.db import Database, session
from ledger.migrations import upgrade
from ledger.projectors import Projector
from tests.integration.audit import scenario


def domain_projectors() -> list[Projector]:
    """The read models the composition root registers (as the worker keeps them).

    A Runtime of its own: the CLI's cached one must be built later, from the test's settings.
    """
    from connectors.bootstrap import runtime

    return runtime().projectors()


@pytest.fixture
def ledger_url(empty_database_url: str) -> str:
    """A database migrated to every head (the live schema ``ledger``)."""
    upgrade(empty_database_url)
    return empty_database_url


@pytest.fixture
def db(ledger_url: str) -> Database:
    return Database.from_url(ledger_url)


@pytest.fixture
def live(ledger_url: str) -> Iterator[Ledger]:
    """The live ledger with the scenario's three batches appended, read models included."""
    engine = create_engine(ledger_url)
    ledger = Ledger(engine, "ledger", domain_projectors())
    for batch in scenario.batches():
        ledger.append(batch, consumer="aidledger-ledger")
    try:
        yield ledger
    finally:
        engine.dispose()


@pytest.fixture
def superuser(ledger_url: str) -> Iterator[Callable[..., list[tuple[Any, ...]]]]:
    """Run SQL as the superuser, committed at once (to tamper with the store on purpose)."""
    u = make_url(ledger_url)
    conn = psycopg2.connect(host=u.host, port=u.port, user=u.username, dbname=u.database)
    conn.autocommit = True

    def run(statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []

    try:
        yield run
    finally:
        conn.close()


@pytest.fixture
def cli(ledger_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """Run ``aidledger`` in-process against the test database (a fresh Runtime per test)."""
    import importlib

    from connectors.cli.app import run

    monkeypatch.setenv("DATABASE_URL", ledger_url)
    monkeypatch.setattr(importlib.import_module("connectors.cli.app"), "_cached", [])
    return lambda *args: run([str(a) for a in args])


def rewrite_payload(run: Callable[..., Any], sequence: int, old: str, new: str) -> None:
    """The superuser edit an attacker would make: change one stored event's bytes in place."""
    run("ALTER TABLE ledger.events DISABLE TRIGGER ALL")
    run(
        "UPDATE ledger.events SET payload = replace(payload, %s, %s) WHERE sequence = %s",
        old,
        new,
        sequence,
    )
    run("ALTER TABLE ledger.events ENABLE TRIGGER ALL")


def appended_in(run: Callable[..., Any], first: int, last: int, when: str) -> None:
    """Pretend events first..last were appended at ``when`` (appended_at is not hashed)."""
    run("ALTER TABLE ledger.events DISABLE TRIGGER ALL")
    run(
        "UPDATE ledger.events SET appended_at = %s::timestamptz WHERE sequence BETWEEN %s AND %s",
        when,
        first,
        last,
    )
    run("ALTER TABLE ledger.events ENABLE TRIGGER ALL")


@pytest.fixture
def monthly(ledger_url: str, superuser: Callable[..., Any]) -> Iterator[Ledger]:
    """The scenario appended as if January's batch was stored in January, and so on."""
    engine = create_engine(ledger_url)
    ledger = Ledger(engine, "ledger", domain_projectors())
    last = 0
    for batch, when in zip(
        scenario.batches(), ("2025-01-20", "2025-02-20", "2025-03-20"), strict=True
    ):
        ledger.append(batch)
        first, last = last + 1, ledger.head()[0]
        appended_in(superuser, first, last, f"{when}T03:00:00Z")
    try:
        yield ledger
    finally:
        engine.dispose()


def table_persistence(db: Database, schema: str) -> set[str]:
    """relpersistence of the tables the replay writes: 'p' logged, 'u' unlogged."""
    with session(db) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT DISTINCT c.relpersistence FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname IN "
            "('events', 'postings', 'balances', 'accounts', 'payroll_people')",
            (schema,),
        )
        return {row[0] for row in cur.fetchall()}
