"""The donor-facing aggregate views (DDL shared by the revisions that create or rebuild them).

relief_totals: handouts per donor, campaign, place, month and item, with groups of 1-4
recipients suppressed (values NULL, ``suppressed`` true). donation_totals: money and goods
pledged and received per donor, campaign, province, month and item (no recipient data).
Neither view carries a name, citizen id, person id or household id.
"""

from __future__ import annotations

from alembic import op

from ledger.migrations import donor_schema, qualify

VIEWS = ("relief_totals", "donation_totals")

# Vietnam calendar month (UTC+7, no daylight saving) of an event's occurred_at.
_MONTH = (
    "to_char(((({col})::timestamptz AT TIME ZONE 'UTC') + interval '7 hours')::date, 'YYYY-MM')"
)


def create_donor_views() -> None:
    """Create both views over the events of the schema being migrated, granted to donors."""
    donor, events = donor_schema(), qualify("events")
    month = _MONTH.format(col="body->>'occurred_at'")
    emonth = _MONTH.format(col="e.body->>'occurred_at'")
    op.execute(f"""
    CREATE VIEW "{donor}".relief_totals AS
    WITH g AS (
      SELECT body->>'donor_id' AS donor_id, body->>'campaign_id' AS campaign_id,
             body->>'province_code' AS province_code, body->>'district_code' AS district_code,
             {month} AS month, body->>'item_code' AS item_code, body->>'unit' AS unit,
             count(*) AS handouts, sum((body->>'quantity')::bigint) AS quantity,
             sum((body->>'quantity')::bigint * (body->>'unit_value_vnd')::bigint) AS value_vnd,
             count(DISTINCT body->>'person_id') AS people,
             count(DISTINCT body->>'household_id') AS households
      FROM {events} WHERE event_type = 'ReliefItemHandedOut'
      GROUP BY 1, 2, 3, 4, 5, 6, 7
    )
    SELECT donor_id, campaign_id, province_code, district_code, month, item_code, unit,
           (people + households < 5) AS suppressed,
           CASE WHEN people + households >= 5 THEN handouts END AS handouts,
           CASE WHEN people + households >= 5 THEN quantity END AS quantity,
           CASE WHEN people + households >= 5 THEN value_vnd END AS value_vnd,
           CASE WHEN people + households >= 5 THEN people END AS people,
           CASE WHEN people + households >= 5 THEN households END AS households
    FROM g;

    CREATE VIEW "{donor}".donation_totals AS
    SELECT e.body->>'donor_id' AS donor_id, e.body->>'campaign_id' AS campaign_id,
           e.body->>'province_code' AS province_code, {emonth} AS month,
           lower(substr(e.event_type, 9)) AS kind, i.item_code, i.unit,
           sum(i.quantity) AS quantity, sum(i.value_vnd) AS value_vnd
    FROM {events} e
    CROSS JOIN LATERAL (
      SELECT NULL::text AS item_code, 'VND' AS unit, NULL::bigint AS quantity,
             (e.body->>'cash_vnd')::bigint AS value_vnd
      WHERE (e.body->>'cash_vnd')::bigint > 0
      UNION ALL
      SELECT x->>'item_code', x->>'unit', (x->>'quantity')::bigint,
             (x->>'quantity')::bigint * (x->>'unit_value_vnd')::bigint
      FROM jsonb_array_elements(e.body->'items') AS x
    ) AS i
    WHERE e.event_type IN ('DonationPledged', 'DonationReceived')
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
    """)
    for view in VIEWS:
        op.execute(f'REVOKE ALL ON "{donor}".{view} FROM PUBLIC')
        op.execute(f'GRANT SELECT ON "{donor}".{view} TO aidledger_donor')
    # Like 0002: a superuser migrating hands the views to the owner role, whose rights on
    # the ledger tables the views then use (donors themselves have none).
    op.execute(f"""
    DO $$
    BEGIN
        IF current_user <> 'aidledger_owner'
           AND pg_has_role(current_user, 'aidledger_owner', 'MEMBER') THEN
            ALTER VIEW "{donor}".relief_totals OWNER TO aidledger_owner;
            ALTER VIEW "{donor}".donation_totals OWNER TO aidledger_owner;
        END IF;
    END $$;
    """)


def drop_donor_views() -> None:
    donor = donor_schema()
    for view in VIEWS:
        op.execute(f'DROP VIEW IF EXISTS "{donor}".{view}')
