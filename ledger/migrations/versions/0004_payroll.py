"""Payroll and reconciliation read models (kept by PayrollProjector and ReconciliationProjector).

payroll_people: one row per person with compact eligibility facts; payroll_accrued: net accrued
per person, kind and service month; payroll_open: amounts accrued or carried but not yet listed;
payroll_lists / payroll_lines: issued lists; payroll_levels: StandardLevelSet events.
postoffice_reports / postoffice_funds / reconciliation_closes: what the post office reported,
funds and fees, closed months. postoffice_conflicts: changed re-imported rows (never applied).

Revision ID: 0004_payroll
Revises: 0001_core
"""

from alembic import op

from ledger.migrations import qualify

revision = "0004_payroll"
down_revision = "0001_core"
branch_labels = ("payroll",)
depends_on = None


def upgrade() -> None:
    op.execute(f"""
    CREATE TABLE {qualify("payroll_people")} (
        person_id        text PRIMARY KEY,
        full_name        text,
        birth_date       date,
        province_code    text,
        district_code    text,
        commune_code     text,
        current_commune  text,
        disability_level text,
        provinces        text[] NOT NULL DEFAULT '{{}}',
        districts        text[] NOT NULL DEFAULT '{{}}',
        relocated        boolean NOT NULL DEFAULT false,
        died_on          date,
        terminated_from  text,
        facts            jsonb NOT NULL DEFAULT '[]',
        last_sequence    bigint NOT NULL
    );
    CREATE INDEX payroll_people_provinces_idx ON {qualify("payroll_people")} USING gin (provinces);

    CREATE TABLE {qualify("payroll_accrued")} (
        person_id     text NOT NULL,
        kind          text NOT NULL,
        service_month integer NOT NULL,
        amount_vnd    bigint NOT NULL,
        PRIMARY KEY (person_id, kind, service_month)
    );

    CREATE TABLE {qualify("payroll_open")} (
        person_id     text NOT NULL,
        commune_code  text NOT NULL,
        component     text NOT NULL,
        province_code text NOT NULL,
        amount_vnd    bigint NOT NULL,
        PRIMARY KEY (person_id, commune_code, component)
    );

    CREATE INDEX payroll_open_zero_idx ON {qualify("payroll_open")} (person_id)
        WHERE amount_vnd = 0;

    -- Lines already carried forward (a second not-collected report must not carry twice).
    CREATE TABLE {qualify("payroll_carried")} (
        list_id   text NOT NULL,
        line_no   integer NOT NULL,
        PRIMARY KEY (list_id, line_no)
    );

    CREATE TABLE {qualify("payroll_lists")} (
        list_id             text PRIMARY KEY,
        month               text NOT NULL,
        province_code       text NOT NULL,
        district_code       text NOT NULL,
        commune_code        text NOT NULL,
        post_office_code    text NOT NULL,
        supplements_list_id text,
        total_vnd           bigint NOT NULL,
        digest              text NOT NULL,
        line_count          integer NOT NULL,
        sequence            bigint NOT NULL
    );
    CREATE INDEX payroll_lists_month_idx ON {qualify("payroll_lists")} (province_code, month);

    CREATE TABLE {qualify("payroll_lines")} (
        list_id          text NOT NULL,
        line_no          integer NOT NULL,
        person_id        text NOT NULL,
        full_name        text NOT NULL,
        month            text NOT NULL,
        province_code    text NOT NULL,
        district_code    text NOT NULL,
        commune_code     text NOT NULL,
        post_office_code text NOT NULL,
        regular_vnd      bigint NOT NULL,
        arrears_vnd      bigint NOT NULL,
        funeral_vnd      bigint NOT NULL,
        recovery_vnd     bigint NOT NULL,
        carried_vnd      bigint NOT NULL,
        amount_vnd       bigint NOT NULL,
        PRIMARY KEY (list_id, line_no)
    );
    CREATE INDEX payroll_lines_month_idx ON {qualify("payroll_lines")}
        (province_code, month, post_office_code);

    CREATE TABLE {qualify("payroll_levels")} (
        sequence        bigint PRIMARY KEY,
        province_code   text,
        effective_month text NOT NULL,
        amount_vnd      bigint NOT NULL,
        legal_basis     text NOT NULL
    );

    CREATE TABLE {qualify("postoffice_reports")} (
        event_id         uuid PRIMARY KEY,
        kind             text NOT NULL,
        list_id          text NOT NULL,
        line_no          integer NOT NULL,
        person_id        text NOT NULL,
        post_office_code text NOT NULL,
        amount_vnd       bigint NOT NULL,
        at               timestamptz NOT NULL,
        receipt_no       text,
        collected_by     text,
        reason           text,
        reverses         uuid,
        report_id        text,
        report_row       integer,
        row_hash         text,
        sequence         bigint NOT NULL
    );
    CREATE INDEX postoffice_reports_line_idx ON {qualify("postoffice_reports")} (list_id, line_no);

    CREATE TABLE {qualify("postoffice_funds")} (
        event_id         uuid PRIMARY KEY,
        kind             text NOT NULL,
        province_code    text NOT NULL,
        post_office_code text NOT NULL,
        month            text NOT NULL,
        amount_vnd       bigint NOT NULL,
        sequence         bigint NOT NULL
    );
    CREATE INDEX postoffice_funds_month_idx ON {qualify("postoffice_funds")}
        (province_code, month);

    CREATE TABLE {qualify("reconciliation_closes")} (
        event_id         uuid PRIMARY KEY,
        province_code    text NOT NULL,
        post_office_code text NOT NULL,
        month            text NOT NULL,
        totals_digest    text NOT NULL,
        sequence         bigint NOT NULL
    );

    CREATE TABLE {qualify("postoffice_conflicts")} (
        event_id         uuid NOT NULL,
        new_hash         text NOT NULL,
        list_id          text NOT NULL,
        line_no          integer NOT NULL,
        receipt_no       text,
        existing_hash    text NOT NULL,
        report_id        text NOT NULL,
        report_row       integer NOT NULL,
        detail           text NOT NULL,
        detected_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, new_hash)
    );
    """)
