"""Frontiers: the earlier history's perfect subtrees rebuild its root and extend to later ones."""

from __future__ import annotations

import pytest

from ledger.audit.frontier import blocks, extended_root, frontier, frontier_root
from ledger.audit.merkle import EMPTY_ROOT, leaf_hash, root

LEAVES = [leaf_hash(f"event {i}".encode()) for i in range(70)]


def test_blocks_follow_the_binary_digits_of_the_size() -> None:
    assert blocks(0) == []
    assert blocks(13) == [(0, 8), (8, 12), (12, 13)]
    assert blocks(16) == [(0, 16)]


@pytest.mark.parametrize("size", range(0, 40))
def test_a_frontier_hashes_to_the_root_of_its_tree(size: int) -> None:
    hashes = frontier(LEAVES[:size])
    assert len(hashes) == bin(size).count("1")
    assert frontier_root(hashes, size) == root(LEAVES[:size])


def test_a_frontier_plus_new_leaves_gives_the_root_of_every_larger_tree() -> None:
    for total in range(0, 70):
        for size in range(0, total + 1):
            hashes = frontier(LEAVES[:size])
            assert extended_root(hashes, size, LEAVES[size:total]) == root(LEAVES[:total])


def test_an_empty_history_extends_from_the_empty_root() -> None:
    assert frontier_root([], 0) == EMPTY_ROOT
    assert extended_root([], 0, LEAVES[:5]) == root(LEAVES[:5])


def test_a_frontier_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="a frontier of a 6-leaf tree has 2 hashes, not 1"):
        frontier_root([LEAVES[0]], 6)
    with pytest.raises(ValueError, match="must be 32 bytes"):
        extended_root([b"short"], 1, [])
