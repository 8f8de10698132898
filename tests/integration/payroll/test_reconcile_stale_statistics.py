"""Payments off the list are found by a hashed or merged join even when the planner's
statistics do not know the month yet (a report reconciled right after it was imported, before
autovacuum analysed the tables): a nested loop there reads every listed line once per payment,
and ran for over 15 minutes on a 300,300-row month."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.ledger import Ledger
from ledger.reconciliation import queries, report
from ledger.reconciliation.classify import LineStatus
from ledger.reconciliation.report import reconcile
from ledger.storage import raw_connection
from tests.integration.payroll.test_reconcile_parts import MONTH, _month_in_three_offices

pytestmark = pytest.mark.integration

#: The tables the payments off the list are read from.
TABLES = ("postoffice_reports", "payroll_lines", "payroll_lists", "postoffice_funds")
PARAMS = {"p": "84", "m": MONTH, "po": None}


def _forget_statistics(ledger: Ledger) -> None:
    """Make the tables look never analysed (as right after a large import): no column
    statistics, no row count (superuser only, as the test server's URL is)."""
    with raw_connection(ledger.engine) as conn, conn.cursor() as cur:
        for table in TABLES:
            cur.execute(
                "DELETE FROM pg_statistic WHERE starelid = %s::regclass", (f"ledger.{table}",)
            )
            cur.execute(
                "UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = %s::regclass",
                (f"ledger.{table}",),
            )
        conn.commit()


def _joins(node: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(node type, join type) of every join in a JSON plan."""
    if "Join Type" in node:
        yield node["Node Type"], node["Join Type"]
    for child in node.get("Plans", ()):
        yield from _joins(child)


def _anti_joins(plan_rows: list[Any]) -> list[str]:
    plan = plan_rows[0][0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return [kind for kind, join in _joins(plan[0]["Plan"]) if join.endswith("Anti")]


def test_payments_off_the_list_are_not_joined_in_a_nested_loop_on_stale_statistics(
    payroll_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _month_in_three_offices(payroll_ledger, tmp_path)
    _forget_statistics(payroll_ledger)
    explained = "EXPLAIN (FORMAT JSON) " + queries.OFF_LIST
    with raw_connection(payroll_ledger.engine) as conn, conn.cursor() as cur:
        cur.execute(report._SERIAL)
        cur.execute('SET LOCAL search_path TO "ledger", public')
        # As the query was run before: the blind planner loops.
        cur.execute(explained, PARAMS)
        assert _anti_joins(cur.fetchall()) == ["Nested Loop"]
        # As the reconciliation runs it now.
        monkeypatch.setattr(queries, "OFF_LIST", explained)
        anti = _anti_joins(report.off_list(cur, PARAMS))
        monkeypatch.undo()
        assert len(anti) == 1 and anti[0] in ("Hash Join", "Merge Join")
        # The setting holds for that query only.
        cur.execute("SHOW enable_nestloop")
        assert cur.fetchone()[0] == "on"

    result = reconcile(payroll_ledger.engine, MONTH, "84")
    assert result.totals.lines[LineStatus.NOT_ON_LIST.value] == 1
    assert result.office("VNPOST-2").totals.off_list_paid_vnd == 750_000
