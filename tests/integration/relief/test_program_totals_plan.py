"""Program totals read each payment list's body once per query: a payment list holds every
line of a commune (45 kB for Trà Vinh's), and a plan that compared each payment with the
lists' bodies parsed them once per payment (109 s for one province's month, 2.7 s now)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from ledger import Ledger
from ledger.relief import program_totals as pt
from schemas.build import make_event
from schemas.canonical import lines_digest
from schemas.envelope import Event
from schemas.payments import (
    CollectedBy,
    Component,
    PaymentDisbursed,
    PaymentLine,
    PaymentListIssued,
)

pytestmark = pytest.mark.integration

AT = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)


def _month(lists: int, lines: int) -> list[Event]:
    """``lists`` communes' lists of ``lines`` lines of 750,000 VND each, every line paid."""
    events: list[Event] = []
    for c in range(lists):
        code = f"842{c:02d}"
        rows = tuple(
            PaymentLine(
                line_no=n,
                person_id=f"P-{c}-{n}",
                full_name=f"Người nhận {c}-{n}",
                commune_code=code,
                components={Component.REGULAR: 750_000},
                amount_vnd=750_000,
            )
            for n in range(1, lines + 1)
        )
        list_id = f"DS-2025-01-{code}"
        events.append(
            make_event(
                PaymentListIssued,
                occurred_at=AT,
                list_id=list_id,
                month="2025-01",
                province_code="84",
                district_code=code[:3],
                commune_code=code,
                post_office_code=f"BD-{code}",
                lines=rows,
                total_vnd=750_000 * lines,
                digest=lines_digest(rows),
            )
        )
        events += [
            make_event(
                PaymentDisbursed,
                occurred_at=AT,
                list_id=list_id,
                line_no=line.line_no,
                person_id=line.person_id,
                post_office_code=f"BD-{code}",
                amount_paid_vnd=line.amount_vnd,
                paid_at=AT,
                receipt_no=f"R-{line.person_id}",
                collected_by=CollectedBy.SELF,
            )
            for line in rows
        ]
    return events


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def test_each_payment_list_is_parsed_once_whatever_the_planner_estimates(
    relief_ledger: Ledger,
) -> None:
    relief_ledger.append(_month(lists=4, lines=150))
    with relief_ledger.engine.connect() as conn:
        # As right after the month was appended, before autovacuum analysed it.
        conn.exec_driver_sql("DELETE FROM pg_statistic WHERE starelid = 'ledger.events'::regclass")
        conn.exec_driver_sql(
            "UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = 'ledger.events'::regclass"
        )
        (plan,) = conn.execute(
            text("EXPLAIN (VERBOSE, FORMAT JSON) " + pt.query("ledger")),
            {"province": "84", "months": []},
        ).one()
        (month,) = pt.program_totals(conn, "84")

    nodes = list(_nodes((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]))
    (scan,) = [n for n in nodes if "PaymentListIssued" in n.get("Filter", "")]
    payload = f"{scan['Alias']}.payload"
    # The list's fields are taken out where it is read; its body goes no further. (Carried
    # through the join with the payments instead, it was parsed again for each payment.)
    assert [
        n["Node Type"] for n in nodes if n is not scan and payload in str(n.get("Output"))
    ] == []
    assert (month.values["allowance_paid_vnd"], month.values["people_paid"]) == (
        600 * 750_000,
        600,
    )
