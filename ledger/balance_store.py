"""The balances projection: read the touched accounts once, write them back in one statement."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.accounts import Account
from ledger.posting_rules import Entry
from ledger.rows import BatchRows, Key
from ledger.sql import array, int_array


@dataclass
class Touched:
    """Balances of the accounts an append posts to, and the ones it opens."""

    balances: dict[Key, int] = field(default_factory=dict)
    #: Accounts never posted to before, with the sequence that opens them.
    opened: dict[Key, tuple[Account, int]] = field(default_factory=dict)
    #: Every account posted to, with the sequence of its first posting (``accounts_of``).
    posted_to: dict[Key, tuple[Account, int]] = field(default_factory=dict)


def accounts_of(entries: Sequence[Entry], first_sequence: int) -> dict[Key, tuple[Account, int]]:
    """Every account the entries post to, with the sequence of its first posting."""
    seen: dict[Key, tuple[Account, int]] = {}
    for offset, entry in enumerate(entries):
        for acct, _ in entry.legs:
            key = (acct.code, acct.asset)
            if key not in seen:
                seen[key] = (acct, first_sequence + offset)
    return seen


def read_balances(cur: Any, q: str, keys: Sequence[Key]) -> dict[Key, int]:
    """Stored balances of those accounts that have one."""
    if not keys:
        return {}
    # One index probe per account. A plain join lets the planner hash the whole balances
    # table once the batch is large, which grows with the ledger; LIMIT keeps it per row.
    cur.execute(
        "SELECT t.a, t.s, b.balance FROM unnest(%s::text[], %s::text[]) AS t(a, s) "
        f"CROSS JOIN LATERAL (SELECT balance FROM {q}balances "
        "WHERE account = t.a AND asset = t.s LIMIT 1) AS b",
        (array(k[0] for k in keys), array(k[1] for k in keys)),
    )
    return {(a, s): b for a, s, b in cur.fetchall()}


def touch_accounts(
    cur: Any,
    q: str,
    entries: Sequence[Entry],
    first_sequence: int,
    planned: Callable[[Iterable[Key]], dict[Key, int]] | None = None,
    posted_to: dict[Key, tuple[Account, int]] | None = None,
) -> Touched:
    """Current balances of every account the entries post to (0, and opened, if unseen);
    ``planned`` gives those that batches not committed yet will leave (read before the store).
    ``posted_to``: ``accounts_of(entries, first_sequence)`` when the caller has it."""
    seen = accounts_of(entries, first_sequence) if posted_to is None else posted_to
    balances = planned(seen) if planned else {}
    balances.update(read_balances(cur, q, [k for k in seen if k not in balances]))
    out = Touched(balances, posted_to=seen)
    for key, opening in seen.items():
        if key not in balances:
            balances[key] = 0
            out.opened[key] = opening
    return out


def upsert_balances(cur: Any, q: str, rows: BatchRows) -> None:
    """Write the final balance and last sequence of every account the postings touched."""
    keys = list(rows.last_sequence_of)
    if not keys:
        return
    cur.execute(
        f"INSERT INTO {q}balances (account, asset, balance, last_sequence) "
        "SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::bigint[]) "
        "ON CONFLICT (account, asset) DO UPDATE "
        "SET balance = EXCLUDED.balance, last_sequence = EXCLUDED.last_sequence",
        (
            array(k[0] for k in keys),
            array(k[1] for k in keys),
            int_array(rows.balances[k] for k in keys),
            int_array(rows.last_sequence_of[k] for k in keys),
        ),
    )
