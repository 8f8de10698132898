"""``payroll_carried`` keeps what each line carried forward was due (``due_vnd``), so a
reversed payment can carry the line again, up to that amount.

A line reported not collected carries the amount not collected (at most the listed amount),
less what was paid on it; a payment reported later takes what it still carries back off
(``amount_vnd``, revision 0009). When that payment is then reversed, the line is unpaid again
and must carry again what the reversal freed, but never more than the line was due: the amount
it carries is not enough to know that once a payment has taken it down. Rows carried before
this revision are given what they were due then: the first not-collected amount reported for
the line, by ledger sequence, at most the listed amount.

Revision ID: 0013_carried_due
Revises: 0012_close_snapshots
"""

from alembic import op

from ledger.migrations import qualify

revision = "0013_carried_due"
down_revision = "0012_close_snapshots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    carried, lines, reports = (
        qualify("payroll_carried"),
        qualify("payroll_lines"),
        qualify("postoffice_reports"),
    )
    op.execute(f"""
    ALTER TABLE {carried} ADD COLUMN due_vnd bigint NOT NULL DEFAULT 0 CHECK (due_vnd >= 0);
    UPDATE {carried} c SET due_vnd = least(l.amount_vnd, (
            SELECT r.amount_vnd FROM {reports} r
            WHERE r.list_id = c.list_id AND r.line_no = c.line_no AND r.kind = 'not_collected'
            ORDER BY r.sequence LIMIT 1))
    FROM {lines} l
    WHERE l.list_id = c.list_id AND l.line_no = c.line_no;
    """)


def downgrade() -> None:
    op.execute(f"ALTER TABLE {qualify('payroll_carried')} DROP COLUMN due_vnd")
