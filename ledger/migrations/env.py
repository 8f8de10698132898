"""Alembic environment: online migrations only, version table inside the target schema."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

config = context.config
target_schema = str(config.attributes.get("schema", "ledger"))
url = config.get_main_option("sqlalchemy.url")
assert url is not None

# NullPool: no connection outlives the migration (a migrated database can serve as a template).
connectable = config.attributes.get("connection") or create_engine(url, poolclass=NullPool)


def _run(connection: object) -> None:
    # Two processes migrating at once would race on the version table: take turns.
    connection.execute(  # type: ignore[attr-defined]
        text("SELECT pg_advisory_xact_lock(hashtext('aidledger-migrate:' || :s))"),
        {"s": target_schema},
    )
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{target_schema}"'))  # type: ignore[attr-defined]
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        version_table_schema=target_schema,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if hasattr(connectable, "connect"):
    with connectable.connect() as conn:
        _run(conn)
        conn.commit()
    connectable.dispose()
else:
    _run(connectable)
