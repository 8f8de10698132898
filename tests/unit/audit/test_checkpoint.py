"""Signed checkpoints: canonical bytes, Ed25519 signing, validation, files and keys."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from ledger.audit.checkpoint import (
    Checkpoint,
    CheckpointFileError,
    CheckpointSignatureInvalid,
    KeyFileError,
    canonical_bytes,
    compute_key_id,
    from_file,
    generate_key,
    load_private_key,
    load_public_key,
    public_key_path,
    sign,
    to_file,
    verify_signature,
)
from ledger.audit.merkle import EMPTY_ROOT

CREATED = datetime(2024, 6, 1, 2, 3, 4, 500000, tzinfo=UTC)


def _fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "month": "2024-05",
        "tree_size": 3,
        "root_hash": "aa" * 32,
        "chain_head": "bb" * 32,
        "first_sequence": 10,
        "last_sequence": 12,
        "created_at": CREATED,
    }
    fields.update(changes)
    return fields


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def checkpoint() -> Checkpoint:
    return Checkpoint(**_fields())


def test_a_signed_checkpoint_verifies_with_the_signers_public_key(
    checkpoint: Checkpoint, key: Ed25519PrivateKey
) -> None:
    signed = sign(checkpoint, key)
    assert signed.key_id == compute_key_id(key.public_key())
    assert signed.signature is not None
    verify_signature(signed, key.public_key())


def test_signing_leaves_the_original_checkpoint_unchanged(
    checkpoint: Checkpoint, key: Ed25519PrivateKey
) -> None:
    sign(checkpoint, key)
    assert checkpoint.signature is None
    assert checkpoint.key_id is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("month", "2024-04"),
        ("month", None),
        ("tree_size", 2),
        ("root_hash", "ab" * 32),
        ("chain_head", "cd" * 32),
        ("first_sequence", 11),
        ("last_sequence", 13),
        ("created_at", CREATED + timedelta(microseconds=1)),
    ],
)
def test_changing_any_signed_field_breaks_the_signature(
    checkpoint: Checkpoint, key: Ed25519PrivateKey, field: str, value: object
) -> None:
    altered = sign(checkpoint, key).model_copy(update={field: value})
    with pytest.raises(CheckpointSignatureInvalid, match="changed after it was signed"):
        verify_signature(altered, key.public_key())


def test_a_checkpoint_signed_by_another_key_names_both_key_ids(
    checkpoint: Checkpoint, key: Ed25519PrivateKey
) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    signed = sign(checkpoint, key)
    with pytest.raises(CheckpointSignatureInvalid) as raised:
        verify_signature(signed, other)
    assert str(signed.key_id) in str(raised.value)
    assert compute_key_id(other) in str(raised.value)


def test_a_signature_moved_to_another_key_id_is_rejected(
    checkpoint: Checkpoint, key: Ed25519PrivateKey
) -> None:
    other = Ed25519PrivateKey.generate()
    forged = sign(checkpoint, key).model_copy(update={"key_id": compute_key_id(other.public_key())})
    with pytest.raises(CheckpointSignatureInvalid, match="changed after it was signed"):
        verify_signature(forged, other.public_key())


def test_an_unsigned_checkpoint_is_rejected(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> None:
    with pytest.raises(
        CheckpointSignatureInvalid, match=r"checkpoint for month 2024-05 \(3 events\) is not signed"
    ):
        verify_signature(checkpoint, key.public_key())


def test_the_signed_bytes_are_sorted_compact_json_without_the_signature(
    checkpoint: Checkpoint, key: Ed25519PrivateKey
) -> None:
    signed = sign(checkpoint, key)
    expected = (
        '{"chain_head":"' + "bb" * 32 + '",'
        '"created_at":"2024-06-01T02:03:04.500000Z",'
        '"first_sequence":10,"format":"aidledger-checkpoint/1",'
        '"key_id":"' + compute_key_id(key.public_key()) + '",'
        '"last_sequence":12,"month":"2024-05",'
        '"root_hash":"' + "aa" * 32 + '","tree_size":3}'
    ).encode()
    assert canonical_bytes(signed) == expected
    key.public_key().verify(bytes.fromhex(str(signed.signature)), expected)


def test_the_key_id_is_the_first_eight_bytes_of_sha256_of_the_raw_public_key() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert compute_key_id(key.public_key()) == hashlib.sha256(raw).digest()[:8].hex()
    assert len(compute_key_id(key.public_key())) == 16


def test_created_at_in_another_timezone_is_stored_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    made = Checkpoint(**_fields(created_at=datetime(2024, 6, 1, 4, 3, 4, 500000, tzinfo=paris)))
    assert made.created_at == CREATED
    assert made.created_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"created_at": datetime(2024, 6, 1)}, "timezone"),
        ({"month": "2024-13"}, "month"),
        ({"month": "2024-5"}, "month"),
        ({"root_hash": "AA" * 32}, "root_hash"),
        ({"root_hash": "aa" * 31}, "root_hash"),
        ({"chain_head": "zz" * 32}, "chain_head"),
        ({"tree_size": -1}, "tree_size"),
        ({"tree_size": "3"}, "tree_size"),
        ({"first_sequence": 13}, "cannot hold 3 events"),
        ({"last_sequence": None}, "required when tree_size > 0"),
        ({"tree_size": 0}, "covers no sequences"),
        ({"format": "aidledger-checkpoint/2"}, "format"),
        ({"key_id": "abc"}, "key_id"),
        ({"signature": "00"}, "signature"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_checkpoints_are_refused_with_the_reason(
    changes: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        Checkpoint(**_fields(**changes))


def test_an_empty_checkpoint_has_the_empty_tree_root_and_no_sequences() -> None:
    empty = _fields(tree_size=0, first_sequence=None, last_sequence=None)
    assert Checkpoint(**empty | {"root_hash": EMPTY_ROOT.hex()}).tree_size == 0
    with pytest.raises(ValidationError, match="empty-tree root hash"):
        Checkpoint(**empty)


def test_checkpoints_are_immutable(checkpoint: Checkpoint) -> None:
    with pytest.raises(ValidationError):
        checkpoint.tree_size = 4  # type: ignore[misc]


def test_a_checkpoint_file_round_trips_and_still_verifies(
    tmp_path: Path, checkpoint: Checkpoint, key: Ed25519PrivateKey
) -> None:
    signed = sign(checkpoint, key)
    path = tmp_path / "2024-05.checkpoint.json"
    to_file(signed, path)
    loaded = from_file(path)
    assert loaded == signed
    verify_signature(loaded, key.public_key())
    assert json.loads(path.read_text())["signature"] == signed.signature
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024-05.checkpoint.json"]


def test_a_missing_checkpoint_file_is_reported_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(CheckpointFileError, match=r"cannot read checkpoint file .*missing\.json"):
        from_file(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("not json", "is not a valid checkpoint: file: Invalid JSON"),
        ('{"tree_size": 3}', "root_hash: Field required"),
    ],
)
def test_a_malformed_checkpoint_file_is_reported_with_the_problem(
    tmp_path: Path, content: str, complaint: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CheckpointFileError, match=complaint):
        from_file(path)


def test_an_edited_checkpoint_file_fails_verification(
    tmp_path: Path, checkpoint: Checkpoint, key: Ed25519PrivateKey
) -> None:
    path = tmp_path / "cp.json"
    to_file(sign(checkpoint, key), path)
    data = json.loads(path.read_text())
    data["tree_size"] = 2
    path.write_text(json.dumps(data))
    with pytest.raises(CheckpointSignatureInvalid):
        verify_signature(from_file(path), key.public_key())


def test_generate_key_writes_a_private_key_only_the_owner_can_read(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    key = generate_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_key_path(path) == tmp_path / "audit.key.pub"
    loaded = load_private_key(path)
    public = load_public_key(tmp_path / "audit.key.pub")
    assert compute_key_id(loaded.public_key()) == compute_key_id(key.public_key())
    assert compute_key_id(public) == compute_key_id(key.public_key())


def test_generate_key_refuses_to_overwrite_an_existing_key(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    first = generate_key(path)
    with pytest.raises(KeyFileError, match="already exists; refusing to overwrite"):
        generate_key(path)
    assert compute_key_id(load_private_key(path).public_key()) == compute_key_id(first.public_key())


def test_loading_a_missing_or_garbled_key_says_which_file(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match=r"cannot read key file .*nowhere\.pub"):
        load_public_key(tmp_path / "nowhere.pub")
    garbled = tmp_path / "garbled.pub"
    garbled.write_text("hello")
    with pytest.raises(KeyFileError, match=r"garbled\.pub is not a PEM key file"):
        load_public_key(garbled)


def test_loading_a_key_of_another_algorithm_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ec.key"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(KeyFileError, match="not an Ed25519 private key"):
        load_private_key(path)
