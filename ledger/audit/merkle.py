"""RFC 6962 / RFC 9162 Merkle tree over SHA-256: roots, inclusion and consistency proofs.

Every function here takes *leaf hashes* (``leaf_hash(entry)``, 32 bytes each), never raw
entries, so callers can hash entries as they stream them and keep only 32 bytes per leaf.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """The hash of one log entry: SHA-256(0x00 || data)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def root(leaf_hashes: Iterable[bytes]) -> bytes:
    """The Merkle tree hash of the given leaf hashes; SHA-256("") for no leaves."""
    level = _checked(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` (RFC 9162 2.1.3.1), deepest sibling first."""
    size = len(leaf_hashes)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    tree = _Levels(leaf_hashes)
    proof: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            proof.append(tree.node(lo + k, hi))
            hi = lo + k
        else:
            proof.append(tree.node(lo, lo + k))
            lo += k
    proof.reverse()
    return proof


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """The proof that the first ``old_size`` leaves are a prefix of this tree (RFC 9162 2.1.4.1)."""
    size = len(leaf_hashes)
    if not 0 <= old_size <= size:
        raise ValueError(f"old size {old_size} is not between 0 and the tree size {size}")
    if old_size in (0, size):
        return []
    tree = _Levels(leaf_hashes)
    proof: list[bytes] = []
    lo, hi, whole_old_tree = 0, size, True
    while old_size != hi:
        k = _split(hi - lo)
        if old_size - lo <= k:
            proof.append(tree.node(lo + k, hi))
            hi = lo + k
        else:
            proof.append(tree.node(lo, lo + k))
            lo += k
            whole_old_tree = False
    if not whole_old_tree:
        proof.append(tree.node(lo, hi))
    proof.reverse()
    return proof


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when ``proof`` shows leaf ``index`` of a ``tree_size`` tree hashes to ``root``."""
    if not 0 <= index < tree_size or not _all_hashes(proof, leaf_hash, root):
        return False
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows the ``old_size`` tree is a prefix of the ``new_size`` tree."""
    if not 0 <= old_size <= new_size or not _all_hashes(proof, old_root, new_root):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class _Levels:
    """Every level of the tree, so each RFC subtree hash is a single lookup."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.levels = [_checked(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            self.levels.append(_next_level(self.levels[-1]))

    def node(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for a range the RFC recursion produces (aligned, or ending at n)."""
        height = (hi - lo - 1).bit_length()
        return self.levels[height][lo >> height]


def _next_level(level: list[bytes]) -> list[bytes]:
    """Hash adjacent pairs; an odd last node moves up unchanged (equal to the RFC split)."""
    sha, pairs = _sha256, iter(level)
    parents = [sha(b"\x01" + a + b).digest() for a, b in zip(pairs, pairs, strict=False)]
    if len(level) & 1:
        parents.append(level[-1])
    return parents


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _checked(leaf_hashes: Iterable[bytes]) -> list[bytes]:
    """The leaf hashes as a list, refusing anything that is not a 32-byte hash."""
    level = list(leaf_hashes)
    if set(map(len, level)) - {HASH_SIZE}:
        bad = next(i for i, h in enumerate(level) if len(h) != HASH_SIZE)
        raise ValueError(
            f"leaf {bad} is {len(level[bad])} bytes, not a {HASH_SIZE}-byte leaf hash; "
            "hash entries with leaf_hash() first"
        )
    return level


def _all_hashes(proof: Sequence[bytes], *hashes: bytes) -> bool:
    """True when every proof element and given hash is 32 bytes long."""
    return all(len(h) == HASH_SIZE for h in hashes) and all(len(p) == HASH_SIZE for p in proof)
