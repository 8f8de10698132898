"""Compact ranges: the roots of the perfect subtrees that make up the first ``size`` leaves.

An export carries the frontier of the tree before its month, so an auditor can recompute the
month's Merkle root from the month's events alone, and the earlier root from the frontier.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.audit.merkle import EMPTY_ROOT, HASH_SIZE, node_hash
from ledger.audit.merkle import root as merkle_root


def blocks(size: int) -> list[tuple[int, int]]:
    """The ``[lo, hi)`` leaf ranges of the frontier of a ``size``-leaf tree, largest first."""
    out: list[tuple[int, int]] = []
    lo = 0
    for bit in reversed(range(size.bit_length())):
        width = 1 << bit
        if size & width:
            out.append((lo, lo + width))
            lo += width
    return out


def frontier(leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The frontier hashes of a tree over ``leaf_hashes`` (one per set bit of its size)."""
    return [merkle_root(leaf_hashes[lo:hi]) for lo, hi in blocks(len(leaf_hashes))]


def frontier_root(hashes: Sequence[bytes], size: int) -> bytes:
    """The Merkle root of the ``size``-leaf tree whose frontier is ``hashes``."""
    _check(hashes, size)
    if size == 0:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def extended_root(hashes: Sequence[bytes], size: int, new_leaves: Sequence[bytes]) -> bytes:
    """The root of the tree of ``size`` leaves (given by their frontier) plus ``new_leaves``."""
    _check(hashes, size)
    known = dict(zip(blocks(size), hashes, strict=True))
    total = size + len(new_leaves)
    if total == 0:
        return EMPTY_ROOT

    def subtree(lo: int, hi: int) -> bytes:
        if (lo, hi) in known:
            # Every perfect node left of the old size is one of the frontier blocks.
            return known[(lo, hi)]
        if lo >= size:
            return merkle_root(new_leaves[lo - size : hi - size])
        split = 1 << ((hi - lo - 1).bit_length() - 1)
        return node_hash(subtree(lo, lo + split), subtree(lo + split, hi))

    return subtree(0, total)


def _check(hashes: Sequence[bytes], size: int) -> None:
    expected = bin(size).count("1") if size >= 0 else -1
    if len(hashes) != expected:
        raise ValueError(
            f"a frontier of a {size}-leaf tree has {expected} hashes, not {len(hashes)}"
        )
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ValueError(f"every frontier hash must be {HASH_SIZE} bytes")
