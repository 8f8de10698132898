"""The set-based SQL of reconciliation: one query per question, streamed, never per line."""

from __future__ import annotations

#: Each closed post office's cut: the last ledger sequence its closed totals were computed
#: from (rows after it are late adjustments of the next month). A close of version 1 did not
#: record it; its own sequence is then the cut.
_CUT = "min(coalesce(as_of_sequence, sequence - 1)) AS cut"

_CLOSES = f"""
closes AS (
    SELECT post_office_code, {_CUT} FROM reconciliation_closes
    WHERE province_code = %(p)s AND month = %(m)s GROUP BY post_office_code
)"""

#: The month's lists (in scope) with their post office and number of lines, in office order.
LISTS = """
SELECT post_office_code, list_id, line_count FROM payroll_lists
WHERE province_code = %(p)s AND month = %(m)s
  AND (%(po)s::text IS NULL OR post_office_code = %(po)s)
ORDER BY post_office_code, list_id
"""

#: Every line of some of the month's lists (``lists``: their ids), with what the reports
#: and the conflicts between imports (up to the post office's cut, if it is closed) say.
#: (Each table can be read through its index on list_id.)
#: Paid after death or termination: a line holding a regular allowance, paid after the date
#: of death or listed for a month from which the person was terminated. A line of funeral
#: support, back pay or amounts carried only is paid to the family after the death as due.
LINES = f"""
WITH {_CLOSES},
lists AS (
    SELECT list_id, post_office_code FROM payroll_lists WHERE list_id = ANY(%(lists)s)
),
rep AS (
    SELECT r.* FROM postoffice_reports r
    JOIN lists ON lists.list_id = r.list_id
    LEFT JOIN closes c ON c.post_office_code = lists.post_office_code
    WHERE r.list_id = ANY(%(lists)s) AND (c.cut IS NULL OR r.sequence <= c.cut)
),
agg AS (
    SELECT list_id, line_no, person_id,
           (coalesce(sum(amount_vnd) FILTER (WHERE kind = 'disbursed'), 0)
             - coalesce(sum(amount_vnd) FILTER (WHERE kind = 'reversed'), 0))::bigint AS paid,
           count(*) FILTER (WHERE kind = 'disbursed')
             - count(*) FILTER (WHERE kind = 'reversed') AS payments,
           bool_or(kind = 'not_collected') AS not_collected,
           max(at) FILTER (WHERE kind = 'disbursed') AS last_paid_at
    FROM rep GROUP BY list_id, line_no, person_id
),
conf AS (
    SELECT k.list_id, k.line_no, count(*) AS n FROM postoffice_conflicts k
    JOIN lists ON lists.list_id = k.list_id
    LEFT JOIN closes c ON c.post_office_code = lists.post_office_code
    WHERE c.cut IS NULL OR k.seen_at_sequence IS NULL OR k.seen_at_sequence <= c.cut
    GROUP BY k.list_id, k.line_no
)
SELECT l.list_id, l.line_no, l.person_id, l.full_name, l.commune_code, l.post_office_code,
       l.amount_vnd, coalesce(a.paid, 0), coalesce(a.payments, 0),
       coalesce(a.not_collected, false), coalesce(conf.n, 0),
       coalesce(a.payments, 0) > 0 AND l.regular_vnd > 0 AND (
           (p.died_on IS NOT NULL
            AND ((a.last_paid_at AT TIME ZONE 'UTC') + interval '7 hours')::date > p.died_on)
        OR (p.terminated_from IS NOT NULL AND p.terminated_from <= l.month))
FROM payroll_lines l
JOIN lists ON lists.list_id = l.list_id
LEFT JOIN agg a ON a.list_id = l.list_id AND a.line_no = l.line_no AND a.person_id = l.person_id
LEFT JOIN conf ON conf.list_id = l.list_id AND conf.line_no = l.line_no
LEFT JOIN payroll_people p ON p.person_id = l.person_id
WHERE l.list_id = ANY(%(lists)s)
ORDER BY l.post_office_code, l.list_id, l.line_no
"""

#: Payments reported for the month that match no listed line (unknown list, line or person).
#: A payment that does match is on one of the month's lists in scope, so the lines it is
#: checked against are those of these lists only, read once and hashed: probing the index of
#: every line ever listed once per payment took three times the CPU (a million payments:
#: ~5.5 s of server time in three processes, against ~1.8 s in one).
OFF_LIST = f"""
WITH {_CLOSES},
offices AS (
    SELECT post_office_code FROM payroll_lists WHERE province_code = %(p)s
    UNION SELECT post_office_code FROM postoffice_funds WHERE province_code = %(p)s
),
listed AS MATERIALIZED (
    SELECT l.list_id, l.line_no, l.person_id FROM payroll_lines l
    WHERE l.list_id IN (
        SELECT list_id FROM payroll_lists WHERE province_code = %(p)s AND month = %(m)s)
)
SELECT r.list_id, r.line_no, r.person_id, coalesce(pl.commune_code, ''), r.post_office_code,
       r.amount_vnd
FROM postoffice_reports r
LEFT JOIN payroll_lists pl ON pl.list_id = r.list_id
LEFT JOIN closes c ON c.post_office_code = r.post_office_code
WHERE r.kind = 'disbursed'
  AND NOT EXISTS (SELECT 1 FROM listed l WHERE l.list_id = r.list_id
                  AND l.line_no = r.line_no AND l.person_id = r.person_id)
  AND coalesce(pl.month, to_char((r.at AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM'))
      = %(m)s
  AND (pl.province_code = %(p)s
       OR (pl.list_id IS NULL AND r.post_office_code IN (SELECT post_office_code FROM offices)))
  AND (%(po)s::text IS NULL OR r.post_office_code = %(po)s)
  AND (c.cut IS NULL OR r.sequence <= c.cut)
ORDER BY r.post_office_code, r.list_id, r.line_no
"""

#: Rows for the previous month recorded after its post office's cut (that month was closed):
#: rows of its lists; payments on lists we do not know (dated in that month, for a post office
#: of the province, as ``OFF_LIST`` takes them), which would otherwise be in no month's
#: reconciliation; and conflicts between imports found on its lines after the cut (amount 0:
#: nothing was applied). (The second part reads every report row of the closed offices, only
#: when there are closes.)
LATE = f"""
WITH closes AS (
    SELECT post_office_code, {_CUT} FROM reconciliation_closes
    WHERE province_code = %(p)s AND month = %(prev)s GROUP BY post_office_code
),
offices AS (
    SELECT post_office_code FROM payroll_lists WHERE province_code = %(p)s
    UNION SELECT post_office_code FROM postoffice_funds WHERE province_code = %(p)s
)
SELECT * FROM (
    SELECT r.list_id, r.line_no, r.person_id, pl.commune_code, r.post_office_code, r.kind,
           r.amount_vnd, r.sequence
    FROM postoffice_reports r
    JOIN payroll_lists pl ON pl.list_id = r.list_id
    JOIN closes c ON c.post_office_code = pl.post_office_code
    WHERE pl.province_code = %(p)s AND pl.month = %(prev)s AND r.sequence > c.cut
      AND (%(po)s::text IS NULL OR pl.post_office_code = %(po)s)
    UNION ALL
    SELECT k.list_id, k.line_no, l.person_id, pl.commune_code, pl.post_office_code,
           'conflict', 0, k.seen_at_sequence
    FROM postoffice_conflicts k
    JOIN payroll_lists pl ON pl.list_id = k.list_id
    JOIN closes c ON c.post_office_code = pl.post_office_code
    JOIN payroll_lines l ON l.list_id = k.list_id AND l.line_no = k.line_no
    WHERE pl.province_code = %(p)s AND pl.month = %(prev)s AND k.seen_at_sequence > c.cut
      AND (%(po)s::text IS NULL OR pl.post_office_code = %(po)s)
    UNION ALL
    SELECT r.list_id, r.line_no, r.person_id, '', r.post_office_code, r.kind, r.amount_vnd,
           r.sequence
    FROM postoffice_reports r
    JOIN closes c ON c.post_office_code = r.post_office_code
    WHERE NOT EXISTS (SELECT 1 FROM payroll_lists pl WHERE pl.list_id = r.list_id)
      AND r.kind = 'disbursed' AND r.sequence > c.cut
      AND to_char((r.at AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM') = %(prev)s
      AND r.post_office_code IN (SELECT post_office_code FROM offices)
      AND (%(po)s::text IS NULL OR r.post_office_code = %(po)s)
) AS late
ORDER BY post_office_code, list_id, line_no, sequence
"""

FUNDS = """
SELECT post_office_code, kind, sum(amount_vnd)::bigint FROM postoffice_funds
WHERE province_code = %(p)s AND month = %(m)s
  AND (%(po)s::text IS NULL OR post_office_code = %(po)s)
GROUP BY post_office_code, kind
"""

CLOSED = """
SELECT post_office_code, min(totals_digest) FROM reconciliation_closes
WHERE province_code = %(p)s AND month = %(m)s
  AND (%(po)s::text IS NULL OR post_office_code = %(po)s)
GROUP BY post_office_code
"""
