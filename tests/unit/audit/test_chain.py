"""The event store hash chain: linking, verification and where a break is reported."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import pytest

from ledger.audit.chain import GENESIS, ChainBreak, link, verify_chain

Row = tuple[int, str, bytes, bytes]


def _chain(count: int, start: bytes = GENESIS, first_sequence: int = 1) -> list[Row]:
    rows: list[Row] = []
    previous = start
    for offset in range(count):
        sequence = first_sequence + offset
        canonical = b'{"amount":%d,"sequence":%d}' % (offset * 100, sequence)
        previous = link(previous, canonical)
        rows.append((sequence, f"event-{sequence}", canonical, previous))
    return rows


def test_genesis_is_thirty_two_zero_bytes() -> None:
    assert GENESIS == b"\x00" * 32


def test_link_is_sha256_of_the_previous_hash_then_the_canonical_event() -> None:
    assert link(GENESIS, b"{}") == hashlib.sha256(bytes(32) + b"{}").digest()


def test_an_intact_chain_has_no_break() -> None:
    assert verify_chain(_chain(50)) is None


def test_an_empty_chain_has_no_break() -> None:
    assert verify_chain([]) is None


def test_an_altered_event_is_reported_at_its_own_sequence() -> None:
    rows = _chain(10)
    sequence, event_id, canonical, stored = rows[4]
    rows[4] = (sequence, event_id, canonical.replace(b"400", b"900"), stored)
    found = verify_chain(rows)
    expected_hash = link(rows[3][3], rows[4][2]).hex()
    assert found == ChainBreak(5, "event-5", expected=expected_hash, found=stored.hex())


def test_an_altered_stored_hash_is_reported_at_its_own_sequence() -> None:
    rows = _chain(10)
    sequence, event_id, canonical, stored = rows[6]
    rows[6] = (sequence, event_id, canonical, bytes(32))
    assert verify_chain(rows) == ChainBreak(7, "event-7", stored.hex(), bytes(32).hex())


def test_a_deleted_event_breaks_the_chain_at_the_event_after_it() -> None:
    rows = _chain(10)
    del rows[3]
    found = verify_chain(rows)
    assert found is not None
    assert (found.sequence, found.event_id) == (5, "event-5")


def test_swapped_events_break_the_chain_at_the_first_of_them() -> None:
    rows = _chain(10)
    rows[2], rows[3] = rows[3], rows[2]
    found = verify_chain(rows)
    assert found is not None
    assert found.sequence == 4


def test_verification_can_resume_from_a_known_chain_head() -> None:
    head = _chain(5)[-1][3]
    later = _chain(5, start=head, first_sequence=6)
    assert verify_chain(later, start_previous=head) is None
    assert verify_chain(later) is not None


def test_verification_stops_reading_rows_at_the_first_break() -> None:
    rows = _chain(10)
    rows[1] = (*rows[1][:3], bytes(32))
    consumed: list[int] = []

    def stream() -> Iterator[Row]:
        for row in rows:
            consumed.append(row[0])
            yield row

    assert verify_chain(stream()) is not None
    assert consumed == [1, 2]


def test_rows_with_memoryview_columns_from_a_database_driver_verify() -> None:
    rows = [(s, e, memoryview(c), memoryview(h)) for s, e, c, h in _chain(20)]
    assert verify_chain(rows) is None  # type: ignore[arg-type]
    rows[3] = (*rows[3][:3], memoryview(bytes(32)))
    found = verify_chain(rows)  # type: ignore[arg-type]
    assert found is not None
    assert found.found == "00" * 32


def test_the_break_message_names_the_event_and_both_hashes() -> None:
    message = str(ChainBreak(42, "evt-42", "ab" * 32, "cd" * 32))
    assert "sequence 42" in message
    assert "evt-42" in message
    assert "ab" * 32 in message
    assert "cd" * 32 in message
    assert "altered" in message


@pytest.mark.slow
def test_verification_runs_at_more_than_two_hundred_thousand_rows_a_second() -> None:
    rows = _chain(200_000)
    started = time.perf_counter()
    assert verify_chain(rows) is None
    assert time.perf_counter() - started < 1.0
