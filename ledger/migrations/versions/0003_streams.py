"""Stream processing: dead letters, their retries, and the checkpoints of after-commit effects.

deadletters: every record the workers refused (invalid, or a ledger conflict), with its
original bytes, written in the append transaction that stores the batch's positions.
deadletter_retries: each time an operator re-submitted one. Both are append-only.
stream_checkpoints: per consumer and partition, the last offset whose after-commit effects
(dead-letter topic messages, implied events) were published; workers resume from it.

Revision ID: 0003_streams
Revises: 0001_core
"""

from alembic import op

from ledger.migrations import qualify, schema

revision = "0003_streams"
down_revision = "0001_core"
branch_labels = ("streams",)
# Grants go to the roles that revision creates.
depends_on = "0002_roles"

APPEND_ONLY = ("deadletters", "deadletter_retries")


def upgrade() -> None:
    s = schema()
    op.execute(f"""
    CREATE TABLE {qualify("deadletters")} (
        deadletter_id   uuid PRIMARY KEY,
        kind            text NOT NULL CHECK (kind IN ('invalid', 'conflict')),
        topic           text NOT NULL,
        partition       integer NOT NULL,
        "offset"        bigint NOT NULL,
        key             bytea,
        value           bytea NOT NULL,
        reason          text NOT NULL,
        problems        jsonb NOT NULL DEFAULT '[]',
        event_id        uuid,
        consumer        text NOT NULL,
        worker          text NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX deadletters_origin_idx ON {qualify("deadletters")} (topic, partition, "offset");
    CREATE INDEX deadletters_recorded_idx ON {qualify("deadletters")} (recorded_at);

    CREATE TABLE {qualify("deadletter_retries")} (
        retry_id        uuid PRIMARY KEY,
        deadletter_id   uuid NOT NULL REFERENCES {qualify("deadletters")} (deadletter_id),
        fixed           boolean NOT NULL,
        value_sha256    text NOT NULL CHECK (value_sha256 ~ '^[0-9a-f]{{64}}$'),
        topic           text NOT NULL,
        partition       integer NOT NULL,
        "offset"        bigint NOT NULL,
        retried_by      text,
        retried_at      timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX deadletter_retries_letter_idx
        ON {qualify("deadletter_retries")} (deadletter_id);

    CREATE TABLE {qualify("stream_checkpoints")} (
        consumer        text NOT NULL,
        topic           text NOT NULL,
        partition       integer NOT NULL,
        last_offset     bigint NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, topic, partition)
    );
    """)
    for table in APPEND_ONLY:
        op.execute(
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE '
            f"ON {qualify(table)} FOR EACH STATEMENT EXECUTE FUNCTION "
            f'"{s}".refuse_change()'
        )
        op.execute(f"REVOKE ALL ON {qualify(table)} FROM PUBLIC")
        op.execute(f"GRANT SELECT, INSERT ON {qualify(table)} TO aidledger_app")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON {qualify('stream_checkpoints')} TO aidledger_app")
    op.execute(f"""
    DO $$
    BEGIN
        IF current_user <> 'aidledger_owner'
           AND pg_has_role(current_user, 'aidledger_owner', 'MEMBER') THEN
            ALTER TABLE {qualify("deadletters")} OWNER TO aidledger_owner;
            ALTER TABLE {qualify("deadletter_retries")} OWNER TO aidledger_owner;
            ALTER TABLE {qualify("stream_checkpoints")} OWNER TO aidledger_owner;
        END IF;
    END $$;
    """)


def downgrade() -> None:
    op.execute(f"DROP TABLE {qualify('deadletter_retries')}")
    op.execute(f"DROP TABLE {qualify('deadletters')}")
    op.execute(f"DROP TABLE {qualify('stream_checkpoints')}")
