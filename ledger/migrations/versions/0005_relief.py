"""Relief: donor-facing aggregate views in the donor schema, readable by aidledger_donor only.

relief_totals: handouts per donor, campaign, place, month and item, with groups of 1-4
recipients suppressed (values NULL, ``suppressed`` true). donation_totals: money and goods
pledged and received per donor, campaign, province, month and item (no recipient data).
Neither view carries a name, citizen id, person id or household id.

Revision ID: 0005_relief
Revises: 0001_core
"""

from ledger.migrations.donor_views import create_donor_views, drop_donor_views

revision = "0005_relief"
down_revision = "0001_core"
branch_labels = ("relief",)
depends_on = "0002_roles"


def upgrade() -> None:
    create_donor_views()


def downgrade() -> None:
    drop_donor_views()
