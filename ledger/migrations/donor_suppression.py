"""The donor view ``relief_totals`` with the donor reports' secondary suppression.

The view shows the finest grouping (donor, campaign, province, district, month, item), so a
donor can add its cells up to any report's groups. Hiding only cells of 1-4 recipients let a
report's total less the view's shown cells reveal them. ``relief_suppression()`` therefore
decides every grouping of the six dimensions (CUBE) with the rules of
``ledger/relief/suppression.py``, coarsest first, and the view hides the finest cells it
hides: primary (1-4 recipients); a shown parent's hidden children cover 5 distinct
recipients together and leave none or 5+ recipients outside its shown children; a hidden
parent keeps a hidden child; each round hides the smallest shown child (fewest recipients,
then the key in code point order) of every family breaking a rule. The same rules on the
same events give the same decisions as the reports, which are consistent with this view.

The function runs as its owner (donors cannot read the events) and returns only the cells'
dimensions and whether each is hidden; recipients are numbered by rank inside it.
"""

from __future__ import annotations

from alembic import op

from ledger.migrations import donor_schema, qualify

# Vietnam calendar month (UTC+7, no daylight saving) of an event's occurred_at.
_MONTH = (
    "to_char((((body->>'occurred_at')::timestamptz AT TIME ZONE 'UTC')"
    " + interval '7 hours')::date, 'YYYY-MM')"
)
# Dimensions in the reports' order (``DIMENSIONS`` in ledger/relief/totals.py): ties are
# broken on the key in this order, as the reports break them.
_DIMS = "province_code, district_code, month, item_code, campaign_id, donor_id"
_SEP = "chr(31)"

FUNCTION = """
CREATE FUNCTION "{donor}".relief_suppression()
RETURNS TABLE (cell_key text, suppressed boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  c_mask int[]; c_key text[]; c_n int[]; c_members text[]; c_hidden boolean[];
  f_child int[]; f_parent int[]; f_fam int[]; f_level int[];
  picks int[]; lvl int; p int;
BEGIN
  WITH h AS (
    SELECT body->>'province_code' AS province_code, body->>'district_code' AS district_code,
           {month} AS month, body->>'item_code' AS item_code,
           body->>'campaign_id' AS campaign_id, body->>'donor_id' AS donor_id,
           body->>'person_id' AS person_id, body->>'household_id' AS household_id,
           dense_rank() OVER (ORDER BY body->>'person_id', body->>'household_id') AS recipient
    FROM {events} WHERE event_type = 'ReliefItemHandedOut'
  ), cube AS (
    SELECT GROUPING({dims}) AS mask,
           array_to_string(ARRAY[{dims}], {sep}, '') AS key, ARRAY[{dims}] AS dims,
           (count(DISTINCT person_id) + count(DISTINCT household_id))::int AS n,
           CASE WHEN count(DISTINCT person_id) + count(DISTINCT household_id) < 5
                THEN array_agg(DISTINCT recipient)::text END AS members
    FROM h GROUP BY CUBE ({dims})
  ), cells AS (
    SELECT row_number() OVER (ORDER BY mask, key)::int AS i, * FROM cube
  ), families AS (
    SELECT c.i AS child, par.i AS parent, 6 - length(replace(c.mask::bit(6)::text, '0', ''))
           AS level, dense_rank() OVER (ORDER BY par.i, d)::int AS fam
    FROM cells c CROSS JOIN generate_series(0, 5) AS d
    JOIN cells par ON par.mask = c.mask | (1 << (5 - d))
     AND par.key = array_to_string(c.dims[1:d] || NULL::text || c.dims[d + 2:6], {sep}, '')
    WHERE c.mask & (1 << (5 - d)) = 0 AND c.n > 0
  )
  SELECT (SELECT array_agg(mask ORDER BY i) FROM cells),
         (SELECT array_agg(key ORDER BY i) FROM cells),
         (SELECT array_agg(n ORDER BY i) FROM cells),
         (SELECT array_agg(members ORDER BY i) FROM cells),
         (SELECT array_agg(n BETWEEN 1 AND 4 ORDER BY i) FROM cells),
         (SELECT array_agg(child ORDER BY fam, child) FROM families),
         (SELECT array_agg(parent ORDER BY fam, child) FROM families),
         (SELECT array_agg(fam ORDER BY fam, child) FROM families),
         (SELECT array_agg(level ORDER BY fam, child) FROM families)
  INTO c_mask, c_key, c_n, c_members, c_hidden, f_child, f_parent, f_fam, f_level;

  FOR lvl IN 1..6 LOOP
    LOOP
      WITH c AS (
        SELECT * FROM unnest(c_key, c_n, c_members, c_hidden) WITH ORDINALITY
          AS c(key, n, members, hidden, i)
      ), f AS (
        SELECT child, parent, fam FROM unnest(f_child, f_parent, f_fam, f_level)
          AS f(child, parent, fam, level) WHERE level = lvl
      ), stats AS (
        SELECT f.fam, bool_or(par.hidden) AS parent_hidden, max(par.n) AS parent_n,
               count(*) FILTER (WHERE ch.hidden) AS hid,
               count(*) FILTER (WHERE NOT ch.hidden) AS shown,
               coalesce(sum(ch.n) FILTER (WHERE NOT ch.hidden), 0) AS shown_n,
               bool_or(ch.hidden AND ch.n >= 5) AS big_hidden
        FROM f JOIN c ch ON ch.i = f.child JOIN c par ON par.i = f.parent
        GROUP BY f.fam
      ), covered AS (
        SELECT f.fam, count(DISTINCT m) AS k
        FROM f JOIN c ch ON ch.i = f.child AND ch.hidden AND ch.members IS NOT NULL
        CROSS JOIN LATERAL unnest(ch.members::int[]) AS m
        GROUP BY f.fam
      ), breaking AS (
        SELECT s.fam FROM stats s LEFT JOIN covered cv ON cv.fam = s.fam
        WHERE s.shown > 0 AND CASE
          WHEN s.parent_hidden THEN s.hid = 0
          ELSE s.hid > 0 AND (s.hid < 2
            OR (NOT s.big_hidden AND coalesce(cv.k, 0) < 5)
            OR s.parent_n - s.shown_n BETWEEN 1 AND 4)
        END
      ), smallest AS (
        SELECT DISTINCT ON (f.fam) f.child
        FROM f JOIN breaking b ON b.fam = f.fam JOIN c ch ON ch.i = f.child AND NOT ch.hidden
        ORDER BY f.fam, ch.n, ch.key COLLATE "C"
      )
      SELECT array_agg(DISTINCT child) INTO picks FROM smallest;
      EXIT WHEN picks IS NULL;
      FOREACH p IN ARRAY picks LOOP
        c_hidden[p] := true;
      END LOOP;
    END LOOP;
  END LOOP;

  RETURN QUERY
    SELECT c.key, c.hidden FROM unnest(c_mask, c_key, c_hidden) AS c(mask, key, hidden)
    WHERE c.mask = 0;
END
$fn$;
"""

VIEW = """
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
), s AS (SELECT * FROM "{donor}".relief_suppression())
SELECT g.donor_id, g.campaign_id, g.province_code, g.district_code, g.month, g.item_code,
       g.unit, s.suppressed,
       CASE WHEN NOT s.suppressed THEN g.handouts END AS handouts,
       CASE WHEN NOT s.suppressed THEN g.quantity END AS quantity,
       CASE WHEN NOT s.suppressed THEN g.value_vnd END AS value_vnd,
       CASE WHEN NOT s.suppressed THEN g.people END AS people,
       CASE WHEN NOT s.suppressed THEN g.households END AS households
FROM g JOIN s ON s.cell_key = array_to_string(ARRAY[{gdims}], {sep}, '');
"""


def create_protected_relief_totals() -> None:
    """Replace ``relief_totals`` by the view with secondary suppression, granted to donors."""
    donor, events = donor_schema(), qualify("events")
    op.execute(f'DROP VIEW IF EXISTS "{donor}".relief_totals')
    op.execute(FUNCTION.format(donor=donor, events=events, month=_MONTH, dims=_DIMS, sep=_SEP))
    gdims = ", ".join(f"g.{d.strip()}" for d in _DIMS.split(","))
    op.execute(VIEW.format(donor=donor, events=events, month=_MONTH, gdims=gdims, sep=_SEP))
    op.execute(f'REVOKE ALL ON FUNCTION "{donor}".relief_suppression() FROM PUBLIC')
    op.execute(f'GRANT EXECUTE ON FUNCTION "{donor}".relief_suppression() TO aidledger_donor')
    op.execute(f'REVOKE ALL ON "{donor}".relief_totals FROM PUBLIC')
    op.execute(f'GRANT SELECT ON "{donor}".relief_totals TO aidledger_donor')
    # As in 0005: the owner role, which may read the events, owns what donors call.
    op.execute(f"""
    DO $$
    BEGIN
        IF current_user <> 'aidledger_owner'
           AND pg_has_role(current_user, 'aidledger_owner', 'MEMBER') THEN
            ALTER FUNCTION "{donor}".relief_suppression() OWNER TO aidledger_owner;
            ALTER VIEW "{donor}".relief_totals OWNER TO aidledger_owner;
        END IF;
    END $$;
    """)


def drop_protected_relief_totals() -> None:
    donor = donor_schema()
    op.execute(f'DROP VIEW IF EXISTS "{donor}".relief_totals')
    op.execute(f'DROP FUNCTION IF EXISTS "{donor}".relief_suppression()')
