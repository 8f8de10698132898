"""Proof files: built from leaf hashes, checked offline, refused when anything was changed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ledger.audit import merkle, proofs
from ledger.audit.checkpoint import Checkpoint
from ledger.audit.errors import AuditInputError, ProofInvalid

PAYLOADS = [f'{{"event_id":"e{i}"}}'.encode() for i in range(1, 12)]
LEAVES = [merkle.leaf_hash(p) for p in PAYLOADS]


def _checkpoint(size: int) -> Checkpoint:
    return Checkpoint(
        month=None,
        tree_size=size,
        root_hash=merkle.root(LEAVES[:size]).hex(),
        chain_head="ab" * 32,
        first_sequence=1,
        last_sequence=size,
        created_at=datetime(2025, 4, 1, tzinfo=UTC),
    )


def test_an_inclusion_proof_round_trips_through_its_file_and_verifies(tmp_path: Path) -> None:
    proof = proofs.inclusion(LEAVES, 5, "e5", PAYLOADS[4])
    proofs.write(proof, tmp_path / "p.json")
    again = proofs.read_inclusion(tmp_path / "p.json")
    assert again == proof and again.leaf_index == 4
    proofs.check_inclusion(again, _checkpoint(len(LEAVES)))


def test_an_inclusion_proof_for_another_tree_or_a_changed_path_fails() -> None:
    proof = proofs.inclusion(LEAVES, 3, "e3", None)
    with pytest.raises(ProofInvalid, match="is for a tree of 11 events"):
        proofs.check_inclusion(proof, _checkpoint(10))
    path = list(proof.audit_path)
    path[0] = "00" * 32
    with pytest.raises(ProofInvalid, match="does not lead to root"):
        proofs.check_inclusion(proof.model_copy(update={"audit_path": path}))
    with pytest.raises(ProofInvalid, match="leaf index 3, not 2"):
        proofs.check_inclusion(proof.model_copy(update={"leaf_index": 3}))


def test_a_consistency_proof_links_a_prefix_and_only_a_prefix() -> None:
    old, new = _checkpoint(6), _checkpoint(11)
    proof = proofs.consistency(LEAVES, 6)
    proofs.check_consistency(proof, old, new)
    rewritten = old.model_copy(update={"root_hash": merkle.root(LEAVES[1:7]).hex()})
    with pytest.raises(ProofInvalid, match="is not a prefix"):
        proofs.check_consistency(proof, rewritten, new)
    with pytest.raises(ProofInvalid, match="from 6 to 11 events, not from 5 to 11"):
        proofs.check_consistency(proof, _checkpoint(5), new)


def test_a_file_that_is_not_a_proof_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text('{"format": "aidledger-inclusion/1"}')
    with pytest.raises(AuditInputError, match="is not a valid proof: event_id"):
        proofs.read_inclusion(tmp_path / "p.json")
    with pytest.raises(AuditInputError, match="cannot read proof file"):
        proofs.read_consistency(tmp_path / "missing.json")


def test_an_inclusion_proof_whose_payload_is_another_event_fails() -> None:
    first, second = "0a8f7c35-4f0e-4b35-9a57-1c1f3e0b6a01", "5d2e8b4a-6c3f-4e21-8f9d-2b7a6c5e4d02"
    events = [f'{{"event_id":"{first}","n":1}}'.encode(), f'{{"event_id":"{second}"}}'.encode()]
    leaves = [merkle.leaf_hash(p) for p in events]
    proofs.check_inclusion(proofs.inclusion(leaves, 2, second, events[1]))
    # The store's event_id column of the second event was changed to the first's id: the
    # proof "of" the first event carries the second event's bytes and path.
    relabelled = proofs.inclusion(leaves, 2, first, events[1])
    with pytest.raises(ProofInvalid, match=f"is event {second}, not {first}"):
        proofs.check_inclusion(relabelled)
