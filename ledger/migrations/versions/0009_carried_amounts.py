"""``payroll_carried`` keeps the amount each line carried forward, so a payment reported
later for that line takes it back off the person's open amounts.

A line reported not collected is carried to the next list. When the post office then reports
the line paid after all (the person came later in the month), the amount carried must not be
paid a second time: the projector needs to know how much the line still carries. Rows
carried before this revision are given what was carried then: the first not-collected amount
reported for the line, at most the listed amount.

Revision ID: 0009_carried_amounts
Revises: 0004_payroll
"""

from alembic import op

from ledger.migrations import qualify

revision = "0009_carried_amounts"
down_revision = "0004_payroll"
branch_labels = None
depends_on = None


def upgrade() -> None:
    carried, lines, reports = (
        qualify("payroll_carried"),
        qualify("payroll_lines"),
        qualify("postoffice_reports"),
    )
    op.execute(f"""
    ALTER TABLE {carried} ADD COLUMN amount_vnd bigint NOT NULL DEFAULT 0
        CHECK (amount_vnd >= 0);
    UPDATE {carried} c SET amount_vnd = least(l.amount_vnd, (
            SELECT r.amount_vnd FROM {reports} r
            WHERE r.list_id = c.list_id AND r.line_no = c.line_no AND r.kind = 'not_collected'
            ORDER BY r.sequence LIMIT 1))
    FROM {lines} l
    WHERE l.list_id = c.list_id AND l.line_no = c.line_no;
    """)


def downgrade() -> None:
    op.execute(f"ALTER TABLE {qualify('payroll_carried')} DROP COLUMN amount_vnd")
