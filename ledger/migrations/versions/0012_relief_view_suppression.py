"""Relief: ``donor.relief_totals`` hides what the donor reports hide, not only cells of 1-4.

The view showed every cell of 5 or more recipients, so a report's total (say a district's
distributed value) less the view's shown cells of that district was the hidden cells: two
wheelchair recipients' value, for one. The view now applies the reports' secondary
suppression over every grouping of its six dimensions (``ledger/migrations/
donor_suppression.py``). Columns, grants and the ``suppressed`` flag are unchanged.

Revision ID: 0012_relief_view_suppression
Revises: 0011_coverage_revocations
"""

from ledger.migrations.donor_suppression import (
    create_protected_relief_totals,
    drop_protected_relief_totals,
)
from ledger.migrations.donor_views import create_donor_views, drop_donor_views

revision = "0012_relief_view_suppression"
down_revision = "0011_coverage_revocations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_protected_relief_totals()


def downgrade() -> None:
    drop_protected_relief_totals()
    drop_donor_views()
    create_donor_views()
