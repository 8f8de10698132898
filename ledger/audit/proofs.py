"""Proof files: an event is in a signed tree (inclusion); an old tree is a prefix (consistency).

Both are JSON, checkable offline with only the checkpoint files and ``merkle``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Final, Literal, TypeVar
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ledger.audit import merkle
from ledger.audit.checkpoint import Checkpoint, Hash
from ledger.audit.errors import AuditInputError, ProofInvalid

INCLUSION: Final = "aidledger-inclusion/1"
CONSISTENCY: Final = "aidledger-consistency/1"
M = TypeVar("M", bound=BaseModel)


class InclusionProof(BaseModel):
    """Leaf ``leaf_index`` (= sequence - 1) of the ``tree_size`` tree with root ``root_hash``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["aidledger-inclusion/1"] = INCLUSION
    event_id: str
    sequence: int = Field(ge=1)
    leaf_index: int = Field(ge=0)
    tree_size: int = Field(ge=1)
    leaf_hash: Hash
    root_hash: Hash
    audit_path: list[Hash]
    #: The stored canonical bytes as UTF-8 text, so the leaf hash can be recomputed; optional
    #: because it holds personal data.
    payload: str | None = None


class ConsistencyProof(BaseModel):
    """The ``old_size`` tree (root ``old_root``) is a prefix of the ``new_size`` tree."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["aidledger-consistency/1"] = CONSISTENCY
    old_size: Annotated[int, Field(ge=0)]
    new_size: Annotated[int, Field(ge=0)]
    old_root: Hash
    new_root: Hash
    path: list[Hash]


def inclusion(
    leaves: list[bytes], sequence: int, event_id: str, payload: bytes | None
) -> InclusionProof:
    """The inclusion proof of the event at ``sequence`` in the tree over ``leaves``."""
    index = sequence - 1
    return InclusionProof(
        event_id=event_id,
        sequence=sequence,
        leaf_index=index,
        tree_size=len(leaves),
        leaf_hash=leaves[index].hex(),
        root_hash=merkle.root(leaves).hex(),
        audit_path=[h.hex() for h in merkle.inclusion_proof(leaves, index)],
        payload=payload.decode() if payload is not None else None,
    )


def consistency(leaves: list[bytes], old_size: int) -> ConsistencyProof:
    """The consistency proof from the first ``old_size`` leaves to all of ``leaves``."""
    return ConsistencyProof(
        old_size=old_size,
        new_size=len(leaves),
        old_root=merkle.root(leaves[:old_size]).hex(),
        new_root=merkle.root(leaves).hex(),
        path=[h.hex() for h in merkle.consistency_proof(leaves, old_size)],
    )


def check_inclusion(proof: InclusionProof, checkpoint: Checkpoint | None = None) -> None:
    """Raise ProofInvalid unless the proof leads to its root (and the checkpoint's root)."""
    what = f"event {proof.event_id} (sequence {proof.sequence})"
    leaf = bytes.fromhex(proof.leaf_hash)
    if proof.payload is not None:
        if merkle.leaf_hash(proof.payload.encode()) != leaf:
            raise ProofInvalid(f"the payload in the proof of {what} does not hash to its leaf hash")
        named = event_id_of(proof.payload)
        if named is None or _same_id(named) != _same_id(proof.event_id):
            raise ProofInvalid(
                f"the payload in the proof of {what} is event {named or '(none named)'}, not "
                f"{proof.event_id}: the proof does not show that event was recorded"
            )
    if proof.leaf_index != proof.sequence - 1:
        raise ProofInvalid(
            f"the proof of {what} has leaf index {proof.leaf_index}, not {proof.sequence - 1}"
        )
    if checkpoint is not None and (checkpoint.tree_size, checkpoint.root_hash) != (
        proof.tree_size,
        proof.root_hash,
    ):
        raise ProofInvalid(
            f"the proof of {what} is for a tree of {proof.tree_size} events with root "
            f"{proof.root_hash}, but the {checkpoint.describe()} has root {checkpoint.root_hash}"
        )
    path = [bytes.fromhex(h) for h in proof.audit_path]
    if not merkle.verify_inclusion(
        leaf, proof.leaf_index, proof.tree_size, path, bytes.fromhex(proof.root_hash)
    ):
        raise ProofInvalid(
            f"the audit path of {what} does not lead to root {proof.root_hash}: the event is "
            "not the one that was signed, or the proof was altered"
        )


def event_id_of(payload: bytes | str) -> str | None:
    """The ``event_id`` a payload names (None when it is not an event's JSON)."""
    try:
        data: Any = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    named = data.get("event_id") if isinstance(data, dict) else None
    return named if isinstance(named, str) else None


def _same_id(event_id: str) -> str:
    """An event id in one spelling (a UUID's canonical form when it is one)."""
    try:
        return str(UUID(event_id))
    except ValueError:
        return event_id


def check_consistency(proof: ConsistencyProof, old: Checkpoint, new: Checkpoint) -> None:
    """Raise ProofInvalid unless the proof links the two checkpoints' trees."""
    if (proof.old_size, proof.new_size) != (old.tree_size, new.tree_size):
        raise ProofInvalid(
            f"the consistency proof is from {proof.old_size} to {proof.new_size} events, not "
            f"from {old.tree_size} to {new.tree_size}"
        )
    path = [bytes.fromhex(h) for h in proof.path]
    if not merkle.verify_consistency(
        old.tree_size,
        new.tree_size,
        bytes.fromhex(old.root_hash),
        bytes.fromhex(new.root_hash),
        path,
    ):
        raise ProofInvalid(
            f"the {old.describe()} is not a prefix of the {new.describe()}: the consistency "
            "proof fails, so events covered by the earlier checkpoint were changed, removed or "
            "reordered"
        )


def write(proof: BaseModel, path: str | os.PathLike[str]) -> None:
    """Write a proof as indented JSON."""
    Path(path).write_text(proof.model_dump_json(indent=2) + "\n", encoding="utf-8")


def read_inclusion(path: str | os.PathLike[str]) -> InclusionProof:
    """Read an inclusion proof file."""
    return _read(InclusionProof, path)


def read_consistency(path: str | os.PathLike[str]) -> ConsistencyProof:
    """Read a consistency proof file."""
    return _read(ConsistencyProof, path)


def _read(model: type[M], path: str | os.PathLike[str]) -> M:
    try:
        return model.model_validate_json(Path(path).read_bytes())
    except OSError as exc:
        raise AuditInputError(f"cannot read proof file {path}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise AuditInputError(f"{path} is not a valid proof: {problems}") from None
