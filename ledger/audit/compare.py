"""Compare a replayed schema with the live one, table by table, inside PostgreSQL.

``exact``: every compared column of every row (a store replay gives the same sequences, so the
chain, postings with their running balances and read models must be identical).
``content``: for a Kafka replay (another interleaving of the partitions) or a partial one
(``--until``): a ``sequence`` column is replaced by its event id; ``*_sequence``, ``hash``,
``prev_hash``, ``balance_before`` and ``balance_after`` depend on the order and are left out.
With ``until``, only events, journal entries and postings of the selected events are compared,
and balances are recomputed from those postings.

An exact comparison joins each table's two sides on its primary key and compares the rows
value by value, column by column (about 30 times faster than hashing every row's text, which
a content comparison still does: its keys are not the same on both sides).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.audit.tables import Table, ledger_tables
from ledger.sql import local_setting

ORDER_DEPENDENT = frozenset({"hash", "prev_hash", "balance_before", "balance_after"})
#: Column types a keyed comparison can compare (``pg_type.typname``): equal values have equal
#: text, or (AS_TEXT) their text is compared. A table with any other type is compared as text.
EQUALITY_TYPES = frozenset(
    {"bool", "int2", "int4", "int8", "numeric", "text", "varchar", "bpchar", "_text", "date"}
    | {"timestamp", "timestamptz", "uuid", "bytea", "jsonb"}
)
#: Types whose equal values can be written differently (1.0 and 1.00): compared as text.
AS_TEXT = frozenset({"numeric", "jsonb"})
BY_SEQUENCE = ("events", "postings")  # journal_entries is a view of events


@dataclass(frozen=True)
class Difference:
    """Rows of one table found only on one side (with a few examples)."""

    table: str
    only_live: int
    only_replay: int
    examples: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.only_live < 0:
            return f"{self.table}: {self.examples[0]}"
        shown = "; ".join(self.examples)
        return (
            f"{self.table}: {self.only_live} rows only in the live ledger, {self.only_replay} "
            f"only in the replay" + (f" (e.g. {shown})" if shown else "")
        )


def compare(
    conn: Any,
    live: str,
    scratch: str,
    *,
    exact: bool,
    until: datetime | None = None,
    through: int | None = None,
) -> list[Difference]:
    """Every difference between ``live`` and ``scratch`` (none expected). With ``through``
    (the live ledger recorded more events while the scratch one was rebuilt up to that
    sequence), only the events, journal entries and postings up to it are compared, and the
    balances they add up to: the live read models and balances hold the later events too."""
    live_tables, replay_tables = ledger_tables(conn, live), ledger_tables(conn, scratch)
    out = [
        Difference(name, -1, -1, (f"table exists only in the {side}",))
        for side, names in (
            ("live ledger", live_tables.keys() - replay_tables.keys()),
            ("replay", replay_tables.keys() - live_tables.keys()),
        )
        for name in sorted(names)
    ]
    bounded = until is not None or through is not None
    for name in sorted(live_tables.keys() & replay_tables.keys()):
        if bounded and name not in BY_SEQUENCE:
            continue
        table = live_tables[name]
        if exact and not bounded and _joinable(table, replay_tables[name]):
            found = _diff_by_key(conn, table, live, scratch)
        else:
            left = _select(table, live, exact, until, through)
            right = _select(table, scratch, exact, None)
            found = _diff(conn, left, right, name)
        if found:
            out.append(found)
    if bounded:
        found = _diff(
            conn, _balances_from_postings(live, until, through), _balances(scratch), "balances"
        )
        if found:
            out.append(found)
    return out


def _select(
    table: Table, schema: str, exact: bool, until: datetime | None, through: int | None = None
) -> str:
    """SELECT of each row's text: all compared columns, or the order-independent ones."""
    cols = []
    for col in table.columns:
        if exact:
            cols.append(f't."{col}"')
        elif col == "sequence" and table.name != "events":
            cols.append(
                f'(SELECT e.event_id FROM "{schema}".events e WHERE e.sequence = t.sequence)'
            )
        elif col == "sequence" or col.endswith("_sequence") or col in ORDER_DEPENDENT:
            continue
        else:
            cols.append(f't."{col}"')
    where = []
    if until is not None:
        literal = f"'{until.isoformat()}'::timestamptz"
        if table.name == "events":
            where.append(f"t.recorded_at < {literal}")
        else:
            where.append(
                f't.sequence IN (SELECT sequence FROM "{schema}".events '
                f"WHERE recorded_at < {literal})"
            )
    if through is not None:
        where.append(f"t.sequence <= {int(through)}")
    return f'SELECT ROW({", ".join(cols)})::text AS r FROM "{schema}"."{table.name}" t' + (
        " WHERE " + " AND ".join(where) if where else ""
    )


def _balances_from_postings(schema: str, until: datetime | None, through: int | None) -> str:
    where = []
    if until is not None:
        where.append(f"e.recorded_at < '{until.isoformat()}'::timestamptz")
    if through is not None:
        where.append(f"e.sequence <= {int(through)}")
    return (
        f"SELECT ROW(p.account, p.asset, sum(p.amount))::text AS r "
        f'FROM "{schema}".postings p JOIN "{schema}".events e ON e.sequence = p.sequence '
        f"WHERE {' AND '.join(where)} GROUP BY p.account, p.asset"
    )


def _balances(schema: str) -> str:
    return f'SELECT ROW(account, asset, balance::numeric)::text AS r FROM "{schema}".balances'


def _diff(conn: Any, left: str, right: str, name: str) -> Difference | None:
    # Rows are compared by the MD5 of their text: sorting 32 characters, not whole rows.
    with conn.cursor() as cur:
        cur.execute(
            f"WITH l AS (SELECT md5(r) AS h, r FROM ({left}) x), "
            f"s AS (SELECT md5(r) AS h, r FROM ({right}) y), "
            "a AS (SELECT h FROM l EXCEPT ALL SELECT h FROM s), "
            "b AS (SELECT h FROM s EXCEPT ALL SELECT h FROM l) "
            "SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b), "
            "ARRAY(SELECT 'live ' || left(r, 160) FROM l WHERE h IN (SELECT h FROM a) "
            "ORDER BY r LIMIT 2) || "
            "ARRAY(SELECT 'replay ' || left(r, 160) FROM s WHERE h IN (SELECT h FROM b) "
            "ORDER BY r LIMIT 2)"
        )
        only_live, only_replay, examples = cur.fetchone()
    if not only_live and not only_replay:
        return None
    return Difference(name, int(only_live), int(only_replay), tuple(examples))


def _joinable(live: Table, replay: Table) -> bool:
    """Both sides have the same columns and key, and every column compares by value."""
    return (
        bool(live.key)
        and live == replay
        and set(live.key) <= set(live.columns)
        and set(live.types) <= EQUALITY_TYPES
    )


def _diff_by_key(conn: Any, table: Table, live: str, scratch: str) -> Difference | None:
    """``_diff`` of an exact comparison: the two sides joined on the primary key; a row is only
    in one side when the other has no row with its key or has one that differs in any column."""
    on = " AND ".join(f'l."{k}" = s."{k}"' for k in table.key)
    left = ", ".join(f'l."{c}"' for c in table.columns)
    right = ", ".join(f's."{c}"' for c in table.columns)
    cast = ["::text" if t in AS_TEXT else "" for t in table.types]
    mine = ", ".join(f'l."{c}"{to}' for c, to in zip(table.columns, cast, strict=True))
    theirs = ", ".join(f's."{c}"{to}' for c, to in zip(table.columns, cast, strict=True))
    first = table.key[0]
    differing = (
        f'FROM "{live}"."{table.name}" l FULL JOIN "{scratch}"."{table.name}" s ON {on} '
        f"WHERE ROW({mine}) IS DISTINCT FROM ROW({theirs})"
    )
    # Rows keyed by sequence were written in key order: both sides are read through their
    # primary key indexes and merged. A hash join of a million events spills to disk
    # (4.1-5.9 s against 1.9-2.4 s); for keys in random order (event ids) the hash join is
    # the faster one (0.4 against 1.0 s).
    with (
        conn.cursor() as cur,
        local_setting(cur, "enable_hashjoin", "off") if first == "sequence" else nullcontext(),
    ):
        cur.execute(f'SELECT count(l."{first}"), count(s."{first}") {differing}')
        only_live, only_replay = cur.fetchone()  # (keys are never null)
        if not only_live and not only_replay:
            return None
        examples = []
        for side, alias, row in (("live", "l", left), ("replay", "s", right)):
            cur.execute(
                f"SELECT r FROM (SELECT ROW({row})::text AS r {differing} "
                f'AND {alias}."{first}" IS NOT NULL) x ORDER BY r LIMIT 2'
            )
            examples += [f"{side} {r[:160]}" for (r,) in cur.fetchall()]
    return Difference(table.name, int(only_live), int(only_replay), tuple(examples))
