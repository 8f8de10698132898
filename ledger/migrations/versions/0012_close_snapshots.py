"""A close records the ledger position its totals were computed at; a conflict, the position
at which it was found.

``aidledger reconcile close`` computes a month's totals in one snapshot of the ledger and
publishes the close; the worker appends it a moment later. Rows appended in between were
in neither the certified totals nor, counted from the close event's own sequence, the late
adjustments of the next month. The close now carries the last sequence its snapshot saw
(``as_of_sequence``, ReconciliationClosed version 2); rows after it are late. Closes stored
before this revision have none, and keep the close event's own sequence as their cut.

A conflict between imports is not an event: the import writes it straight to
``postoffice_conflicts``. It now keeps the ledger's last sequence when it was found
(``seen_at_sequence``), so a conflict found after a month was closed shows as a late
adjustment of the next month instead of reclassifying a line of the closed month. Conflicts
found before this revision have none, and count as found before any close.

Revision ID: 0012_close_snapshots
Revises: 0010_termination_reasons
"""

from alembic import op

from ledger.migrations import qualify

revision = "0012_close_snapshots"
down_revision = "0010_termination_reasons"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(f"""
    ALTER TABLE {qualify("reconciliation_closes")} ADD COLUMN as_of_sequence bigint;
    ALTER TABLE {qualify("postoffice_conflicts")} ADD COLUMN seen_at_sequence bigint;
    """)


def downgrade() -> None:
    op.execute(f"""
    ALTER TABLE {qualify("reconciliation_closes")} DROP COLUMN as_of_sequence;
    ALTER TABLE {qualify("postoffice_conflicts")} DROP COLUMN seen_at_sequence;
    """)
