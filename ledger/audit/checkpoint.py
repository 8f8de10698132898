"""Signed checkpoints: an Ed25519 signature over a Merkle root and the hash-chain head."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from ledger.audit.merkle import EMPTY_ROOT
from schemas.errors import AidLedgerError

FORMAT: Final = "aidledger-checkpoint/1"

_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def _month(value: str) -> str:
    if not _MONTH.fullmatch(value):
        raise ValueError(f"must be a month written YYYY-MM, like 2024-05, not {value!r}")
    return value


def _lower_hex(size: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) != size or value.strip("0123456789abcdef"):
            raise ValueError(f"must be {size} lowercase hex characters, not {value!r}")
        return value

    return AfterValidator(check)


Month = Annotated[str, AfterValidator(_month)]
Hash = Annotated[str, _lower_hex(64)]


class CheckpointError(AidLedgerError):
    """Base class for every checkpoint problem (bad input unless a subclass says otherwise)."""

    exit_code = 3


class CheckpointSignatureInvalid(CheckpointError):
    """The checkpoint is unsigned, signed by another key, or altered after signing."""

    exit_code = 1


class CheckpointFileError(CheckpointError):
    """A checkpoint file could not be read, parsed or validated."""


class KeyFileError(CheckpointError):
    """A signing key file could not be written or read."""


class Checkpoint(BaseModel):
    """A statement that ``tree_size`` events have Merkle root ``root_hash`` and chain head."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    format: Literal["aidledger-checkpoint/1"] = FORMAT
    month: Month | None
    tree_size: Annotated[int, Field(ge=0)]
    root_hash: Hash
    chain_head: Hash
    first_sequence: Annotated[int, Field(ge=0)] | None
    last_sequence: Annotated[int, Field(ge=0)] | None
    created_at: AwareDatetime
    key_id: Annotated[str, _lower_hex(16)] | None = None
    signature: Annotated[str, _lower_hex(128)] | None = None

    @field_validator("created_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_serializer("created_at", when_used="json")
    def _iso_utc(self, value: datetime) -> str:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.tree_size == 0:
            if self.first_sequence is not None or self.last_sequence is not None:
                raise ValueError("an empty checkpoint (tree_size 0) covers no sequences")
            if self.root_hash != EMPTY_ROOT.hex():
                raise ValueError("an empty checkpoint must have the empty-tree root hash")
            return self
        if self.first_sequence is None or self.last_sequence is None:
            raise ValueError("first_sequence and last_sequence are required when tree_size > 0")
        if self.last_sequence - self.first_sequence + 1 < self.tree_size:
            raise ValueError(
                f"sequences {self.first_sequence}..{self.last_sequence} cannot hold "
                f"{self.tree_size} events"
            )
        return self

    def describe(self) -> str:
        """A short human description, used in error messages."""
        scope = f" for month {self.month}" if self.month else ""
        return f"checkpoint{scope} ({self.tree_size} events)"


def compute_key_id(public_key: Ed25519PublicKey) -> str:
    """Hex of the first 8 bytes of SHA-256 of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8].hex()


def canonical_bytes(checkpoint: Checkpoint) -> bytes:
    """The signed bytes: JSON of every field but ``signature``, sorted keys, no spaces, UTF-8."""
    fields = checkpoint.model_dump(mode="json", exclude={"signature"})
    return _canonical_json(fields)


def sign(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> Checkpoint:
    """A copy of the checkpoint carrying this key's id and its Ed25519 signature."""
    keyed = checkpoint.model_copy(
        update={"key_id": compute_key_id(private_key.public_key()), "signature": None}
    )
    signature = private_key.sign(canonical_bytes(keyed)).hex()
    return keyed.model_copy(update={"signature": signature})


def verify_signature(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> None:
    """Return quietly if ``public_key`` signed exactly this checkpoint, else raise."""
    what = checkpoint.describe()
    if checkpoint.signature is None:
        raise CheckpointSignatureInvalid(f"the {what} is not signed")
    expected_id = compute_key_id(public_key)
    if checkpoint.key_id != expected_id:
        raise CheckpointSignatureInvalid(
            f"the {what} names signing key {checkpoint.key_id}, "
            f"but the public key given has id {expected_id}"
        )
    try:
        public_key.verify(bytes.fromhex(checkpoint.signature), canonical_bytes(checkpoint))
    except (InvalidSignature, ValueError):
        raise CheckpointSignatureInvalid(
            f"the signature on the {what} does not match its contents: "
            "the checkpoint was changed after it was signed, or the signature is forged"
        ) from None


def to_file(checkpoint: Checkpoint, path: str | os.PathLike[str]) -> None:
    """Write the checkpoint as indented JSON, replacing the file atomically."""
    target = Path(path)
    text = json.dumps(checkpoint.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        raise CheckpointFileError(f"cannot write checkpoint file {target}: {exc}") from exc


def from_file(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a checkpoint written by ``to_file``; the signature is not checked here."""
    source = Path(path)
    try:
        return Checkpoint.model_validate_json(source.read_bytes())
    except OSError as exc:
        raise CheckpointFileError(f"cannot read checkpoint file {source}: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or 'file'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CheckpointFileError(f"{source} is not a valid checkpoint: {problems}") from exc


def generate_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Create a new Ed25519 key: PEM private key at ``path`` (0600), public key at ``path.pub``."""
    private_path = Path(path)
    public_path = public_key_path(private_path)
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for existing in (private_path, public_path):
        if existing.exists():
            raise KeyFileError(f"{existing} already exists; refusing to overwrite a signing key")
    _write_new(private_path, private_pem, 0o600)
    _write_new(public_path, public_pem, 0o644)
    return key


def public_key_path(private_path: str | os.PathLike[str]) -> Path:
    """Where ``generate_key`` puts the public key: the private key path plus ``.pub``."""
    private = Path(private_path)
    return private.with_name(private.name + ".pub")


def load_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Read a PEM Ed25519 private key written by ``generate_key``."""
    key = _load(path, lambda pem: serialization.load_pem_private_key(pem, password=None))
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} holds a {type(key).__name__}, not an Ed25519 private key")
    return key


def load_public_key(path: str | os.PathLike[str]) -> Ed25519PublicKey:
    """Read a PEM Ed25519 public key (the ``.pub`` file)."""
    key = _load(path, serialization.load_pem_public_key)
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} holds a {type(key).__name__}, not an Ed25519 public key")
    return key


def _load(path: str | os.PathLike[str], parse: Callable[[bytes], object]) -> object:
    """Read and parse a PEM key file, turning every failure into a KeyFileError."""
    try:
        pem = Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc}") from exc
    try:
        return parse(pem)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{path} is not a PEM key file: {exc}") from exc


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` exclusively with ``mode`` and write ``data``."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError as exc:
        raise KeyFileError(f"{path} already exists; refusing to overwrite a signing key") from exc
    except OSError as exc:
        raise KeyFileError(f"cannot create key file {path}: {exc}") from exc
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), mode)
        handle.write(data)


def _canonical_json(value: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8 (the same bytes as schemas.canonical for these values)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
