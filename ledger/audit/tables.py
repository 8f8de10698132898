"""The tables a replay rebuilds, and the columns that must come out the same.

Left out: the migration table, consumer positions and the stream worker's dead letters and
checkpoints (they record what the consumers did with Kafka records, not the history), the
conflicts between post-office imports (what an import was refused, written by it with no
event), recorded audit checkpoints, and every column that records when a row was written
(``DEFAULT now()``, such as ``events.appended_at``): a replay cannot reproduce those. Nor
generated columns (``events.body`` is ``payload::jsonb``): they follow from the columns that
are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SKIPPED = frozenset(
    {
        "alembic_version",
        "positions",
        "audit_checkpoints",
        "deadletters",
        "deadletter_retries",
        "stream_checkpoints",
        "postoffice_conflicts",
    }
)


@dataclass(frozen=True)
class Table:
    """A table's compared columns (in order), its primary key columns, and each compared
    column's type (``pg_type.typname``: ``int8``, ``text``, ``_text`` for ``text[]``...)."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    types: tuple[str, ...]


def ledger_tables(conn: Any, schema: str) -> dict[str, Table]:
    """Every compared table of ``schema`` by name."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.table_name, c.column_name, c.udt_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
            "WHERE c.table_schema = %s AND c.is_generated = 'NEVER' "
            "AND coalesce(c.column_default, '') "
            "!~* '(now\\(\\)|current_timestamp|clock_timestamp)' "
            "ORDER BY c.table_name, c.ordinal_position",
            (schema,),
        )
        columns: dict[str, list[str]] = {}
        types: dict[str, list[str]] = {}
        for table, column, udt in cur.fetchall():
            if table not in SKIPPED:
                columns.setdefault(table, []).append(column)
                types.setdefault(table, []).append(udt)
        cur.execute(
            "SELECT c.relname, a.attname FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) ON true "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            "WHERE n.nspname = %s AND i.indisprimary ORDER BY c.relname, k.pos",
            (schema,),
        )
        keys: dict[str, list[str]] = {}
        for table, column in cur.fetchall():
            keys.setdefault(table, []).append(column)
    return {
        name: Table(name, tuple(cols), tuple(keys.get(name, ())), tuple(types[name]))
        for name, cols in columns.items()
    }


def quoted(names: tuple[str, ...] | list[str]) -> str:
    """Column names as a quoted SQL list."""
    return ", ".join(f'"{n}"' for n in names)
