"""Double handouts: the same campaign item handed twice to one person or one household.

A handout to a household and one to a person registered in that household count as the same
recipient; two members of one household handed an item each do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from ledger.relief.sql import events_table
from schemas.relief import ReliefItemHandedOut

_SQL = """
WITH incoming AS (
  SELECT * FROM unnest(CAST(:refs AS text[]), CAST(:ids AS uuid[]), CAST(:campaigns AS text[]),
                       CAST(:items AS text[]), CAST(:persons AS text[]),
                       CAST(:households AS text[]), CAST(:ats AS timestamptz[]))
         AS t(ref, event_id, campaign_id, item_code, person_id, household_id, at)
), h AS (
  SELECT 'event ' || e.event_id::text AS ref, e.body->>'campaign_id' AS campaign_id,
         e.body->>'item_code' AS item_code, e.body->>'person_id' AS person_id,
         e.body->>'household_id' AS household_id, (e.body->>'occurred_at')::timestamptz AS at,
         false AS is_incoming
  FROM {ev} e
  WHERE e.event_type = 'ReliefItemHandedOut'
    AND (CAST(:campaign AS text) IS NULL OR e.body->>'campaign_id' = :campaign)
    AND (NOT :only_incoming OR e.body->>'campaign_id' = ANY(CAST(:campaigns AS text[])))
    AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.event_id = e.event_id)
  UNION ALL
  SELECT ref, campaign_id, item_code, person_id, household_id, at, true FROM incoming
), member AS (
  SELECT DISTINCT ON (person_id) person_id, body->>'household_id' AS household_id
  FROM {ev} WHERE event_type = 'BeneficiaryRegistered' ORDER BY person_id, sequence DESC
), unit AS (
  SELECT h.*, COALESCE(h.household_id, m.household_id) AS household_unit
  FROM h LEFT JOIN member m ON h.household_id IS NULL AND m.person_id = h.person_id
), doubles AS (
  SELECT campaign_id, item_code, 'person ' || person_id AS recipient,
         array_agg(ref ORDER BY at, ref) AS refs, array_agg(at ORDER BY at, ref) AS ats,
         bool_or(is_incoming) AS touches_incoming
  FROM unit WHERE person_id IS NOT NULL
  GROUP BY campaign_id, item_code, person_id HAVING count(*) > 1
  UNION ALL
  SELECT campaign_id, item_code, 'household ' || household_unit,
         array_agg(ref ORDER BY at, ref), array_agg(at ORDER BY at, ref), bool_or(is_incoming)
  FROM unit WHERE household_unit IS NOT NULL
  GROUP BY campaign_id, item_code, household_unit
  HAVING count(*) > 1 AND count(household_id) >= 1
)
SELECT campaign_id, item_code, recipient, refs, ats FROM doubles
WHERE touches_incoming OR NOT :only_incoming
ORDER BY campaign_id, item_code, recipient
"""


@dataclass(frozen=True, slots=True)
class DoubleHandout:
    """One recipient handed the same campaign item more than once."""

    campaign_id: str
    item_code: str
    recipient: str
    refs: tuple[str, ...]
    times: tuple[datetime, ...]

    def __str__(self) -> str:
        when = ", ".join(
            f"{r} at {t:%Y-%m-%d %H:%M}Z" for r, t in zip(self.refs, self.times, strict=True)
        )
        return (
            f"{self.recipient} received {self.item_code} of campaign {self.campaign_id}"
            f" {len(self.refs)} times: {when}"
        )


def find_double_handouts(
    conn: Connection,
    incoming: Sequence[tuple[str, ReliefItemHandedOut]] = (),
    campaign_id: str | None = None,
    schema: str = "ledger",
) -> list[DoubleHandout]:
    """Doubles in the ledger, or (with ``incoming`` (ref, event) pairs) those touching them.

    Incoming events already recorded under the same id are not counted twice.
    """
    events = [e for _, e in incoming]
    params = {
        "refs": [ref for ref, _ in incoming],
        "ids": [str(e.event_id) for e in events],
        "campaigns": [e.campaign_id for e in events],
        "items": [e.item_code for e in events],
        "persons": [e.person_id for e in events],
        "households": [e.household_id for e in events],
        "ats": [e.occurred_at for e in events],
        "campaign": campaign_id,
        "only_incoming": bool(incoming),
    }
    rows = conn.execute(text(_SQL.format(ev=events_table(schema))), params)
    return [DoubleHandout(r[0], r[1], r[2], tuple(r[3]), tuple(r[4])) for r in rows]
