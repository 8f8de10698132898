"""Rows of one append: gap-free sequences, the hash chain and running balances, in Python."""

from __future__ import annotations

import hashlib
import struct

import pytest

from ledger.audit.chain import GENESIS
from ledger.posting_rules import entry_for
from ledger.rows import EVENT_COLUMNS, POSTING_COLUMNS, BatchRows, Key
from schemas import Event, canonical_json
from tests.unit.ledger.builders import accrual, disbursement, registered


def _rows(
    events: list[Event], balances: dict[Key, int] | None = None, *, for_rebase: bool = False
) -> BatchRows:
    entries = [entry_for(e) for e in events]
    opened = dict.fromkeys(((a.code, a.asset) for en in entries for a, _ in en.legs), 0)
    return BatchRows(
        [(e, None) for e in events],
        entries,
        {},
        41,
        b"\x01" * 32,
        {**opened, **(balances or {})},
        for_rebase=for_rebase,
    )


def _built(events: list[Event], first: int, head: bytes, balances: dict[Key, int]) -> BatchRows:
    """The rows of ``events`` made afresh after ``head`` (what a rebase must give)."""
    entries = [entry_for(e) for e in events]
    return BatchRows([(e, None) for e in events], entries, {}, first, head, dict(balances))


def _tuples(data: bytes) -> list[list[bytes | None]]:
    """Parse binary COPY data back into fields (the layout PostgreSQL reads)."""
    assert data.startswith(b"PGCOPY\n\xff\r\n\x00")
    pos, rows = 19, []  # type: ignore[var-annotated]
    while True:
        (count,) = struct.unpack_from("!h", data, pos)
        pos += 2
        if count == -1:
            assert pos == len(data)
            return rows
        fields: list[bytes | None] = []
        for _ in range(count):
            (size,) = struct.unpack_from("!i", data, pos)
            pos += 4
            fields.append(None if size == -1 else data[pos : pos + size])
            pos += max(size, 0)
        rows.append(fields)


def _named(columns: str, data: bytes) -> list[dict[str, bytes | None]]:
    names = [c.strip() for c in columns.split(",")]
    return [dict(zip(names, row, strict=True)) for row in _tuples(data)]


def test_events_get_consecutive_sequences_and_each_hash_covers_the_previous_one() -> None:
    events = [registered("P1"), accrual("P1", 500_000, "2024-07"), registered("P2")]
    rows = _rows(events)
    table = _named(EVENT_COLUMNS, b"".join(rows.events_chunks()))
    assert [s.sequence for s in rows.stored] == [41, 42, 43]
    previous = b"\x01" * 32
    for stored, fields in zip(rows.stored, table, strict=True):
        assert stored.payload == canonical_json(stored.event)
        assert stored.prev_hash == previous
        assert stored.hash == hashlib.sha256(previous + stored.payload).digest()
        assert fields["sequence"] == struct.pack("!q", stored.sequence)
        assert len(fields) == 17 and fields["payload"] == stored.payload  # body is derived
        assert fields["description"] and fields["posting_count"] is not None
        assert (fields["prev_hash"], fields["hash"]) == (previous, stored.hash)
        assert fields["event_id"] == stored.event_id.bytes
        assert fields["event_type"] == stored.event_type.encode()
        previous = stored.hash
    assert rows.head_hash == previous != GENESIS
    assert table[0]["person_id"] == b"P1" and table[0]["kafka_topic"] is None


def test_postings_carry_running_balances_from_the_stored_ones() -> None:
    key = ("person:P1:accrued:regular", "VND")
    rows = _rows(
        [
            accrual("P1", 500_000, "2024-07"),
            accrual("P1", 500_000, "2024-08"),
            disbursement("P1", 700_000, "2024-08-05"),
        ],
        {key: -100_000},
    )
    postings = _named(POSTING_COLUMNS, b"".join(rows.postings_chunks()))
    mine = [p for p in postings if p["account"] == key[0].encode()]
    columns = ("amount", "balance_before", "balance_after")
    amounts = [struct.unpack("!q", p[c] or b"")[0] for p in mine for c in columns]
    assert amounts == [-500_000, -100_000, -600_000, -500_000, -600_000, -1_100_000]
    assert rows.balances[key] == -1_100_000
    assert rows.balances[("person:P1:paid", "VND")] == 700_000
    assert rows.last_sequence_of[key] == 42
    assert len(postings) == 6
    counts = [
        struct.unpack("!h", e["posting_count"] or b"")[0]
        for e in _named(EVENT_COLUMNS, b"".join(rows.events_chunks()))
    ]
    assert counts == [2, 2, 2]


@pytest.mark.parametrize("for_rebase", [False, True], ids=["made-again", "patched"])
def test_a_batch_rebased_onto_another_head_has_the_rows_it_would_have_had_there(
    for_rebase: bool,
) -> None:
    key = ("person:P1:accrued:regular", "VND")
    events = [
        registered("P1"),
        accrual("P1", 500_000, "2024-07"),
        disbursement("P1", 300_000, "2024-07-05"),
    ]
    planned = _rows(events, for_rebase=for_rebase)
    b"".join(planned.postings_chunks()), b"".join(planned.events_chunks())
    other_head, other_balances = b"\x07" * 32, {key: -250_000}

    rebased = planned.rebased(90, other_head, {**_rows(events).balances, **other_balances})
    fresh = _built(events, 90, other_head, {**_rows(events).balances, **other_balances})
    assert b"".join(rebased.postings_chunks()) == b"".join(fresh.postings_chunks())
    assert b"".join(rebased.events_chunks()) == b"".join(fresh.events_chunks())
    assert rebased.stored == fresh.stored and rebased.head_hash == fresh.head_hash
    assert [s.sequence for s in rebased.stored] == [90, 91, 92]
    assert rebased.balances[key] == fresh.balances[key] == -750_000
    # The plan itself is untouched: it still describes the batch after its own head.
    assert [s.sequence for s in planned.stored] == [41, 42, 43]
    assert planned.stored[0].prev_hash == b"\x01" * 32


@pytest.mark.parametrize("for_rebase", [False, True], ids=["made-again", "patched"])
def test_a_rebase_of_several_chunks_moves_only_the_balances_of_accounts_posted_to_meanwhile(
    for_rebase: bool,
) -> None:
    people = [f"P{n}" for n in range(180)]  # 540 events: three chunks of rows
    events: list[Event] = []
    for person in people:
        events += [
            accrual(person, 500_000, "2024-07"),
            accrual(person, 500_000, "2024-08"),
            disbursement(person, 700_000, "2024-08-05"),
        ]
    planned = _rows(events, {("person:P3:paid", "VND"): 10}, for_rebase=for_rebase)
    b"".join(planned.postings_chunks()), b"".join(planned.events_chunks())
    # Another appender posted to some of these accounts (and not to the others) meanwhile.
    now = {**_rows(events).balances, ("person:P3:paid", "VND"): 10}
    now |= {("person:P7:paid", "VND"): 1_234, ("person:P179:accrued:regular", "VND"): -5}

    rebased = planned.rebased(1_000, b"\x09" * 32, dict(now))
    fresh = _built(events, 1_000, b"\x09" * 32, now)
    assert b"".join(rebased.postings_chunks()) == b"".join(fresh.postings_chunks())
    assert b"".join(rebased.events_chunks()) == b"".join(fresh.events_chunks())
    assert rebased.balances == fresh.balances
    assert rebased.balances[("person:P7:paid", "VND")] == 1_234 + 700_000
    assert rebased.last_sequence_of == fresh.last_sequence_of
    assert rebased.stored == fresh.stored and rebased.head_hash == fresh.head_hash
    # Rebased once more (the head moved again): still the rows it would have had there.
    again = planned.rebased(2_000, b"\x0a" * 32, dict(now))
    other = _built(events, 2_000, b"\x0a" * 32, now)
    assert b"".join(again.postings_chunks()) == b"".join(other.postings_chunks())
    assert again.balances == other.balances
