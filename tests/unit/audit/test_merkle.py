"""RFC 6962 Merkle tree: published vectors, a literal reference implementation, properties."""

from __future__ import annotations

import hashlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.audit.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# Test data published with the Certificate Transparency reference implementation
# (transparency-dev/merkle, testonly/constants.go and proof/verify_test.go).
ENTRIES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOTS = [
    bytes.fromhex(h)
    for h in [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]
LEAVES = [leaf_hash(e) for e in ENTRIES]


def _hashes(*hexes: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in hexes]


# (0-based leaf index, tree size, proof)
INCLUSION_VECTORS = [
    (
        0,
        8,
        _hashes(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        5,
        8,
        _hashes(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (2, 3, _hashes("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (
        1,
        5,
        _hashes(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
]

# (old size, new size, proof)
CONSISTENCY_VECTORS = [
    (
        1,
        8,
        _hashes(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        _hashes(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        5,
        _hashes(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        6,
        7,
        _hashes(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]

# A literal transcription of the RFC 9162 definitions, recursive, over raw entries.


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True) if 0 < m < len(d) else []


def _entries(n: int, salt: bytes = b"") -> list[bytes]:
    return [salt + i.to_bytes(4, "big") * (i % 3) for i in range(n)]


HYPOTHESIS = settings(max_examples=60, deadline=None, database=None)


def test_the_empty_tree_hash_is_sha256_of_nothing() -> None:
    assert root([]) == EMPTY_ROOT == ROOTS[0]


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_published_rfc6962_vectors(size: int) -> None:
    assert root(LEAVES[:size]) == ROOTS[size]


def test_leaf_and_node_hashes_use_the_rfc_domain_prefixes() -> None:
    assert leaf_hash(b"") == ROOTS[1]
    assert node_hash(LEAVES[0], LEAVES[1]) == ROOTS[2]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_inclusion_proofs_match_the_published_vectors(
    index: int, size: int, proof: list[bytes]
) -> None:
    assert inclusion_proof(LEAVES[:size], index) == proof
    assert verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_consistency_proofs_match_the_published_vectors(
    old: int, new: int, proof: list[bytes]
) -> None:
    assert consistency_proof(LEAVES[:new], old) == proof
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


@pytest.mark.parametrize("size", range(71))
def test_roots_and_proofs_equal_the_literal_rfc_definitions(size: int) -> None:
    entries = _entries(size)
    leaves = [leaf_hash(e) for e in entries]
    assert root(leaves) == ref_mth(entries)
    for index in range(size):
        assert inclusion_proof(leaves, index) == ref_path(index, entries)
    for old in range(size + 1):
        assert consistency_proof(leaves, old) == ref_proof(old, entries)


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_every_corruption_of_an_inclusion_proof_is_rejected(
    index: int, size: int, proof: list[bytes]
) -> None:
    leaf, good_root = LEAVES[index], ROOTS[size]
    some = hashlib.sha256(b"some hash").digest()
    probes = [
        (leaf, index - 1, size, proof, good_root),
        (leaf, index + 1, size, proof, good_root),
        (leaf, index ^ 2, size, proof, good_root),
        (leaf, index, size * 2, proof, good_root),
        (leaf, index, size // 2, proof, good_root),
        (some, index, size, proof, good_root),
        (leaf, index, size, proof, EMPTY_ROOT),
        (leaf, index, size, [*proof, b""], good_root),
        (leaf, index, size, [*proof, good_root], good_root),
        (leaf, index, size, [good_root, *proof], good_root),
        (leaf, index, size, proof[:-1], good_root),
        (leaf, index, size, [proof[0], some, *proof[1:]], good_root),
    ]
    for i in range(len(proof)):
        flipped = bytes([proof[i][0] ^ 8]) + proof[i][1:]
        probes.append((leaf, index, size, [*proof[:i], flipped, *proof[i + 1 :]], good_root))
    for probe in probes:
        assert not verify_inclusion(*probe), probe


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_every_corruption_of_a_consistency_proof_is_rejected(
    old: int, new: int, proof: list[bytes]
) -> None:
    r1, r2 = ROOTS[old], ROOTS[new]
    probes = [
        (old - 1, new, r1, r2, proof),
        (old + 1, new, r1, r2, proof),
        (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof),
        (old, new // 2, r1, r2, proof),
        (old, new, EMPTY_ROOT, r2, proof),
        (old, new, r1, EMPTY_ROOT, proof),
        (old, new, r2, r1, proof),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*proof, b""]),
        (old, new, r1, r2, [*proof, r1]),
        (old, new, r1, r2, [*proof, r2]),
        (old, new, r1, r2, [r1, *proof]),
        (old, new, r1, r2, [r2, *proof]),
        (old, new, r1, r2, [proof[0], *proof]),
        (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = bytes([proof[i][0] ^ 16]) + proof[i][1:]
        probes.append((old, new, r1, r2, [*proof[:i], flipped, *proof[i + 1 :]]))
    for probe in probes:
        assert not verify_consistency(*probe), probe


def test_a_single_leaf_tree_has_an_empty_proof_and_its_leaf_as_root() -> None:
    assert inclusion_proof(LEAVES[:1], 0) == []
    assert verify_inclusion(LEAVES[0], 0, 1, [], LEAVES[0])
    assert not verify_inclusion(LEAVES[0], 0, 1, [], LEAVES[1])


def test_inclusion_is_never_proven_in_an_empty_tree_or_past_its_end() -> None:
    assert not verify_inclusion(LEAVES[0], 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(LEAVES[0], 1, 1, [], LEAVES[0])
    assert not verify_inclusion(LEAVES[0], -1, 1, [], LEAVES[0])


def test_equal_sizes_are_consistent_only_with_equal_roots_and_no_proof() -> None:
    assert verify_consistency(8, 8, ROOTS[8], ROOTS[8], [])
    assert not verify_consistency(8, 8, ROOTS[8], ROOTS[7], [])
    assert not verify_consistency(8, 8, ROOTS[8], ROOTS[8], [ROOTS[8]])


def test_the_empty_tree_is_a_prefix_of_every_tree() -> None:
    assert consistency_proof(LEAVES, 0) == []
    assert verify_consistency(0, 8, EMPTY_ROOT, ROOTS[8], [])
    assert not verify_consistency(0, 8, ROOTS[1], ROOTS[8], [])
    assert not verify_consistency(0, 8, EMPTY_ROOT, ROOTS[8], [ROOTS[8]])


def test_a_tree_cannot_be_consistent_with_a_larger_older_tree() -> None:
    assert not verify_consistency(8, 7, ROOTS[8], ROOTS[7], [])


def test_root_refuses_raw_entries_in_place_of_leaf_hashes() -> None:
    with pytest.raises(ValueError, match="leaf 1 is 1 bytes, not a 32-byte leaf hash"):
        root([LEAVES[0], b"\x00"])


def test_root_accepts_a_generator_of_leaf_hashes() -> None:
    assert root(leaf_hash(e) for e in ENTRIES) == ROOTS[8]


def test_proofs_refuse_positions_outside_the_tree() -> None:
    with pytest.raises(ValueError, match="leaf index 8 is outside a tree of 8 leaves"):
        inclusion_proof(LEAVES, 8)
    with pytest.raises(ValueError, match="old size 9 is not between 0 and the tree size 8"):
        consistency_proof(LEAVES, 9)


@HYPOTHESIS
@given(size=st.integers(1, 200), salt=st.binary(max_size=8))
def test_every_inclusion_proof_verifies_and_fails_for_a_tampered_leaf(
    size: int, salt: bytes
) -> None:
    leaves = [leaf_hash(e) for e in _entries(size, salt)]
    tree_root = root(leaves)
    tampered = leaf_hash(b"tampered" + salt)
    for index in range(size):
        proof = inclusion_proof(leaves, index)
        assert verify_inclusion(leaves[index], index, size, proof, tree_root)
        assert not verify_inclusion(tampered, index, size, proof, tree_root)


@HYPOTHESIS
@given(data=st.data(), new_size=st.integers(1, 200), salt=st.binary(max_size=8))
def test_consistency_proofs_verify_and_fail_when_an_earlier_leaf_was_altered(
    data: st.DataObject, new_size: int, salt: bytes
) -> None:
    old_size = data.draw(st.integers(1, new_size), label="old_size")
    altered_index = data.draw(st.integers(0, old_size - 1), label="altered_index")
    leaves = [leaf_hash(e) for e in _entries(new_size, salt)]
    old_root, new_root = root(leaves[:old_size]), root(leaves)
    proof = consistency_proof(leaves, old_size)
    assert verify_consistency(old_size, new_size, old_root, new_root, proof)

    altered = list(leaves)
    altered[altered_index] = leaf_hash(b"altered" + salt)
    # The new tree rewrote history: its honest proof does not reach the old root.
    altered_proof = consistency_proof(altered, old_size)
    assert not verify_consistency(old_size, new_size, old_root, root(altered), altered_proof)
    # The old checkpoint was forged: the real new tree does not extend it.
    assert not verify_consistency(old_size, new_size, root(altered[:old_size]), new_root, proof)


@pytest.mark.slow
def test_the_root_of_a_million_leaves_takes_well_under_ten_seconds() -> None:
    leaves = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(1_000_000)]
    started = time.perf_counter()
    tree_root = root(leaves)
    assert time.perf_counter() - started < 10
    proof = inclusion_proof(leaves, 999_999)
    assert verify_inclusion(leaves[999_999], 999_999, len(leaves), proof, tree_root)
