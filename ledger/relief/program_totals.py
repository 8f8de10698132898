"""The department's program totals per month, side by side: monthly allowance accrued and
paid, BHYT cards issued and their premiums, relief handed out (one set-based query)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from ledger.relief.sql import events_table, local_month

COLUMNS = (
    "allowance_accrued_vnd",
    "allowance_paid_vnd",
    "people_paid",
    "cards_issued",
    "card_premiums_vnd",
    "relief_handouts",
    "relief_value_vnd",
    "relief_recipients",
)

#: ``lists`` and ``home`` are materialized: ``body`` is computed from the payload wherever it
#: is read (a virtual column on PostgreSQL 18), and inlined into the join with the payments,
#: a list's body (every line of a commune) was parsed again for each payment: 109 s for one
#: province's month of 33,200 payments, 2.7 s materialized.
_SQL = """
WITH lists AS MATERIALIZED (
  SELECT body->>'list_id' AS list_id, body->>'month' AS month,
         body->>'province_code' AS province_code
  FROM {ev} WHERE event_type = 'PaymentListIssued'
), home AS MATERIALIZED (
  SELECT DISTINCT ON (person_id) person_id, body->>'province_code' AS province_code
  FROM {ev} WHERE event_type = 'AllowanceAccrued' ORDER BY person_id, sequence DESC
), facts AS (
  SELECT body->>'month' AS month, body->>'province_code' AS province_code, 'accrued' AS kind,
         CASE WHEN body->>'component' = 'recovery' THEN -(body->>'amount_vnd')::bigint
              ELSE (body->>'amount_vnd')::bigint END AS amount, NULL AS who
  FROM {ev} WHERE event_type = 'AllowanceAccrued'
  UNION ALL
  SELECT COALESCE(l.month, {paid_month}), COALESCE(l.province_code, h.province_code), 'paid',
         CASE WHEN e.event_type = 'PaymentReversed' THEN -(e.body->>'amount_vnd')::bigint
              ELSE (e.body->>'amount_paid_vnd')::bigint END,
         CASE WHEN e.event_type = 'PaymentDisbursed' THEN e.person_id END
  FROM {ev} e
  LEFT JOIN lists l ON l.list_id = e.body->>'list_id'
  LEFT JOIN home h ON h.person_id = e.person_id
  WHERE e.event_type IN ('PaymentDisbursed', 'PaymentReversed')
  UNION ALL
  SELECT {issued_month}, body->>'province_code', 'card', (body->>'premium_vnd')::bigint, NULL
  FROM {ev} WHERE event_type = 'HealthInsuranceCardIssued'
  UNION ALL
  SELECT {issued_month}, body->>'province_code', 'relief',
         (body->>'quantity')::bigint * (body->>'unit_value_vnd')::bigint,
         COALESCE('p:' || (body->>'person_id'), 'h:' || (body->>'household_id'))
  FROM {ev} WHERE event_type = 'ReliefItemHandedOut'
)
SELECT month,
  COALESCE(sum(amount) FILTER (WHERE kind = 'accrued'), 0),
  COALESCE(sum(amount) FILTER (WHERE kind = 'paid'), 0),
  count(DISTINCT who) FILTER (WHERE kind = 'paid'),
  count(*) FILTER (WHERE kind = 'card'),
  COALESCE(sum(amount) FILTER (WHERE kind = 'card'), 0),
  count(*) FILTER (WHERE kind = 'relief'),
  COALESCE(sum(amount) FILTER (WHERE kind = 'relief'), 0),
  count(DISTINCT who) FILTER (WHERE kind = 'relief')
FROM facts
WHERE province_code = :province AND (cardinality(CAST(:months AS text[])) = 0
                                     OR month = ANY(CAST(:months AS text[])))
GROUP BY month ORDER BY month
"""


@dataclass(frozen=True, slots=True)
class ProgramMonth:
    """One month of one province's programs."""

    month: str
    values: dict[str, int]


def query(schema: str) -> str:
    """The SQL of ``program_totals`` over ``schema``'s events (params: province, months)."""
    return _SQL.format(
        ev=events_table(schema),
        paid_month=local_month("e.body->>'paid_at'"),
        issued_month=local_month("body->>'occurred_at'"),
    )


def program_totals(
    conn: Connection, province_code: str, months: Sequence[str] = (), schema: str = "ledger"
) -> list[ProgramMonth]:
    """Months (ascending) with anything recorded, optionally only ``months``."""
    rows = conn.execute(text(query(schema)), {"province": province_code, "months": list(months)})
    return [
        ProgramMonth(r[0], {c: int(v) for c, v in zip(COLUMNS, r[1:], strict=True)}) for r in rows
    ]


def grand_total(months: Sequence[ProgramMonth]) -> dict[str, int]:
    """Column sums over months (distinct counts become sums of the monthly counts)."""
    return {c: sum(m.values[c] for m in months) for c in COLUMNS}
