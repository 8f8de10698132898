"""One append = one transaction: lock the chain, sort out duplicates, COPY rows, upsert state.

Appenders take a transaction-level advisory lock on the schema's chain, so sequences are
assigned gap-free in commit order and the duplicate check sees every committed event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from uuid import UUID

from ledger import posting_rules
from ledger.accounts import Account
from ledger.audit.chain import GENESIS
from ledger.dedupe import Item, sort_batch
from ledger.projectors import Projector
from ledger.records import AppendResult, Incoming, KafkaOrigin
from ledger.rows import BatchRows, Key, accounts_chunks
from schemas.envelope import Event


def chain_lock_key(schema: str) -> int:
    """The advisory lock id of a schema's chain (a stable signed 64-bit number)."""
    digest = hashlib.sha256(f"aidledger.chain:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class _Chunks:
    """A read()-able file over text chunks, for ``copy_expert``."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def read(self, size: int = -1) -> bytes:
        return next(self._chunks, b"")


def _array(values: Iterable[str]) -> str:
    # Ids, account codes and assets never hold quotes, backslashes or commas.
    return "{" + ",".join(f'"{v}"' for v in values) + "}"


def _normalise(items: Iterable[Event | Incoming]) -> list[Item]:
    return [(i.event, i.origin) if isinstance(i, Incoming) else (i, None) for i in items]


def append(
    conn: Any, schema: str, items: Iterable[Event | Incoming], consumer: str | None,
    projectors: Sequence[Projector],
) -> AppendResult:
    """Run one append on a psycopg2 connection in a fresh transaction; commits on success."""
    q = f'"{schema}".'
    batch = _normalise(items)
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (chain_lock_key(schema),))
        cur.execute(f'SET LOCAL search_path TO "{schema}", public')
        skipped, batch, reached = _skip_processed(cur, q, consumer, batch)
        ids = {str(e.event_id) for e, _ in batch}
        stored: dict[UUID, tuple[int, bytes]] = {}
        if ids:
            cur.execute(
                f"SELECT event_id::text, sequence, payload FROM {q}events "
                "WHERE event_id = ANY(%s::uuid[])",
                (_array(ids),),
            )
            stored = {UUID(r[0]): (r[1], bytes(r[2])) for r in cur.fetchall()}
        cur.execute(f"SELECT sequence, hash FROM {q}events ORDER BY sequence DESC LIMIT 1")
        head = cur.fetchone()
        last, prev = (head[0], bytes(head[1])) if head else (0, GENESIS)
        sorted_ = sort_batch(batch, stored, lambda i: last + 1 + i)
        entries = [posting_rules.entry_for(e) for e, _ in sorted_.new]
        first = last + 1
        opened = _touch_accounts(cur, q, entries, first)
        rows = BatchRows(sorted_.new, entries, sorted_.payloads, first, prev, opened.balances)
        if sorted_.new:
            # Postings first: while the server inserts them, Python prepares the payloads.
            _copy(cur, f"{q}postings", rows.postings_chunks())
            _copy(cur, f"{q}journal_entries", rows.journal_chunks())
            if opened.new:
                _copy(cur, f"{q}accounts", accounts_chunks(opened.new))
            _copy(cur, f"{q}events ({EVENT_COLUMNS})", rows.events_chunks())
            _upsert_balances(cur, q, rows)
        if consumer and reached:
            _store_positions(cur, q, consumer, reached, first + len(sorted_.new) - 1)
        for projector in projectors:
            projector.project(conn, rows.stored)
    conn.commit()
    return AppendResult(tuple(rows.stored), tuple(sorted_.already_recorded),
                        tuple(sorted_.conflicts), skipped)


EVENT_COLUMNS = (
    "sequence, event_id, event_type, schema_version, subject, person_id, occurred_at, "
    "recorded_at, business_date, kafka_topic, kafka_partition, kafka_offset, payload, body, "
    "prev_hash, hash"
)


def _copy(cur: Any, target: str, chunks: Iterator[bytes]) -> None:
    cur.copy_expert(f"COPY {target} FROM STDIN (FORMAT binary)", _Chunks(chunks), size=1 << 16)


class _Opened:
    def __init__(self) -> None:
        self.balances: dict[Key, int] = {}
        self.new: dict[Key, tuple[Account, int]] = {}


def _touch_accounts(cur: Any, q: str, entries: Sequence[posting_rules.Entry], first: int) -> _Opened:
    """Current balances of every account the entries post to (0 and 'new' if unseen)."""
    out = _Opened()
    seen: dict[Key, tuple[Account, int]] = {}
    for offset, entry in enumerate(entries):
        for acct, _ in entry.legs:
            key = (acct.code, acct.asset)
            if key not in seen:
                seen[key] = (acct, first + offset)
    if not seen:
        return out
    cur.execute(
        f"SELECT b.account, b.asset, b.balance FROM unnest(%s::text[], %s::text[]) AS t(a, s) "
        f"JOIN {q}balances b ON b.account = t.a AND b.asset = t.s",
        (_array(k[0] for k in seen), _array(k[1] for k in seen)),
    )
    out.balances = {(a, s): b for a, s, b in cur.fetchall()}
    for key, opened in seen.items():
        if key not in out.balances:
            out.balances[key] = 0
            out.new[key] = opened
    return out


def _upsert_balances(cur: Any, q: str, rows: BatchRows) -> None:
    keys = list(rows.last_sequence_of)
    if not keys:
        return
    cur.execute(
        f"INSERT INTO {q}balances (account, asset, balance, last_sequence) "
        "SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::bigint[]) "
        "ON CONFLICT (account, asset) DO UPDATE "
        "SET balance = EXCLUDED.balance, last_sequence = EXCLUDED.last_sequence",
        (
            _array(k[0] for k in keys),
            _array(k[1] for k in keys),
            "{" + ",".join(str(rows.balances[k]) for k in keys) + "}",
            "{" + ",".join(str(rows.last_sequence_of[k]) for k in keys) + "}",
        ),
    )


def _skip_processed(
    cur: Any, q: str, consumer: str | None, batch: list[Item]
) -> tuple[int, list[Item], dict[tuple[str, int], int]]:
    """Drop items at or below the consumer's stored positions; the highest offsets reached."""
    if not consumer or not any(o for _, o in batch):
        return 0, batch, {}
    cur.execute(
        f"SELECT topic, partition, last_offset FROM {q}positions WHERE consumer = %s",
        (consumer,),
    )
    known = {(t, p): o for t, p, o in cur.fetchall()}
    kept: list[Item] = []
    reached: dict[tuple[str, int], int] = {}
    skipped = 0
    for event, origin in batch:
        if origin is not None:
            key = (origin.topic, origin.partition)
            if origin.offset <= known.get(key, -1):
                skipped += 1
                continue
            if origin.offset > reached.get(key, -1):
                reached[key] = origin.offset
        kept.append((event, origin))
    return skipped, kept, reached


def _store_positions(
    cur: Any, q: str, consumer: str, reached: dict[tuple[str, int], int], last_sequence: int
) -> None:
    topics, partitions, offsets = zip(*((t, p, o) for (t, p), o in reached.items()), strict=True)
    cur.execute(
        f"INSERT INTO {q}positions (consumer, topic, partition, last_offset, last_sequence) "
        "SELECT %s, * , %s FROM unnest(%s::text[], %s::int[], %s::bigint[]) "
        "ON CONFLICT (consumer, topic, partition) DO UPDATE SET "
        "last_offset = GREATEST(positions.last_offset, EXCLUDED.last_offset), "
        "last_sequence = EXCLUDED.last_sequence, updated_at = now()",
        (consumer, last_sequence, list(topics), list(partitions), list(offsets)),
    )


__all__ = ["KafkaOrigin", "append", "chain_lock_key"]
