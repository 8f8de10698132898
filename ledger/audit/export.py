"""``audit export``: one month of the chain, with what an auditor needs to check it offline.

Files (see docs/audit.md): ``events.jsonl`` (one stored event a line: sequence, event id,
previous hash, hash and the canonical payload as text), ``checkpoint.json`` (the month's signed
checkpoint), ``before.json`` (chain head, size, frontier and root of the history before the
month), ``consistency.json`` (proofs from every earlier recorded checkpoint), ``public_key.pem``
and ``manifest.json`` (SHA-256 of each file).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ledger.audit import checkpoints as cps
from ledger.audit import merkle, proofs
from ledger.audit.chain import GENESIS
from ledger.audit.checkpoint import Checkpoint, to_file
from ledger.audit.db import Database, checked_name, session
from ledger.audit.errors import AuditInputError, ChainBroken, CheckpointConflict
from ledger.audit.frontier import frontier
from ledger.audit.verify import verify_store
from schemas.months import add_months

FORMAT = "aidledger-export/1"
FILES = ("events.jsonl", "checkpoint.json", "before.json", "consistency.json", "public_key.pem")


@dataclass(frozen=True)
class ExportSummary:
    """What was written: the month, its sequences and the checkpoint it ends at."""

    month: str
    first_sequence: int
    last_sequence: int
    checkpoint: Checkpoint
    directory: Path

    @property
    def count(self) -> int:
        return self.last_sequence - self.first_sequence + 1


def export_month(db: Database, schema: str, month: str, out: Path) -> ExportSummary:
    """Write the export of ``month``; its checkpoint must be recorded (``audit checkpoint``)."""
    schema = checked_name(schema)
    found = cps.recorded(db, schema, month=month)
    if not found:
        raise AuditInputError(
            f"no checkpoint is recorded for {month}; run `aidledger audit checkpoint --month "
            f"{month} --key KEY` first"
        )
    mine = found[0]
    cp = mine.checkpoint
    earlier = [
        r
        for r in cps.recorded(db, schema)
        if r.checkpoint.tree_size <= cp.tree_size and r.digest != mine.digest
    ]
    previous = cps.recorded(db, schema, month=add_months(month, -1))
    start = min(
        cp.tree_size,
        previous[0].checkpoint.tree_size
        if previous
        else cps.boundary(db, schema, add_months(month, -1)),
    )
    report = verify_store(db, schema, upto=cp.tree_size, leaves=True)
    if report.problem is not None:
        raise ChainBroken(f"nothing was exported: {report.problem}")
    leaves = cps.split_leaves(report.leaf_hashes)
    if (merkle.root(leaves).hex(), report.head_hash) != (cp.root_hash, cp.chain_head):
        raise CheckpointConflict(
            f"the store no longer matches the {cp.describe()}: its first {cp.tree_size} events "
            f"give root {merkle.root(leaves).hex()}; nothing was exported"
        )
    out.mkdir(parents=True, exist_ok=True)
    head_before = _write_events(db, schema, start, cp.tree_size, out / "events.jsonl")
    _write_json(
        out / "before.json",
        {
            "tree_size": start,
            "chain_head": head_before.hex(),
            "frontier": [h.hex() for h in frontier(leaves[:start])],
            "root_hash": merkle.root(leaves[:start]).hex(),
        },
    )
    _write_json(
        out / "consistency.json",
        [
            {
                "checkpoint": r.checkpoint.model_dump(mode="json"),
                "proof": _checked_proof(leaves, r.checkpoint, cp).model_dump(mode="json"),
            }
            for r in earlier
        ],
    )
    to_file(cp, out / "checkpoint.json")
    (out / "public_key.pem").write_text(mine.public_key, encoding="utf-8")
    _write_json(
        out / "manifest.json",
        {
            "format": FORMAT,
            "month": month,
            "first_sequence": start + 1,
            "last_sequence": cp.tree_size,
            "files": {name: _sha256_file(out / name) for name in FILES},
        },
    )
    return ExportSummary(month, start + 1, cp.tree_size, cp, out)


def _checked_proof(
    leaves: list[bytes], old: Checkpoint, new: Checkpoint
) -> proofs.ConsistencyProof:
    proof = proofs.consistency(leaves, old.tree_size)
    proofs.check_consistency(proof, old, new)
    return proof


def _write_events(db: Database, schema: str, after: int, upto: int, path: Path) -> bytes:
    """Write events ``after < sequence <= upto`` as JSON lines; the chain head before them."""
    with session(db) as conn, path.open("wb") as out:
        with conn.cursor() as cur:
            cur.execute(f'SELECT hash FROM "{schema}".events WHERE sequence = %s', (after,))
            row = cur.fetchone()
        head = bytes(row[0]) if row else GENESIS
        with conn.cursor(name="aidledger_export") as cur:
            cur.itersize = 10_000
            cur.execute(
                f'SELECT sequence, event_id::text, payload, prev_hash, hash FROM "{schema}".events '
                "WHERE sequence > %s AND sequence <= %s ORDER BY sequence",
                (after, upto),
            )
            for seq, event_id, payload, prev, digest in cur:
                out.write(_line(seq, event_id, payload.encode(), bytes(prev), bytes(digest)))
    return head


def _line(seq: int, event_id: str, payload: bytes, prev: bytes, digest: bytes) -> bytes:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise ChainBroken(f"stored event {seq} ({event_id}) is not UTF-8 JSON") from None
    record: dict[str, Any] = {
        "sequence": seq,
        "event_id": event_id,
        "prev_hash": prev.hex(),
        "hash": digest.hex(),
        "payload": text,
    }
    return orjson.dumps(record) + b"\n"


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
