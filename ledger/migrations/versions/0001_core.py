"""Core ledger: events (hash chain), journal, postings, accounts, balances, positions, coverage.

Revision ID: 0001_core
Revises:
"""

from alembic import op

from ledger.migrations import qualify, schema

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

#: Tables whose rows are facts: nothing may change or remove them once written.
APPEND_ONLY = ("events", "journal_entries", "postings", "accounts")


def upgrade() -> None:
    s = schema()
    op.execute(f"""
    CREATE TABLE {qualify("events")} (
        sequence        bigint PRIMARY KEY CHECK (sequence > 0),
        event_id        uuid NOT NULL UNIQUE,
        event_type      text NOT NULL,
        schema_version  integer NOT NULL,
        subject         text NOT NULL,
        person_id       text,
        occurred_at     timestamptz NOT NULL,
        recorded_at     timestamptz NOT NULL,
        business_date   date NOT NULL,
        kafka_topic     text,
        kafka_partition integer,
        kafka_offset    bigint,
        payload         bytea NOT NULL,
        body            jsonb NOT NULL,
        prev_hash       bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
        hash            bytea NOT NULL CHECK (octet_length(hash) = 32),
        appended_at     timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX events_person_idx ON {qualify("events")} (person_id, sequence)
        WHERE person_id IS NOT NULL;

    CREATE TABLE {qualify("journal_entries")} (
        sequence        bigint PRIMARY KEY,
        event_type      text NOT NULL,
        description     text NOT NULL,
        business_date   date NOT NULL,
        recorded_at     timestamptz NOT NULL,
        posting_count   smallint NOT NULL CHECK (posting_count >= 0)
    );

    CREATE TABLE {qualify("accounts")} (
        code            text NOT NULL,
        asset           text NOT NULL,
        owner_type      text NOT NULL,
        owner_id        text NOT NULL,
        kind            text NOT NULL,
        detail          text,
        opened_sequence bigint NOT NULL,
        PRIMARY KEY (code, asset)
    );
    CREATE INDEX accounts_owner_idx ON {qualify("accounts")} (owner_type, owner_id);

    CREATE TABLE {qualify("postings")} (
        sequence        bigint NOT NULL,
        n               smallint NOT NULL CHECK (n >= 1),
        account         text NOT NULL,
        asset           text NOT NULL,
        amount          bigint NOT NULL CHECK (amount <> 0),
        balance_before  bigint NOT NULL,
        balance_after   bigint NOT NULL CHECK (balance_after = balance_before + amount),
        business_date   date NOT NULL,
        recorded_at     timestamptz NOT NULL,
        PRIMARY KEY (sequence, n)
    );
    CREATE INDEX postings_account_idx ON {qualify("postings")} (account, asset, business_date);

    CREATE TABLE {qualify("balances")} (
        account         text NOT NULL,
        asset           text NOT NULL,
        balance         bigint NOT NULL,
        last_sequence   bigint NOT NULL,
        PRIMARY KEY (account, asset)
    ) WITH (fillfactor = 70);

    CREATE TABLE {qualify("positions")} (
        consumer        text NOT NULL,
        topic           text NOT NULL,
        partition       integer NOT NULL,
        last_offset     bigint NOT NULL,
        last_sequence   bigint,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, topic, partition)
    );

    CREATE TABLE {qualify("coverage")} (
        person_id           text NOT NULL,
        card_number         text NOT NULL,
        valid_from          date NOT NULL,
        valid_to            date NOT NULL,
        premium_vnd         bigint NOT NULL,
        issued_sequence     bigint NOT NULL,
        issued_recorded_at  timestamptz NOT NULL,
        revoked_from        date,
        revoked_sequence    bigint,
        revoked_recorded_at timestamptz,
        PRIMARY KEY (card_number, valid_from)
    );
    CREATE INDEX coverage_person_idx ON {qualify("coverage")} (person_id);

    -- Postings of one entry balance per asset; checked once per INSERT/COPY statement.
    CREATE FUNCTION {qualify("check_entries_balance")}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE bad record;
    BEGIN
        SELECT sequence, asset, sum(amount) AS total INTO bad
          FROM new_postings GROUP BY sequence, asset HAVING sum(amount) <> 0 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'journal entry % does not balance in %: postings sum to %',
                bad.sequence, bad.asset, bad.total USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER postings_balance AFTER INSERT ON {qualify("postings")}
        REFERENCING NEW TABLE AS new_postings
        FOR EACH STATEMENT EXECUTE FUNCTION {qualify("check_entries_balance")}();

    CREATE FUNCTION {qualify("refuse_change")}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% on %.% refused: the ledger is append-only', TG_OP, TG_TABLE_SCHEMA,
            TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Record a correcting event instead of changing a recorded one.';
    END $$;
    """)
    for table in APPEND_ONLY:
        op.execute(
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE '
            f"ON {qualify(table)} FOR EACH STATEMENT EXECUTE FUNCTION "
            f'"{s}".refuse_change()'
        )
