"""The rows of one append, computed in Python and streamed to binary COPY in chunks.

A chunk is built while PostgreSQL is still inserting the previous one, so Python's work
(canonical JSON, hashing, packing) overlaps the server's. While postings stream, the canonical
payloads of half the events are computed ahead; the rest during the events COPY. No database.
"""

from __future__ import annotations

import copy
import hashlib
import struct
from collections.abc import Iterator, Sequence

from ledger import copy_binary as B
from ledger.accounts import Account
from ledger.dedupe import Item
from ledger.descriptions import describe
from ledger.posting_rules import Entry
from ledger.prepare import exact
from ledger.records import StoredEvent
from schemas.canonical import canonical_json

CHUNK = 250
Key = tuple[str, str]

# Each COPY lists its fixed-width columns first, so one struct packs them all in one call.
#: Column order of the ``events`` COPY (``body`` is generated from ``payload``).
EVENT_COLUMNS = (
    "sequence, event_id, schema_version, occurred_at, recorded_at, business_date, prev_hash, "
    "hash, posting_count, event_type, subject, person_id, kafka_topic, kafka_partition, "
    "kafka_offset, payload, description"
)
POSTING_COLUMNS = (
    "sequence, n, amount, balance_before, balance_after, business_date, recorded_at, account, asset"
)

_EVENT_FIXED = struct.Struct("!h iq i16s ii iq iq ii i32s i32s ih".replace(" ", "")).pack
#: Where a rebase rewrites the fixed part of an event or posting row: the sequence (first in
#: both); an event's previous hash and hash; a posting's balances before and after (each
#: after its field's length word).
_AT_SEQUENCE = struct.calcsize("!hi")
_AT_PREV = struct.calcsize("!h iq i16s ii iq iq ii i".replace(" ", ""))
_AT_HASH = _AT_PREV + struct.calcsize("32si")
_INT8 = struct.Struct("!q")
_SEQUENCE = _INT8.pack_into
#: Items one event row adds to a chunk's parts (the fixed part first).
_PARTS_PER_EVENT = 8
_POSTING = struct.Struct("!h iq ih iq iq iq ii iq".replace(" ", ""))
_POSTING_FIXED, _POSTING_SIZE = _POSTING.pack, _POSTING.size
_AT_BEFORE = struct.calcsize("!h iq ih iq i".replace(" ", ""))
_AT_AFTER = _AT_BEFORE + struct.calcsize("!qi")
_KAFKA = struct.Struct("!iiiq").pack
_NO_ORIGIN = B.NULL * 3
_LEN = struct.Struct("!i").pack


class BatchRows:
    """Sequences, hash chain, journal and postings of the new events of one append."""

    def __init__(
        self,
        new: Sequence[Item],
        entries: Sequence[Entry],
        payloads: dict[int, bytes],
        first_sequence: int,
        prev_hash: bytes,
        balances: dict[Key, int],
        *,
        for_rebase: bool = False,
    ) -> None:
        """``for_rebase``: keep what a rebase of the postings needs (it is likely: another
        appender is going in between), so it patches the rows instead of making them again."""
        self.new, self.entries, self.payloads = new, entries, payloads
        self.for_rebase = for_rebase
        self.first_sequence = first_sequence
        self.head_hash = prev_hash
        #: Running balances of every touched account; final values after postings_chunks().
        self.balances = balances
        self.last_sequence_of: dict[Key, int] = {}
        self.stored: list[StoredEvent] = []
        self._recorded = [B.micros(e.recorded_at) for e, _ in new]
        self._days = [B.days(entry.business_date) for entry in entries]
        self._encoded: dict[str, bytes] = {}
        #: The parts of every chunk of event rows, kept for a rebase (see events_chunks).
        self._chunks: list[list[bytes]] = []
        #: What postings_chunks() made, kept for a rebase: each chunk with the offset of each
        #: of its rows, every row's account, the starting and final balances, the sequences.
        self._posting_chunks: list[tuple[bytes, list[int]]] = []
        self._posting_keys: list[Key] = []
        self._starting: dict[Key, int] = {}
        self._planned: tuple[int, dict[Key, int], dict[Key, int], dict[Key, int]] | None = None

    def rebased(self, first_sequence: int, prev_hash: bytes, balances: dict[Key, int]) -> BatchRows:
        """The same batch placed after another chain head, on other starting balances: only
        sequences, hashes and balances are computed again (call after events_chunks())."""
        other = copy.copy(self)  # shares the events, entries and what was encoded of them
        other.payloads = {i: stored.payload for i, stored in enumerate(self.stored)}
        if self._planned is None and self._posting_chunks:  # postings_chunks() ran
            other._planned = (
                self.first_sequence,
                self._starting,
                self.balances,
                self.last_sequence_of,
            )
        other.first_sequence, other.head_hash, other.balances = first_sequence, prev_hash, balances
        other.last_sequence_of, other.stored = {}, []
        return other

    def _enc(self, value: str) -> bytes:
        data = self._encoded.get(value)
        if data is None:
            data = self._encoded[value] = B.text(value)
        return data

    def _canonical_ahead(self, start: int, stop: int) -> None:
        payloads, new = self.payloads, self.new
        for i in range(start, min(stop, len(new))):
            if i not in payloads:
                payloads[i] = exact(canonical_json(new[i][0]))

    def postings_chunks(self) -> Iterator[bytes]:
        """Binary COPY of ``postings`` with balances before/after, in sequence order."""
        if self._planned is not None:
            yield from self._postings_again()
            return
        balances, last_of, enc = self.balances, self.last_sequence_of, self._enc
        keep = self.for_rebase
        if keep:
            self._starting = dict(balances)
        keys, kept = self._posting_keys, self._posting_chunks
        seq, parts, ahead = self.first_sequence, [B.HEADER], 0
        offsets: list[int] = []
        pos = len(B.HEADER)
        names: dict[Key, bytes] = {}
        for i, entry in enumerate(self.entries):
            if i % CHUNK == 0 and i:
                data = b"".join(parts)
                if keep:
                    kept.append((data, offsets))
                yield data
                parts, offsets, pos = [], [], 0
                # The server is inserting that chunk meanwhile: prepare some payloads. Half
                # of them: the events COPY costs the server about twice what postings do,
                # so the rest is computed there, again while the server works.
                self._canonical_ahead(ahead, ahead + CHUNK // 2)
                ahead += CHUNK // 2
            day, at = self._days[i], self._recorded[i]
            for n, (acct, amount) in enumerate(entry.legs, 1):
                key = (acct.code, acct.asset)
                before = balances[key]
                after = before + amount
                balances[key] = after
                last_of[key] = seq
                named = names.get(key)
                if named is None:
                    named = names[key] = enc(acct.code) + enc(acct.asset)
                parts.append(
                    _POSTING_FIXED(9, 8, seq, 2, n, 8, amount, 8, before, 8, after, 4, day, 8, at)
                )
                parts.append(named)
                if keep:
                    offsets.append(pos)
                    keys.append(key)
                    pos += _POSTING_SIZE + len(named)
            seq += 1
        parts.append(B.TRAILER)
        data = b"".join(parts)
        if keep:
            kept.append((data, offsets))
        yield data

    def _postings_again(self) -> Iterator[bytes]:
        """postings_chunks() of a rebase, from the chunks the plan made: each row's sequence
        moves by as much as the batch did, and its balances by as much as its account's
        starting balance changed (only for accounts another appender posted to meanwhile)."""
        assert self._planned is not None
        first, starting, final, last_of = self._planned
        shift = self.first_sequence - first
        balances = self.balances  # the starting balances now; made final below
        moved = {k: v - starting[k] for k, v in balances.items() if v != starting[k]}
        keys, row = self._posting_keys, 0
        put, get = _INT8.pack_into, _INT8.unpack_from
        for data, offsets in self._posting_chunks:
            buf = bytearray(data)
            for pos in offsets:
                at = pos + _AT_SEQUENCE
                put(buf, at, get(buf, at)[0] + shift)
                if moved and (delta := moved.get(keys[row])):
                    at = pos + _AT_BEFORE
                    put(buf, at, get(buf, at)[0] + delta)
                    at = pos + _AT_AFTER
                    put(buf, at, get(buf, at)[0] + delta)
                row += 1
            yield bytes(buf)
        for key, value in final.items():
            balances[key] += value - starting[key]
        self.last_sequence_of = {key: seq + shift for key, seq in last_of.items()}

    def events_chunks(self) -> Iterator[bytes]:
        """Binary COPY of ``events``; fills ``stored`` and advances ``head_hash``."""
        if self._chunks:
            yield from self._events_again()
            return
        sha, payloads, stored, enc = hashlib.sha256, self.payloads, self.stored, self._enc
        prev, seq, parts = self.head_hash, self.first_sequence, [B.HEADER]
        for i, ((event, origin), entry) in enumerate(zip(self.new, self.entries, strict=True)):
            payload = payloads.get(i) or exact(canonical_json(event))
            digest = sha(prev + payload).digest()
            stored.append(
                StoredEvent(seq, event, payload, prev, digest, entry.business_date, origin)
            )
            person = getattr(event, "person_id", None)
            recorded, occurred_at = self._recorded[i], event.occurred_at
            occurred = recorded if occurred_at == event.recorded_at else B.micros(occurred_at)
            # Always _PARTS_PER_EVENT items: a rebase rewrites parts of the first.
            # fmt: off
            parts += (
                _EVENT_FIXED(17, 8, seq, 16, event.event_id.bytes, 4, event.schema_version,
                             8, occurred, 8, recorded, 4, self._days[i], 32, prev, 32, digest,
                             2, len(entry.legs)),
                enc(event.event_type),
                enc(event.subject),
                B.NULL if person is None else enc(person),
                enc(origin.topic) + _KAFKA(4, origin.partition, 8, origin.offset)
                if origin else _NO_ORIGIN,
                _LEN(len(payload)),
                payload,
                B.text(describe(event)),
            )
            # fmt: on
            prev, seq = digest, seq + 1
            if i % CHUNK == CHUNK - 1:
                self._chunks.append(parts)
                yield b"".join(parts)
                parts = []
        self.head_hash = prev
        parts.append(B.TRAILER)
        self._chunks.append(parts)
        yield b"".join(parts)

    def _events_again(self) -> Iterator[bytes]:
        """events_chunks() from the row parts an earlier run kept (a rebase): only each
        row's sequence and hashes are new."""
        sha, stored, payloads = hashlib.sha256, self.stored, self.payloads
        prev, seq, i = self.head_hash, self.first_sequence, 0
        new, entries = self.new, self.entries
        for kept in self._chunks:
            parts: list[bytes | bytearray] = list(kept)  # the plan's rows stay as they were
            start = 1 if i == 0 else 0  # after the header
            for at in range(start, len(parts) - _PARTS_PER_EVENT + 1, _PARTS_PER_EVENT):
                payload = payloads[i]
                digest = sha(prev + payload).digest()
                event, origin = new[i]
                stored.append(
                    StoredEvent(seq, event, payload, prev, digest, entries[i].business_date, origin)
                )
                fixed = bytearray(parts[at])
                _SEQUENCE(fixed, _AT_SEQUENCE, seq)
                fixed[_AT_PREV : _AT_PREV + 32] = prev
                fixed[_AT_HASH : _AT_HASH + 32] = digest
                parts[at] = fixed
                prev, seq, i = digest, seq + 1, i + 1
            yield b"".join(parts)
        self.head_hash = prev


_ACCOUNT_TAIL = struct.Struct("!iq").pack


def accounts_chunks(opened: dict[Key, tuple[Account, int]]) -> Iterator[bytes]:
    """Binary COPY of ``accounts`` first used in this append (with the opening sequence)."""
    parts = [B.HEADER]
    for a, seq in opened.values():
        parts.append(
            b"".join(
                (
                    b"\x00\x07",
                    B.text(a.code),
                    B.text(a.asset),
                    B.text(a.owner_type),
                    B.text(a.owner_id),
                    B.text(a.kind),
                    B.text(a.detail),
                    _ACCOUNT_TAIL(8, seq),
                )
            )
        )
    parts.append(B.TRAILER)
    yield b"".join(parts)
