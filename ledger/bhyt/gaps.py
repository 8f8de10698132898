"""Who should hold a state-paid BHYT card on a date but has none, and who holds one but no
longer should: one set-based query over the ledger's eligibility and card events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

from ledger.bhyt.premium import add_calendar_months
from ledger.relief.sql import events_table
from schemas.months import month_of

NO_VALID_CARD = "no_valid_card"
CARD_NOT_ENTITLED = "card_not_entitled"

_SQL = """
WITH reg AS (
  SELECT DISTINCT ON (person_id) person_id, (body->>'birth_date')::date AS birth_date,
         body->>'province_code' AS province_code, body->>'district_code' AS district_code,
         body->>'commune_code' AS commune_code
  FROM {ev} WHERE event_type = 'BeneficiaryRegistered'
  ORDER BY person_id, sequence DESC
), moved AS (
  SELECT DISTINCT ON (person_id) person_id, body->>'to_province_code' AS province_code,
         body->>'to_district_code' AS district_code, body->>'to_commune_code' AS commune_code
  FROM {ev} WHERE event_type = 'BeneficiaryRelocated' AND body->>'effective_month' <= :month
  ORDER BY person_id, body->>'effective_month' DESC, sequence DESC
), place AS (
  SELECT r.person_id, r.birth_date,
         COALESCE(m.province_code, r.province_code) AS province_code,
         COALESCE(m.district_code, r.district_code) AS district_code,
         COALESCE(m.commune_code, r.commune_code) AS commune_code
  FROM reg r LEFT JOIN moved m USING (person_id)
), status AS (
  SELECT DISTINCT ON (person_id) person_id, event_type, body->>'effective_month' AS since
  FROM {ev}
  WHERE event_type IN ('EligibilityGranted', 'EligibilityChanged', 'EligibilitySuspended',
                       'EligibilityResumed', 'EligibilityTerminated')
    AND body->>'effective_month' <= :month
  ORDER BY person_id, body->>'effective_month' DESC, sequence DESC
), died AS (
  SELECT person_id, min((body->>'date_of_death')::date) AS date_of_death
  FROM {ev} WHERE event_type = 'BeneficiaryDied' GROUP BY person_id
), issued AS (
  -- One row per card period: the first issue of (card_number, valid_from), as ``coverage``.
  SELECT DISTINCT ON (body->>'card_number', (body->>'valid_from')::date)
         person_id, sequence, body->>'card_number' AS card_number,
         (body->>'valid_from')::date AS valid_from, (body->>'valid_to')::date AS valid_to,
         body->>'province_code' AS province_code
  FROM {ev}
  WHERE event_type = 'HealthInsuranceCardIssued' AND (body->>'valid_from')::date <= :on
  ORDER BY body->>'card_number', (body->>'valid_from')::date, sequence
), current AS (
  SELECT * FROM issued WHERE valid_to >= :on
), revocations AS (
  SELECT person_id, sequence, body->>'card_number' AS card_number,
         (body->>'revoked_from')::date AS revoked_from,
         (body->>'card_valid_from')::date AS period
  FROM {ev} WHERE event_type = 'HealthInsuranceCardRevoked'
), first_revocation AS (
  -- A revocation voids the periods of the person's card recorded before it (only the one it
  -- names, if it names one) that had not ended by its date; the first such revocation
  -- counts (ledger/coverage.py).
  SELECT DISTINCT ON (c.card_number, c.valid_from) c.card_number, c.valid_from,
         r.revoked_from
  FROM current c JOIN revocations r
    ON r.person_id = c.person_id AND r.card_number = c.card_number
   AND r.sequence > c.sequence AND r.revoked_from <= c.valid_to
   AND (r.period IS NULL OR r.period = c.valid_from)
  ORDER BY c.card_number, c.valid_from, r.sequence
), cards AS (
  SELECT c.person_id, c.card_number, c.valid_to, c.province_code
  FROM current c LEFT JOIN first_revocation f USING (card_number, valid_from)
  WHERE f.revoked_from IS NULL OR f.revoked_from > :on
), people AS (
  SELECT p.*, s.event_type AS status, s.since, d.date_of_death,
         (p.birth_date > :six_years_before) AS under_six
  FROM place p LEFT JOIN status s USING (person_id) LEFT JOIN died d USING (person_id)
)
SELECT 'no_valid_card' AS kind, p.person_id, p.district_code, p.commune_code,
       NULL AS card_number, NULL::date AS valid_to,
       CASE WHEN p.status IS NOT NULL AND p.status <> 'EligibilityTerminated'
            THEN 'monthly allowance recipient' ELSE 'child under 6' END AS reason
FROM people p
WHERE p.province_code = :province
  AND (p.date_of_death IS NULL OR p.date_of_death >= :on)
  AND ((p.status IS NOT NULL AND p.status <> 'EligibilityTerminated') OR p.under_six)
  AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.person_id = p.person_id)
UNION ALL
SELECT 'card_not_entitled', c.person_id, p.district_code, p.commune_code, c.card_number,
       c.valid_to,
       CASE WHEN p.date_of_death < :on THEN 'died on ' || p.date_of_death::text
            ELSE 'left the program from ' || p.since END
FROM cards c JOIN people p USING (person_id)
WHERE c.province_code = :province
  AND (p.date_of_death < :on OR (p.status = 'EligibilityTerminated' AND NOT p.under_six))
ORDER BY 1, 2, 5
"""


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """One person: entitled with no valid card, or holding a card no longer due."""

    kind: str
    person_id: str
    district_code: str | None
    commune_code: str | None
    card_number: str | None
    valid_to: date | None
    reason: str


def coverage_gaps(
    conn: Connection, province_code: str, on: date, schema: str = "ledger"
) -> list[CoverageGap]:
    """Gaps on ``on`` in a province (persons known to the ledger's beneficiary register)."""
    rows = conn.execute(
        text(_SQL.format(ev=events_table(schema))),
        {
            "province": province_code,
            "on": on,
            "month": month_of(on),
            "six_years_before": add_calendar_months(on, -72),
        },
    )
    return [CoverageGap(*row) for row in rows]
