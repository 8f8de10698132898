"""Proofs computed from the store: inclusion of an event, consistency of two checkpoints, and
whether the store still holds exactly what a checkpoint signed.

Leaves are hashed from the store as it is now, without trusting its chain: if stored events
were altered, the proofs computed here fail against the signed roots, which is the point.
"""

from __future__ import annotations

from uuid import UUID

from ledger.audit import merkle, proofs
from ledger.audit.checkpoint import Checkpoint
from ledger.audit.checkpoints import split_leaves
from ledger.audit.db import Database, checked_name, session
from ledger.audit.errors import AuditInputError, ChainBroken, UnknownEvent
from ledger.audit.verify import verify_store


def leaves(db: Database, schema: str, size: int) -> list[bytes]:
    """Leaf hashes of events 1..size as stored (a missing sequence is an error)."""
    report = verify_store(db, schema, upto=size, leaves=True, check=False)
    if report.problem is not None:
        raise ChainBroken(f"the store cannot give {size} leaves: {report.problem}")
    return split_leaves(report.leaf_hashes)


def prove_event(
    db: Database,
    schema: str,
    event_id: str,
    checkpoint: Checkpoint | None,
    with_payload: bool = True,
) -> proofs.InclusionProof:
    """The inclusion proof of an event in the checkpoint's tree (or in the whole store)."""
    try:
        wanted = str(UUID(event_id))
    except ValueError:
        raise AuditInputError(f"{event_id!r} is not an event id (a UUID)") from None
    with session(db) as conn, conn.cursor() as cur:
        cur.execute(
            f'SELECT sequence, payload FROM "{checked_name(schema)}".events WHERE event_id = %s',
            (wanted,),
        )
        row = cur.fetchone()
        if row is None:
            raise UnknownEvent(f"no stored event has id {wanted}")
        cur.execute(f'SELECT coalesce(max(sequence), 0) FROM "{schema}".events')
        top = int(cur.fetchone()[0])
    sequence, payload = int(row[0]), row[1].encode()
    size = checkpoint.tree_size if checkpoint is not None else top
    if sequence > size:
        raise AuditInputError(
            f"event {wanted} has sequence {sequence}, after the {size} events the checkpoint "
            "covers; prove it against a later checkpoint"
        )
    tree = leaves(db, schema, size)
    return proofs.inclusion(tree, sequence, wanted, payload if with_payload else None)


def prove_consistency(
    db: Database, schema: str, old: Checkpoint, new: Checkpoint
) -> proofs.ConsistencyProof:
    """The consistency proof from ``old`` to ``new``, computed from the stored leaves."""
    if old.tree_size > new.tree_size:
        raise AuditInputError(
            f"the {old.describe()} is larger than the {new.describe()}; give the earlier one first"
        )
    return proofs.consistency(leaves(db, schema, new.tree_size), old.tree_size)


def store_matches(db: Database, schema: str, checkpoint: Checkpoint) -> None:
    """Raise unless the store's first ``tree_size`` events give the checkpoint's root and head."""
    report = verify_store(db, schema, upto=checkpoint.tree_size, leaves=True)
    if report.problem is not None:
        raise ChainBroken(str(report.problem))
    root = merkle.root(split_leaves(report.leaf_hashes)).hex()
    if (root, report.head_hash) != (checkpoint.root_hash, checkpoint.chain_head):
        raise ChainBroken(
            f"the store's first {checkpoint.tree_size} events give root {root} and chain head "
            f"{report.head_hash}, not what the {checkpoint.describe()} signed"
        )
