"""``audit verify-export``: check an export with no database, only its files and a public key.

The chain segment is recomputed from the head before the month, every leaf is hashed, and the
month's Merkle root is rebuilt from the frontier of the earlier history plus those leaves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from ledger.audit import merkle, proofs
from ledger.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    from_file,
    load_public_key,
    verify_signature,
)
from ledger.audit.errors import ExportInvalid, ProofInvalid
from ledger.audit.export import FILES, FORMAT
from ledger.audit.frontier import extended_root, frontier_root
from schemas.months import add_months


@dataclass
class ExportCheck:
    """What was checked, in order, and the checkpoint the export ends at."""

    checkpoint: Checkpoint | None = None
    events: int = 0
    checked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def verify_export(
    directory: Path, public_key: Ed25519PublicKey | None = None, against: Checkpoint | None = None
) -> ExportCheck:
    """Raise ExportInvalid at the first problem; otherwise say what was checked."""
    result = ExportCheck()
    manifest = _json(directory / "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExportInvalid(f"{directory}/manifest.json is not an {FORMAT} manifest")
    cp = _checkpoint(directory / "checkpoint.json")
    result.checkpoint = cp
    _signature(directory, cp, public_key, result)
    size, start, front = _before(directory / "before.json")
    leaves, head = _segment(directory / "events.jsonl", size, start)
    result.events = len(leaves)
    result.checked.append(
        f"{len(leaves)} events, sequences {size + 1}..{size + len(leaves)}: every hash recomputes"
        f" from the head before the month ({start.hex()[:16]}…)"
    )
    if size + len(leaves) != cp.tree_size or head.hex() != cp.chain_head:
        raise ExportInvalid(
            f"the chain segment ends at sequence {size + len(leaves)} with head {head.hex()}, "
            f"but the checkpoint covers {cp.tree_size} events with head {cp.chain_head}"
        )
    root = extended_root(front, size, leaves).hex()
    if root != cp.root_hash:
        raise ExportInvalid(
            f"the Merkle root of the {cp.tree_size} events is {root}, but the checkpoint signed "
            f"{cp.root_hash}"
        )
    result.checked.append(f"the chain head and Merkle root equal the signed {cp.describe()}")
    _consistency(directory, cp, against, result, (size, frontier_root(front, size).hex()))
    for name in FILES:
        _same_digest(directory / name, manifest.get("files", {}).get(name))
    result.checked.append(f"file digests of {', '.join(FILES)} match the manifest")
    return result


def _before(path: Path) -> tuple[int, bytes, list[bytes]]:
    """Size, chain head and frontier of the history before the month (checked together)."""
    before = _json(path)
    try:
        size, head = int(before["tree_size"]), bytes.fromhex(before["chain_head"])
        front = [bytes.fromhex(h) for h in before["frontier"]]
        root = frontier_root(front, size).hex()
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportInvalid(f"before.json is malformed ({exc})") from None
    if root != before["root_hash"]:
        raise ExportInvalid("before.json: the frontier does not hash to the root it states")
    return size, head, front


def _segment(path: Path, size: int, head: bytes) -> tuple[list[bytes], bytes]:
    sha, leaves = hashlib.sha256, []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            where = f"events.jsonl line {number}"
            try:
                row = orjson.loads(line)
                seq, event_id, payload = row["sequence"], row["event_id"], row["payload"]
                prev, stored = bytes.fromhex(row["prev_hash"]), bytes.fromhex(row["hash"])
                data = payload.encode("utf-8")
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
                raise ExportInvalid(f"{where} is not an exported event record") from None
            what = f"{where} (sequence {seq}, event {event_id})"
            if seq != size + number:
                raise ExportInvalid(f"{what}: expected sequence {size + number}")
            if prev != head:
                raise ExportInvalid(
                    f"{what}: previous hash {prev.hex()} is not the head "
                    f"{head.hex()} of the line before"
                )
            head = sha(prev + data).digest()
            if head != stored:
                raise ExportInvalid(
                    f"{what}: the payload hashes to {head.hex()}, not to the "
                    f"stored hash {stored.hex()}; the line was altered"
                )
            named = proofs.event_id_of(data)
            if named != event_id:
                raise ExportInvalid(
                    f"{what}: its payload is event {named or '(none named)'}; the line names "
                    "another event than the one that was hashed"
                )
            leaves.append(merkle.leaf_hash(data))
    return leaves, head


def _signature(
    directory: Path, cp: Checkpoint, key: Ed25519PublicKey | None, result: ExportCheck
) -> None:
    if key is None:
        key = _public_key(directory / "public_key.pem")
        result.warnings.append(
            f"the signature was checked with the key shipped in the export (id {cp.key_id}); "
            "give --public-key with the key the department published to rule out a forgery"
        )
    try:
        verify_signature(cp, key)
    except CheckpointError as exc:
        raise ExportInvalid(f"checkpoint.json: {exc}") from None
    result.checked.append(f"the checkpoint is signed by key {cp.key_id}")


def _consistency(
    directory: Path,
    cp: Checkpoint,
    against: Checkpoint | None,
    result: ExportCheck,
    before: tuple[int, str],
) -> None:
    entries = _json(directory / "consistency.json")
    sizes = []
    for entry in entries:
        try:
            old = Checkpoint.model_validate_json(json.dumps(entry["checkpoint"]))
            proof = proofs.ConsistencyProof.model_validate(entry["proof"])
            proofs.check_consistency(proof, old, cp)
        except (ValidationError, KeyError, TypeError) as exc:
            raise ExportInvalid(f"consistency.json: an entry is malformed ({exc})") from None
        except ProofInvalid as exc:
            raise ExportInvalid(f"consistency.json: {exc}") from None
        _starts_after(old, cp, before)
        sizes.append(old.tree_size)
        if against is not None and old.tree_size == against.tree_size:
            if old.root_hash != against.root_hash:
                raise ExportInvalid(
                    f"the {against.describe()} you hold has root {against.root_hash}, but this "
                    f"history had root {old.root_hash} at that size: history was rewritten"
                )
            result.checked.append(f"the {against.describe()} you hold is a prefix of this one")
    if entries:
        result.checked.append(
            f"{len(entries)} earlier checkpoints are prefixes of this one "
            f"(sizes {', '.join(map(str, sizes))})"
        )
    if against is not None and against.tree_size not in sizes:
        raise ExportInvalid(
            f"the export has no consistency proof from the {against.describe()}; check it "
            "with `aidledger audit verify-checkpoint` against the store"
        )


def _starts_after(old: Checkpoint, cp: Checkpoint, before: tuple[int, str]) -> None:
    """The history before the month must be the signed one: the previous month's checkpoint
    (the export starts after it), or any earlier checkpoint of the same size."""
    size, root = before
    previous = cp.month is not None and old.month == add_months(cp.month, -1)
    if previous and old.tree_size != size:
        raise ExportInvalid(
            f"before.json: the history before the month holds {size} events, but the signed "
            f"{old.describe()} ends at {old.tree_size}: the month's events do not start after "
            "it, so events are missing from the export or were added to it"
        )
    if old.tree_size == size and old.root_hash != root:
        raise ExportInvalid(
            f"before.json: the history before the month has root {root}, but the signed "
            f"{old.describe()} has root {old.root_hash}"
        )


def _checkpoint(path: Path) -> Checkpoint:
    try:
        return from_file(path)
    except CheckpointError as exc:
        raise ExportInvalid(str(exc)) from None


def _public_key(path: Path) -> Ed25519PublicKey:
    try:
        return load_public_key(path)
    except CheckpointError as exc:
        raise ExportInvalid(str(exc)) from None


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExportInvalid(f"cannot read {path}: {exc}") from None


def _same_digest(path: Path, expected: object) -> None:
    try:
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ExportInvalid(f"cannot read {path}: {exc}") from None
    if actual != expected:
        raise ExportInvalid(
            f"{path.name} does not match the manifest (sha256 {actual}); the "
            "file was changed after the export"
        )
