"""Audit: signed checkpoints of the event store (Merkle root and chain head), append-only.

A checkpoint row holds the exact signed JSON document and the public key that signed it, so an
export can hand both to an auditor. At most one checkpoint per month.

Revision ID: 0006_audit
Revises: 0001_core
"""

from alembic import op

from ledger.migrations import qualify, schema

revision = "0006_audit"
down_revision = "0001_core"
branch_labels = ("audit",)
depends_on = "0002_roles"


def upgrade() -> None:
    s, table = schema(), qualify("audit_checkpoints")
    op.execute(f"""
    CREATE TABLE {table} (
        digest          text PRIMARY KEY CHECK (digest ~ '^[0-9a-f]{{64}}$'),
        month           text UNIQUE CHECK (month ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])$'),
        tree_size       bigint NOT NULL CHECK (tree_size >= 0),
        root_hash       text NOT NULL,
        chain_head      text NOT NULL,
        created_at      timestamptz NOT NULL,
        key_id          text NOT NULL,
        public_key      text NOT NULL,
        document        text NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX audit_checkpoints_size_idx ON {table} (tree_size, created_at);
    CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
        ON {table} FOR EACH STATEMENT EXECUTE FUNCTION "{s}".refuse_change();
    REVOKE ALL ON {table} FROM PUBLIC;
    GRANT SELECT, INSERT ON {table} TO aidledger_app;
    GRANT SELECT ON {table} TO aidledger_auditor;
    """)
    op.execute(f"""
    DO $$
    BEGIN
        IF current_user <> 'aidledger_owner'
           AND pg_has_role(current_user, 'aidledger_owner', 'MEMBER') THEN
            ALTER TABLE {table} OWNER TO aidledger_owner;
        END IF;
    END $$;
    """)
