"""Reads: balances as of a business date and as known on a day, and a person's history.

"As of" counts postings whose business date is on or before ``as_of``; "as known on" counts
only events recorded (``recorded_at``) by then — a date means the end of that day (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ledger.coverage import cards_for
from ledger.errors import InvalidQuery
from ledger.person_balances import PersonBalances, assemble
from ledger.records import Posting
from schemas.months import end_of_day


def known_cutoff(known_on: date | datetime | None) -> datetime | None:
    """The last instant that counts as known: a date means up to the end of that day (UTC)."""
    if known_on is None:
        return None
    if isinstance(known_on, datetime):
        if known_on.tzinfo is None:
            raise InvalidQuery(f"known_on {known_on} has no timezone; give a UTC time or a date")
        return known_on.astimezone(UTC)
    return end_of_day(known_on) - timedelta(microseconds=1)


_FILTERED = (
    "COALESCE((SELECT sum(p.amount) FROM {q}postings p WHERE p.account = a.code "
    "AND p.asset = a.asset AND (%(d)s::date IS NULL OR p.business_date <= %(d)s) "
    "AND (%(k)s::timestamptz IS NULL OR p.recorded_at <= %(k)s)), 0)"
)
_CURRENT = (
    "COALESCE((SELECT b.balance FROM {q}balances b "
    "WHERE b.account = a.code AND b.asset = a.asset), 0)"
)


def person_balances(
    conn: Any, schema: str, person_id: str, as_of: date | None, known_on: date | datetime | None
) -> PersonBalances:
    """A person's balances (the balances table when neither date is given)."""
    q = f'"{schema}".'
    cutoff = known_cutoff(known_on)
    value = (_CURRENT if as_of is None and cutoff is None else _FILTERED).format(q=q)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT a.kind, a.detail, a.asset, {value}::bigint FROM {q}accounts a "
            "WHERE a.owner_type = 'person' AND a.owner_id = %(p)s",
            {"p": person_id, "d": as_of, "k": cutoff},
        )
        rows = cur.fetchall()
    day = as_of or datetime.now(UTC).date()
    cards = cards_for(conn, schema, person_id, day, cutoff)
    return assemble(person_id, as_of, cutoff, rows, cards)


def account_balance(
    conn: Any,
    schema: str,
    code: str,
    asset: str,
    as_of: date | None,
    known_on: date | datetime | None,
) -> int:
    """One account's balance (0 for an account never posted to)."""
    q = f'"{schema}".'
    cutoff = known_cutoff(known_on)
    value = (_CURRENT if as_of is None and cutoff is None else _FILTERED).format(q=q)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {value}::bigint FROM (SELECT %(c)s AS code, %(s)s AS asset) a",
            {"c": code, "s": asset, "d": as_of, "k": cutoff},
        )
        row = cur.fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a person's timeline and its postings, with running balances."""

    sequence: int
    event_type: str
    business_date: date
    recorded_at: datetime
    description: str
    postings: tuple[Posting, ...]


def history(conn: Any, schema: str, person_id: str) -> list[HistoryEntry]:
    """Every event about a person, in ledger order, with all postings of each entry."""
    q = f'"{schema}".'
    with conn.cursor() as cur:
        cur.execute(
            "SELECT e.sequence, e.event_type, e.business_date, e.recorded_at, e.description, "
            "p.n, p.account, p.asset, p.amount, p.balance_before, p.balance_after "
            f"FROM {q}events e "
            f"LEFT JOIN {q}postings p ON p.sequence = e.sequence "
            "WHERE e.person_id = %s ORDER BY e.sequence, p.n",
            (person_id,),
        )
        rows = cur.fetchall()
    entries: list[HistoryEntry] = []
    for seq, etype, day, at, text, n, acct, asset, amount, before, after in rows:
        if not entries or entries[-1].sequence != seq:
            entries.append(HistoryEntry(seq, etype, day, at, text, ()))
        if n is not None:
            last = entries[-1]
            posting = Posting(seq, n, acct, asset, amount, before, after, day)
            entries[-1] = HistoryEntry(seq, etype, day, at, text, (*last.postings, posting))
    return entries
