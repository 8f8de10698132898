"""Compare a replayed schema with the live one, table by table, inside PostgreSQL.

``exact``: every compared column of every row (a store replay gives the same sequences, so the
chain, postings with their running balances and read models must be identical).
``content``: for a Kafka replay (another interleaving of the partitions) or a partial one
(``--until``): a ``sequence`` column is replaced by its event id; ``*_sequence``, ``hash``,
``prev_hash``, ``balance_before`` and ``balance_after`` depend on the order and are left out.
With ``until``, only events, journal entries and postings of the selected events are compared,
and balances are recomputed from those postings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.audit.tables import Table, ledger_tables

ORDER_DEPENDENT = frozenset({"hash", "prev_hash", "balance_before", "balance_after"})
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
    conn: Any, live: str, scratch: str, *, exact: bool, until: datetime | None = None
) -> list[Difference]:
    """Every difference between ``live`` and ``scratch`` (none expected)."""
    live_tables, replay_tables = ledger_tables(conn, live), ledger_tables(conn, scratch)
    out = [
        Difference(name, -1, -1, (f"table exists only in the {side}",))
        for side, names in (
            ("live ledger", live_tables.keys() - replay_tables.keys()),
            ("replay", replay_tables.keys() - live_tables.keys()),
        )
        for name in sorted(names)
    ]
    for name in sorted(live_tables.keys() & replay_tables.keys()):
        if until is not None and name not in BY_SEQUENCE:
            continue
        table = live_tables[name]
        left = _select(table, live, exact, until)
        right = _select(table, scratch, exact, None)
        found = _diff(conn, left, right, name)
        if found:
            out.append(found)
    if until is not None:
        found = _diff(conn, _balances_from_postings(live, until), _balances(scratch), "balances")
        if found:
            out.append(found)
    return out


def _select(table: Table, schema: str, exact: bool, until: datetime | None) -> str:
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
    where = ""
    if until is not None:
        literal = f"'{until.isoformat()}'::timestamptz"
        if table.name == "events":
            where = f" WHERE t.recorded_at < {literal}"
        else:
            where = (
                f' WHERE t.sequence IN (SELECT sequence FROM "{schema}".events '
                f"WHERE recorded_at < {literal})"
            )
    return f'SELECT ROW({", ".join(cols)})::text AS r FROM "{schema}"."{table.name}" t{where}'


def _balances_from_postings(schema: str, until: datetime) -> str:
    literal = f"'{until.isoformat()}'::timestamptz"
    return (
        f"SELECT ROW(p.account, p.asset, sum(p.amount))::text AS r "
        f'FROM "{schema}".postings p JOIN "{schema}".events e ON e.sequence = p.sequence '
        f"WHERE e.recorded_at < {literal} GROUP BY p.account, p.asset"
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
