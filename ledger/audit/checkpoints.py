"""Checkpoints of the store: build one (prefix form), sign it, record it, read recorded ones.

A checkpoint covers the whole history from sequence 1 up to its last event (tree_size = that
sequence), so any two checkpoints are linked by a consistency proof. A month's checkpoint ends
at the last event the ledger appended before the month ended (Vietnam time, UTC+7).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.audit import merkle
from ledger.audit.checkpoint import Checkpoint, sign
from ledger.audit.db import Database, checked_name, session
from ledger.audit.errors import AuditInputError, ChainBroken, CheckpointConflict
from ledger.audit.verify import Progress, verify_store
from schemas.months import add_months, first_day

VIETNAM = timezone(timedelta(hours=7))


def month_end(month: str) -> datetime:
    """The first instant after ``month`` in Vietnam time (as a UTC datetime)."""
    day = first_day(add_months(month, 1))
    return datetime(day.year, day.month, 1, tzinfo=VIETNAM).astimezone(UTC)


def split_leaves(blob: bytes) -> list[bytes]:
    """32-byte leaf hashes out of their concatenation."""
    return [blob[i : i + 32] for i in range(0, len(blob), 32)]


def boundary(db: Database, schema: str, month: str) -> int:
    """The end of the longest run of sequences from the first all appended before ``month``
    ended (0 when none was). ``appended_at`` is when an append's transaction began, and
    sequences are taken later, in chain-lock order: an append that began just after the
    month can take its sequence before one that began just before it and waited. The
    month's checkpoint stops before the first event appended after the month, so it holds
    none of them."""
    events = f'"{checked_name(schema)}".events'
    with session(db) as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT coalesce((SELECT min(sequence) - 1 FROM {events} WHERE appended_at >= %s), "
            f"(SELECT max(sequence) FROM {events}), 0)",
            (month_end(month),),
        )
        return int(cur.fetchone()[0])


def build(
    db: Database,
    schema: str,
    month: str | None,
    *,
    now: datetime | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Checkpoint:
    """An unsigned checkpoint of ``month`` (or of everything so far), after checking the chain."""
    now = now or datetime.now(UTC)
    if month is not None and month_end(month) > now:
        raise AuditInputError(
            f"month {month} is not over until {month_end(month).astimezone(VIETNAM):%Y-%m-%d %H:%M}"
            " (UTC+7); checkpoint it afterwards, or leave out --month for everything so far"
        )
    upto = boundary(db, schema, month) if month is not None else None
    report = verify_store(db, schema, upto=upto, leaves=True, workers=workers, progress=progress)
    if report.problem is not None:
        raise ChainBroken(f"no checkpoint was signed: {report.problem}")
    size = report.count
    return Checkpoint(
        month=month,
        tree_size=size,
        root_hash=merkle.root(split_leaves(report.leaf_hashes)).hex(),
        chain_head=report.head_hash,
        first_sequence=1 if size else None,
        last_sequence=size or None,
        created_at=now,
    )


@dataclass(frozen=True)
class Recorded:
    """A checkpoint as stored, with the PEM public key of the key that signed it."""

    checkpoint: Checkpoint
    public_key: str

    @property
    def digest(self) -> str:
        return digest(self.checkpoint)


def digest(checkpoint: Checkpoint) -> str:
    """SHA-256 hex of the signed document (every field, signature included)."""
    fields = checkpoint.model_dump(mode="json")
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def public_pem(key: Ed25519PrivateKey) -> str:
    """The PEM text of a private key's public half."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign_and_record(
    db: Database, schema: str, unsigned: Checkpoint, key: Ed25519PrivateKey
) -> Recorded:
    """Sign and store; a month already recorded is returned as is when it still matches."""
    signed = sign(unsigned, key)
    document = json.dumps(signed.model_dump(mode="json"), sort_keys=True, indent=2)
    table = f'"{checked_name(schema)}".audit_checkpoints'
    with session(db, readonly=False) as conn, conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (digest, month, tree_size, root_hash, chain_head, created_at, "
            "key_id, public_key, document) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (month) DO NOTHING RETURNING digest",
            (
                digest(signed),
                signed.month,
                signed.tree_size,
                signed.root_hash,
                signed.chain_head,
                signed.created_at,
                signed.key_id,
                public_pem(key),
                document,
            ),
        )
        inserted = cur.fetchone() is not None
        conn.commit()
    if inserted:
        return Recorded(signed, public_pem(key))
    existing = recorded(db, schema, month=signed.month)[0]
    old = existing.checkpoint
    if (old.tree_size, old.root_hash, old.chain_head) != (
        signed.tree_size,
        signed.root_hash,
        signed.chain_head,
    ):
        raise CheckpointConflict(
            f"the checkpoint recorded for {signed.month} covers {old.tree_size} events with root "
            f"{old.root_hash}, but the store now gives {signed.tree_size} events with root "
            f"{signed.root_hash}: history up to that month changed after it was signed"
        )
    return existing


def recorded(db: Database, schema: str, month: str | None = None) -> list[Recorded]:
    """Recorded checkpoints in tree-size order (only ``month``'s when given)."""
    table = f'"{checked_name(schema)}".audit_checkpoints'
    where, params = ("WHERE month = %s", (month,)) if month else ("", ())
    with session(db) as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT document, public_key FROM {table} {where} ORDER BY tree_size, created_at",
            params,
        )
        return [Recorded(Checkpoint.model_validate_json(d), k) for d, k in cur.fetchall()]
