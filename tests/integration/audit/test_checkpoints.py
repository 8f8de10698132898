"""Signed checkpoints from the store: monthly prefixes, inclusion and consistency proofs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine

from ledger import Ledger
from ledger.audit import checkpoints as cps
from ledger.audit import proofs, store_proofs
from ledger.audit.checkpoint import Checkpoint, generate_key, to_file
from ledger.audit.db import Database
from ledger.audit.errors import AuditInputError, CheckpointConflict, ProofInvalid
from tests.integration.audit import scenario
from tests.integration.audit.conftest import appended_in, domain_projectors, rewrite_payload

pytestmark = pytest.mark.integration

Sql = Callable[..., list[tuple[Any, ...]]]
Cli = Callable[..., int]


@pytest.fixture
def key(tmp_path: Path) -> Ed25519PrivateKey:
    return generate_key(tmp_path / "dept.key")


def _event(sql: Sql, receipt: str) -> tuple[int, str]:
    sequence, event_id = sql(
        "SELECT sequence, event_id::text FROM ledger.events WHERE body->>'receipt_no' = %s", receipt
    )[0]
    return sequence, event_id


def _signed(db: Database, key: Ed25519PrivateKey, month: str | None = None) -> Checkpoint:
    return cps.sign_and_record(db, "ledger", cps.build(db, "ledger", month), key).checkpoint


def test_month_checkpoints_cover_everything_appended_before_the_month_ended(
    monthly: Ledger, db: Database, key: Ed25519PrivateKey, superuser: Sql
) -> None:
    january, february = _signed(db, key, "2025-01"), _signed(db, key, "2025-02")
    stored_in_january = len(scenario.january())
    assert (january.tree_size, january.first_sequence, january.last_sequence) == (
        stored_in_january,
        1,
        stored_in_january,
    )
    chain_head = superuser("SELECT hash FROM ledger.events WHERE sequence = %s", stored_in_january)[
        0
    ][0]
    assert january.chain_head == bytes(chain_head).hex()
    assert stored_in_january < february.tree_size < monthly.head()[0]
    assert _signed(db, key, "2025-01") == january  # recorded once, returned again
    assert [r.checkpoint.month for r in cps.recorded(db, "ledger")] == ["2025-01", "2025-02"]
    this_month = datetime.now(UTC).strftime("%Y-%m")
    with pytest.raises(AuditInputError, match="is not over"):
        cps.build(db, "ledger", this_month)


def test_a_month_checkpoint_ends_before_the_first_event_appended_after_the_month(
    monthly: Ledger, db: Database, key: Ed25519PrivateKey, superuser: Sql
) -> None:
    # Appends stamp the time their transaction began: one that began just after midnight
    # (UTC+7) can take its sequence before one that began just before it and waited.
    late = len(scenario.january()) - 1
    appended_in(superuser, late, late, "2025-01-31T17:00:01Z")

    january = _signed(db, key, "2025-01")

    assert january.last_sequence == late - 1  # not the event after it, appended "earlier"


def test_a_month_recorded_again_after_history_changed_is_a_conflict(
    monthly: Ledger, db: Database, key: Ed25519PrivateKey, superuser: Sql
) -> None:
    _signed(db, key, "2025-01")
    appended_in(
        superuser, len(scenario.january()) + 1, len(scenario.january()) + 1, "2025-01-31T03:00:00Z"
    )  # an event moved into January after it was signed
    with pytest.raises(CheckpointConflict, match="changed after it was signed"):
        _signed(db, key, "2025-01")


def test_an_inclusion_proof_verifies_and_fails_for_a_tampered_event(
    live: Ledger,
    db: Database,
    key: Ed25519PrivateKey,
    superuser: Sql,
    cli: Cli,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    signed = _signed(db, key)
    to_file(signed, tmp_path / "cp.json")
    sequence, event_id = _event(superuser, "R-2")
    proof = store_proofs.prove_event(db, "ledger", event_id, signed)
    proofs.check_inclusion(proof, signed)
    assert (proof.leaf_index, proof.tree_size) == (sequence - 1, signed.tree_size)
    pub = tmp_path / "dept.key.pub"
    assert cli("audit", "prove", event_id, "--checkpoint", tmp_path / "cp.json") == 0
    printed = proofs.InclusionProof.model_validate_json(capsys.readouterr().out)
    assert printed == proof
    assert (
        cli(
            "audit",
            "prove",
            event_id,
            "--checkpoint",
            tmp_path / "cp.json",
            "--out",
            tmp_path / "proof.json",
        )
        == 0
    )
    assert (
        cli(
            "audit",
            "verify-proof",
            tmp_path / "proof.json",
            "--checkpoint",
            tmp_path / "cp.json",
            "--public-key",
            pub,
        )
        == 0
    )

    assert proof.payload is not None
    forged = proof.model_copy(update={"payload": proof.payload.replace("R-2", "R-7")})
    with pytest.raises(ProofInvalid, match="does not hash to its leaf"):
        proofs.check_inclusion(forged, signed)
    rewrite_payload(superuser, sequence, '"receipt_no":"R-2"', '"receipt_no":"R-7"')
    tampered = store_proofs.prove_event(db, "ledger", event_id, signed)
    with pytest.raises(ProofInvalid, match="does not lead to root"):
        proofs.check_inclusion(tampered.model_copy(update={"root_hash": signed.root_hash}))
    with pytest.raises(ProofInvalid):
        proofs.check_inclusion(tampered, signed)
    assert (
        cli(
            "audit",
            "prove",
            event_id,
            "--checkpoint",
            tmp_path / "cp.json",
            "--out",
            tmp_path / "tampered.json",
        )
        == 0
    )
    assert (
        cli(
            "audit",
            "verify-proof",
            tmp_path / "tampered.json",
            "--checkpoint",
            tmp_path / "cp.json",
            "--public-key",
            pub,
        )
        == 1
    )


def test_a_consistency_proof_links_two_checkpoints_and_fails_after_an_earlier_edit(
    ledger_url: str,
    db: Database,
    key: Ed25519PrivateKey,
    superuser: Sql,
    cli: Cli,
    tmp_path: Path,
) -> None:
    engine = create_engine(ledger_url)
    ledger = Ledger(engine, "ledger", domain_projectors())
    first, *later = scenario.batches()
    ledger.append(first)
    old = _signed(db, key)
    for batch in later:
        ledger.append(batch)
    new = _signed(db, key)
    engine.dispose()
    to_file(old, tmp_path / "old.json")
    to_file(new, tmp_path / "new.json")
    proofs.check_consistency(store_proofs.prove_consistency(db, "ledger", old, new), old, new)
    pub = tmp_path / "dept.key.pub"
    assert (
        cli(
            "audit",
            "verify-checkpoint",
            tmp_path / "old.json",
            "--against",
            tmp_path / "new.json",
            "--public-key",
            pub,
            "--save-proof",
            tmp_path / "link.json",
        )
        == 0
    )
    assert cli("audit", "verify-checkpoint", tmp_path / "old.json", "--public-key", pub) == 0

    sequence, _ = _event(superuser, "R-1")
    assert sequence <= old.tree_size
    rewrite_payload(superuser, sequence, '"receipt_no":"R-1"', '"receipt_no":"R-9"')
    with pytest.raises(ProofInvalid, match="is not a prefix"):
        proofs.check_consistency(store_proofs.prove_consistency(db, "ledger", old, new), old, new)
    assert (
        cli(
            "audit",
            "verify-checkpoint",
            tmp_path / "old.json",
            "--against",
            tmp_path / "new.json",
            "--public-key",
            pub,
        )
        == 1
    )
    assert cli("audit", "verify-checkpoint", tmp_path / "old.json", "--public-key", pub) == 1
    # The proof saved before the edit still links the two signed checkpoints offline.
    assert (
        cli(
            "audit",
            "verify-checkpoint",
            tmp_path / "old.json",
            "--against",
            tmp_path / "new.json",
            "--public-key",
            pub,
            "--proof",
            tmp_path / "link.json",
        )
        == 0
    )


def test_a_checkpoint_checked_with_another_key_is_refused(
    live: Ledger,
    db: Database,
    key: Ed25519PrivateKey,
    cli: Cli,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    to_file(_signed(db, key), tmp_path / "cp.json")
    generate_key(tmp_path / "other.key")
    assert (
        cli(
            "audit",
            "verify-checkpoint",
            tmp_path / "cp.json",
            "--public-key",
            tmp_path / "other.key.pub",
        )
        == 1
    )
    assert "names signing key" in " ".join(capsys.readouterr().err.split())


def test_the_checkpoint_command_signs_records_and_writes_the_file(
    monthly: Ledger, cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("audit", "keygen", tmp_path / "k") == 0
    assert (
        cli(
            "audit",
            "checkpoint",
            "--month",
            "2025-02",
            "--key",
            tmp_path / "k",
            "--out",
            tmp_path / "feb.json",
        )
        == 0
    )
    assert "checkpoint 2025-02" in " ".join(capsys.readouterr().out.split())
    assert (
        cli("audit", "verify-checkpoint", tmp_path / "feb.json", "--public-key", tmp_path / "k.pub")
        == 0
    )
    # A usage error, refused before any key or database is read.
    assert cli("audit", "checkpoint", "--month", "2025-13", "--key", tmp_path / "k") == 2
