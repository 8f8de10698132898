"""Roles and grants: owner, app (append only), auditor (read only), donor (schema donor only).

Roles belong to the cluster: they are created only when missing, so every database of a
cluster (and a deployment that created them as login roles) can run this revision. They are
NOLOGIN when created here; sessions act as them with ``SET ROLE``. Revisions of other areas
that grant to these roles or build views in the donor schema set ``depends_on = "0002_roles"``.

Revision ID: 0002_roles
Revises: 0001_core
"""

from alembic import op

from ledger.migrations import donor_schema, qualify, schema

revision = "0002_roles"
down_revision = "0001_core"
branch_labels = ("roles",)
depends_on = None

ROLES = ("aidledger_owner", "aidledger_app", "aidledger_auditor", "aidledger_donor")
APPEND_ONLY = ("events", "journal_entries", "postings", "accounts")
PROJECTIONS = ("balances", "positions", "coverage")


def upgrade() -> None:
    s, donor = schema(), donor_schema()
    names = ", ".join(f"'{r}'" for r in ROLES)
    op.execute(f"""
    DO $$
    DECLARE r text;
    BEGIN
        FOREACH r IN ARRAY ARRAY[{names}] LOOP
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
                BEGIN
                    EXECUTE format('CREATE ROLE %I NOLOGIN', r);
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;  -- another database of the cluster created it meanwhile
                END;
            END IF;
        END LOOP;
    END $$;
    """)
    op.execute(f'CREATE SCHEMA IF NOT EXISTS "{donor}"')
    op.execute(f'REVOKE ALL ON SCHEMA "{s}" FROM PUBLIC')
    op.execute(f'GRANT USAGE ON SCHEMA "{s}" TO aidledger_app, aidledger_auditor')
    for table in APPEND_ONLY:
        op.execute(f"REVOKE ALL ON {qualify(table)} FROM PUBLIC")
        op.execute(f"GRANT SELECT, INSERT ON {qualify(table)} TO aidledger_app")
    for table in PROJECTIONS:
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {qualify(table)} TO aidledger_app")
    op.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{s}" TO aidledger_auditor')
    # Tables other areas add later (by the same migrating role) are readable by auditors too.
    op.execute(
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{s}" GRANT SELECT ON TABLES TO aidledger_auditor'
    )
    op.execute(f'GRANT USAGE ON SCHEMA "{donor}" TO aidledger_donor, aidledger_auditor')
    # The owner role owns what it migrates; a superuser running this hands the schemas over.
    handover = "\n".join(
        f"ALTER TABLE {qualify(t)} OWNER TO aidledger_owner;" for t in (*APPEND_ONLY, *PROJECTIONS)
    )
    op.execute(f"""
    DO $$
    BEGIN
        IF current_user <> 'aidledger_owner'
           AND pg_has_role(current_user, 'aidledger_owner', 'MEMBER') THEN
            ALTER SCHEMA "{s}" OWNER TO aidledger_owner;
            ALTER SCHEMA "{donor}" OWNER TO aidledger_owner;
            {handover}
        END IF;
    END $$;
    """)
