"""One append = one transaction: lock the chain, sort out duplicates, COPY rows, upsert state.

Appenders take a transaction-level advisory lock on the schema's chain, so sequences are
assigned gap-free in commit order and the duplicate check sees every committed event.
Everything is set-based: binary COPY for the rows, one statement per projection table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from psycopg2.errors import UniqueViolation

from ledger.audit.chain import GENESIS
from ledger.balance_store import touch_accounts, upsert_balances
from ledger.dedupe import Item, sort_batch
from ledger.positions import skip_processed, store_positions
from ledger.prepare import Prepared, items_of, prepare_items
from ledger.projectors import Projector
from ledger.records import AppendResult, Incoming, InTransaction
from ledger.rows import (
    EVENT_COLUMNS,
    POSTING_COLUMNS,
    BatchRows,
    accounts_chunks,
)
from ledger.sql import array, copy_binary
from schemas.envelope import Event

#: The unique constraint on events.event_id (PostgreSQL's default name for it).
EVENT_ID_UNIQUE = "events_event_id_key"


def chain_lock_key(schema: str) -> int:
    """The advisory lock id of a schema's chain (a stable signed 64-bit number)."""
    digest = hashlib.sha256(f"aidledger.chain:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def stored_ids(cur: Any, q: str, batch: list[Item]) -> dict[UUID, tuple[int, bytes]]:
    """(sequence, payload) of the batch's ids that are already recorded."""
    ids = {event.event_id.hex for event, _ in batch}  # PostgreSQL reads uuids without dashes
    if not ids:
        return {}
    cur.execute(
        f"SELECT event_id::text, sequence, payload FROM {q}events WHERE event_id = ANY(%s::uuid[])",
        (array(ids),),
    )
    return {UUID(r[0]): (r[1], r[2].encode()) for r in cur.fetchall()}


def known_ids(cur: Any, q: str, batch: list[Item], lookup: bool) -> dict[UUID, tuple[int, bytes]]:
    """The recorded ids of the batch when ``lookup`` or when its first or last id is recorded
    (a redelivered batch, one index probe each); otherwise none: the unique index checks."""
    if lookup or (batch and stored_ids(cur, q, [batch[0], batch[-1]])):
        return stored_ids(cur, q, batch)
    return {}


def chain_head(cur: Any, q: str) -> tuple[int, bytes]:
    """The last sequence and its hash ((0, GENESIS) when the ledger is empty)."""
    cur.execute(f"SELECT sequence, hash FROM {q}events ORDER BY sequence DESC LIMIT 1")
    row = cur.fetchone()
    return (int(row[0]), bytes(row[1])) if row else (0, GENESIS)


def begin(cur: Any, schema: str) -> None:
    """Take the schema's chain lock for this transaction; projectors see the schema first."""
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (chain_lock_key(schema),))
    cur.execute(f'SET LOCAL search_path TO "{schema}", public')


def append(
    conn: Any,
    schema: str,
    items: Iterable[Event | Incoming] | Prepared,
    consumer: str | None,
    projectors: Sequence[Projector],
    also: InTransaction | None = None,
) -> AppendResult:
    """Run one append on a psycopg2 connection in a fresh transaction; commits on success.

    Most batches hold no id the ledger already has, so the first attempt does not look them
    all up (only the first and last, which catches a redelivered batch): the unique index on
    ``event_id`` is the check. When it fires, the transaction is rolled back and the batch
    appended again with the lookup, which sorts out replays and conflicts (nothing of the
    failed attempt remains). ``also(conn, result)`` runs last, in the same transaction.
    """
    # Prepared before the first statement: an event the database cannot store (a NUL in
    # its text) is refused before anything is sent, and the lock is held for less time.
    batch = items if isinstance(items, Prepared) else prepare_items(items_of(items))
    try:
        return _append(conn, schema, batch, consumer, projectors, also, lookup=False)
    except UniqueViolation as exc:
        conn.rollback()
        if exc.diag.constraint_name != EVENT_ID_UNIQUE:
            raise
    return _append(conn, schema, batch, consumer, projectors, also, lookup=True)


def _append(
    conn: Any,
    schema: str,
    ready: Prepared,
    consumer: str | None,
    projectors: Sequence[Projector],
    also: InTransaction | None,
    lookup: bool,
) -> AppendResult:
    q = f'"{schema}".'
    batch = list(ready.items)
    with conn.cursor() as cur:
        begin(cur, schema)
        kept, reached = skip_processed(cur, q, consumer, batch)
        skipped, batch = len(batch) - len(kept), [batch[i] for i in kept]
        stored = known_ids(cur, q, batch, lookup)
        last, prev = chain_head(cur, q)
        payloads = [ready.payloads[i] for i in kept]
        sorted_ = sort_batch(batch, stored, lambda i: last + 1 + i, payloads)
        entries = [ready.entries[kept[i]] for i in sorted_.new_index]
        touched = touch_accounts(cur, q, entries, last + 1)
        rows = BatchRows(sorted_.new, entries, sorted_.payloads, last + 1, prev, touched.balances)
        if sorted_.new:
            # Postings first: while the server inserts them, Python encodes the event rows.
            copy_binary(cur, f"{q}postings ({POSTING_COLUMNS})", rows.postings_chunks())
            if touched.opened:
                copy_binary(cur, f"{q}accounts", accounts_chunks(touched.opened))
            copy_binary(cur, f"{q}events ({EVENT_COLUMNS})", rows.events_chunks())
            upsert_balances(cur, q, rows)
        if consumer:
            store_positions(cur, q, consumer, reached, last + len(sorted_.new))
        for projector in projectors:
            projector.project(conn, rows.stored)
    result = AppendResult(
        tuple(rows.stored), tuple(sorted_.already_recorded), tuple(sorted_.conflicts), skipped
    )
    if also is not None:
        also(conn, result)
    conn.commit()
    return result
