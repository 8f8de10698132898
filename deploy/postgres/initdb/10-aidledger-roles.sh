#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory.
# Creates the login roles and hands the database to the migration role. Tables, views,
# schema "donor" and every GRANT come from `aidledger db migrate`, which runs as aidledger_owner
# and must leave existing roles alone (create them only if absent).
set -eu

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" \
    -v owner_password="${AIDLEDGER_OWNER_PASSWORD:?set it in deploy/.env}" \
    -v app_password="${AIDLEDGER_APP_PASSWORD:?set it in deploy/.env}" \
    -v auditor_password="${AIDLEDGER_AUDITOR_PASSWORD:?set it in deploy/.env}" \
    -v donor_password="${AIDLEDGER_DONOR_PASSWORD:?set it in deploy/.env}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', r.name, r.password)
FROM (VALUES ('aidledger_owner', :'owner_password'),
             ('aidledger_app', :'app_password'),
             ('aidledger_auditor', :'auditor_password'),
             ('aidledger_donor', :'donor_password')) AS r(name, password)
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name)
\gexec

ALTER DATABASE :"db" OWNER TO aidledger_owner;
ALTER SCHEMA public OWNER TO aidledger_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO aidledger_app, aidledger_auditor, aidledger_donor;
SQL
