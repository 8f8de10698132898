"""The payroll read model's terminations keep their reason.

A termination implied by a death is superseded when the death is reported again with another
date (``ledger.payroll.entitlement``); to know which terminations came from a death, each
stored termination fact holds its reason (``"r"``). Facts stored before this revision get it
from their event, so the live read model equals one rebuilt from the events (``audit
replay``) and the rule applies to people terminated before it too.

Revision ID: 0010_termination_reasons
Revises: 0009_carried_amounts
"""

from alembic import op

from ledger.migrations import qualify

revision = "0010_termination_reasons"
down_revision = "0009_carried_amounts"
branch_labels = None
depends_on = None

#: Each person's facts with every termination fact rewritten by ``{change}``, in order.
_REWRITE = """
UPDATE {people} p SET facts = (
    SELECT jsonb_agg(CASE WHEN f->>'k' = 'terminated' THEN {change} ELSE f END
                     ORDER BY n)
    FROM jsonb_array_elements(p.facts) WITH ORDINALITY AS x(f, n))
WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(p.facts) AS t(f) WHERE f->>'k' = 'terminated')
"""


def upgrade() -> None:
    events = qualify("events")
    reason = f"(SELECT e.body->>'reason' FROM {events} e WHERE e.sequence = (f->>'s')::bigint)"
    change = f"f || jsonb_build_object('r', {reason})"
    op.execute(_REWRITE.format(people=qualify("payroll_people"), change=change))


def downgrade() -> None:
    op.execute(_REWRITE.format(people=qualify("payroll_people"), change="f - 'r'"))
