"""Alembic migrations, parameterised by the PostgreSQL schema they build.

The live ledger lives in schema ``ledger``; ``audit replay`` builds the same tables in a scratch
schema. Every revision therefore writes its DDL through :func:`schema` / :func:`qualify`.
Areas (payroll, relief...) add their own branch revisions with ``down_revision = "0001_core"``;
``upgrade`` applies every head.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, op
from alembic.config import Config

DEFAULT_SCHEMA = "ledger"
_HERE = Path(__file__).parent


def schema() -> str:
    """The schema the running migration builds (inside a revision's upgrade())."""
    value = op.get_context().config.attributes.get("schema", DEFAULT_SCHEMA)  # type: ignore[union-attr]
    return str(value)


def qualify(name: str) -> str:
    """``schema.name``, quoted, for DDL inside a revision."""
    return f'"{schema()}"."{name}"'


def donor_schema() -> str:
    """The schema of donor-facing aggregate views: ``donor`` for the live ledger schema,
    ``<schema>_donor`` for any other (so a scratch replay never touches the live views)."""
    current = schema()
    return "donor" if current == DEFAULT_SCHEMA else f"{current}_donor"


def alembic_config(url: str, target_schema: str = DEFAULT_SCHEMA) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["schema"] = target_schema
    return config


def is_current(url: str, target_schema: str = DEFAULT_SCHEMA) -> bool:
    """True when every head revision is applied to ``target_schema`` (reads only)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    script = ScriptDirectory.from_config(alembic_config(url, target_schema))
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table_schema": target_schema})
            current = context.get_current_heads()
    finally:
        engine.dispose()
    # A revision another one depends on is applied without staying in the version table.
    applied = {r.revision for r in script.iterate_revisions(current, "base")} if current else set()
    return set(script.get_heads()) <= applied


def upgrade(url: str, target_schema: str = DEFAULT_SCHEMA, revision: str = "heads") -> None:
    """Bring ``target_schema`` in the database at ``url`` up to every head revision."""
    command.upgrade(alembic_config(url, target_schema), revision)
