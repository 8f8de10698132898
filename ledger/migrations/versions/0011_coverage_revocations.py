"""``coverage``: revocation marks recomputed by the rule the projector now follows.

A revocation names a person and a card number, not a validity period. It used to mark every
period of that number whose validity reached its day, whenever that period was recorded: a
renewal issued after the revocation, with the same number, came out revoked, and whether it
did depended on how the events were batched. Each period is now marked by the first
revocation of its card recorded after it (``ledger.coverage``); this revision marks the rows
projected before it the same way, from the stored events, so they equal a replay.

Revision ID: 0011_coverage_revocations
Revises: 0008_journal_in_events
"""

from alembic import op

from ledger.migrations import qualify

revision = "0011_coverage_revocations"
down_revision = "0008_journal_in_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    coverage, events = qualify("coverage"), qualify("events")
    op.execute(f"""
    UPDATE {coverage} SET revoked_from = NULL, revoked_sequence = NULL,
        revoked_recorded_at = NULL
    WHERE revoked_sequence IS NOT NULL;
    UPDATE {coverage} c SET revoked_from = f.day, revoked_sequence = f.seq,
        revoked_recorded_at = f.at
    FROM (
        SELECT DISTINCT ON (p.card_number, p.valid_from) p.card_number, p.valid_from,
               r.day, r.seq, r.at
        FROM (SELECT person_id, body->>'card_number' AS card_number,
                     (body->>'revoked_from')::date AS day, sequence AS seq, recorded_at AS at
              FROM {events} WHERE event_type = 'HealthInsuranceCardRevoked') AS r
        JOIN {coverage} p ON p.person_id = r.person_id AND p.card_number = r.card_number
             AND p.issued_sequence < r.seq AND p.valid_to >= r.day
        ORDER BY p.card_number, p.valid_from, r.seq
    ) AS f
    WHERE c.card_number = f.card_number AND c.valid_from = f.valid_from;
    """)


def downgrade() -> None:
    """Nothing to undo: the marks stay as the events give them."""
