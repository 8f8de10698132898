"""The range scanner, fed with PostgreSQL binary COPY bytes built here (no database)."""

from __future__ import annotations

import hashlib
import struct

import pytest

from ledger.audit.chain import GENESIS, link
from ledger.audit.merkle import leaf_hash
from ledger.audit.segment import Problem, Segment

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)


def _chain(n: int) -> list[tuple[int, bytes, bytes, bytes]]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        payload = f'{{"event":{seq},"note":"{"x" * (seq % 7)}"}}'.encode()
        digest = link(prev, payload)
        rows.append((seq, payload, prev, digest))
        prev = digest
    return rows


def _row(seq: int, payload: bytes, prev: bytes, digest: bytes) -> bytes:
    return (
        struct.pack(">hiq", 4, 8, seq)
        + struct.pack(">i", len(payload))
        + payload
        + struct.pack(">i", len(prev))
        + prev
        + struct.pack(">i", len(digest))
        + digest
    )


def _stream(rows: list[tuple[int, bytes, bytes, bytes]]) -> list[bytes]:
    """What copy_expert hands over: the header with the first row, then one row per call."""
    chunks = [_row(*r) for r in rows]
    return [HEADER + chunks[0], *chunks[1:], TRAILER] if chunks else [HEADER, TRAILER]


def _scan(
    chunks: list[bytes],
    lo: int = 0,
    hi: int | None = None,
    start: bytes = GENESIS,
    leaves: bool = False,
    check: bool = True,
) -> Segment:
    segment = Segment(lo, hi if hi is not None else lo + len(chunks) - 1, start, leaves, check)
    for chunk in chunks:
        segment.write(chunk)
    segment.finish()
    return segment


def test_an_intact_range_is_counted_and_ends_at_the_chain_head() -> None:
    rows = _chain(12)
    segment = _scan(_stream(rows), hi=12, leaves=True)
    assert (segment.problem, segment.count, segment.last_hash) == (None, 12, rows[-1][3])
    assert segment.leaf_hashes == b"".join(leaf_hash(r[1]) for r in rows)


def test_chunks_split_anywhere_give_the_same_result() -> None:
    data = b"".join(_stream(_chain(9)))
    for size in (1, 5, 17, 64, 1000):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        segment = _scan(chunks, hi=9, leaves=True)
        assert (segment.problem, segment.count) == (None, 9)
        assert len(segment.leaf_hashes) == 9 * 32


def test_a_range_in_the_middle_starts_from_the_stored_hash_before_it() -> None:
    rows = _chain(10)
    segment = _scan(_stream(rows[4:]), lo=4, hi=10, start=rows[3][3])
    assert (segment.problem, segment.count) == (None, 6)


def test_an_altered_payload_is_a_hash_problem_at_its_row() -> None:
    rows = _chain(6)
    seq, payload, prev, digest = rows[3]
    rows[3] = (seq, payload.replace(b"4", b"5"), prev, digest)
    segment = _scan(_stream(rows), hi=6)
    expected = hashlib.sha256(prev + rows[3][1]).hexdigest()
    assert segment.problem == Problem("hash", 4, expected, digest.hex())
    assert segment.count == 3


def test_a_rehashed_row_breaks_the_link_of_the_next_one() -> None:
    rows = _chain(6)
    seq, payload, prev, _ = rows[2]
    forged = payload + b" "
    rows[2] = (seq, forged, prev, link(prev, forged))
    segment = _scan(_stream(rows), hi=6)
    assert segment.problem is not None
    assert (segment.problem.kind, segment.problem.sequence) == ("link", 4)


def test_missing_rows_are_gaps_inside_and_at_the_end_of_a_range() -> None:
    rows = _chain(8)
    inside = _scan(_stream(rows[:3] + rows[4:]), hi=8)
    assert inside.problem == Problem("gap", 4, "4", "5")
    at_end = _scan(_stream(rows[:6]), hi=8)
    assert at_end.problem == Problem("gap", 7, "7", "nothing")


def test_without_checks_only_leaves_are_hashed_even_for_a_broken_chain() -> None:
    rows = _chain(5)
    seq, _, prev, digest = rows[1]
    rows[1] = (seq, b"tampered", prev, digest)
    segment = _scan(_stream(rows), hi=5, leaves=True, check=False)
    assert (segment.problem, segment.count) == (None, 5)
    assert segment.leaf_hashes[32:64] == leaf_hash(b"tampered")


def test_something_that_is_not_a_binary_copy_is_refused() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL binary COPY"):
        Segment(0, 1, GENESIS).write(b"sequence,payload\n1,abc\n")
