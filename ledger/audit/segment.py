"""Scan one range of the event store: binary COPY, check every link, hash every leaf.

Each row must satisfy ``prev_hash == hash of the row before`` and ``hash == sha256(prev_hash
|| payload)``, and sequences must follow each other. By induction that equals recomputing the
chain from GENESIS, yet every range can be checked on its own, so ranges run in parallel.
Payloads are hashed as stored bytes and never decoded.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from typing import Any

from ledger.audit.db import Database, worded_errors

_ROW = struct.Struct(">hiqi")  # field count, 8, sequence, payload length
_HASHES = struct.Struct(">i32si32s")  # 32, prev_hash, 32, hash
_HEADER = b"PGCOPY\n\xff\r\n\x00"
_sha256 = hashlib.sha256


@dataclass(frozen=True, slots=True)
class Problem:
    """The first row of a range that breaks the chain (kind: hash, link or gap)."""

    kind: str
    sequence: int
    expected: str
    found: str


@dataclass(slots=True)
class Segment:
    """A scan of sequences ``lo < s <= hi`` starting from the stored hash at ``lo``."""

    lo: int
    hi: int
    start_hash: bytes
    leaves: bool = False
    #: False: only hash the leaves and check that sequences follow (for proofs of a store
    #: that may have been tampered with; the proof then fails against the signed root).
    check: bool = True
    next_sequence: int = 0
    last_hash: bytes = b""
    problem: Problem | None = None
    leaf_hashes: bytes = b""
    _pending: bytes = field(default=b"", repr=False)
    _started: bool = field(default=False, repr=False)
    _leaf_parts: list[bytes] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.last_hash, self.next_sequence = self.start_hash, self.lo + 1

    def write(self, chunk: bytes) -> None:
        """Receive COPY data: ``copy_expert`` passes one whole row per call, the fast path."""
        if self._started and not self._pending and self.problem is None and len(chunk) >= 90:
            ncols, _, seq, size = _ROW.unpack_from(chunk)
            if len(chunk) == size + 90 and ncols == 4 and seq == self.next_sequence:
                prev_len, stored_prev, hash_len, stored = _HASHES.unpack_from(chunk, size + 18)
                payload = chunk[18 : 18 + size]
                if prev_len == hash_len == 32 and (
                    not self.check
                    or (
                        stored_prev == self.last_hash
                        and _sha256(stored_prev + payload).digest() == stored
                    )
                ):
                    if self.leaves:
                        self._leaf_parts.append(_sha256(b"\x00" + payload).digest())
                    self.last_hash, self.next_sequence = stored, seq + 1
                    return
        self._slow(chunk)

    def _slow(self, chunk: bytes) -> None:
        """Any other chunk: the header, the trailer, partial rows, or a row that fails."""
        data = self._pending + chunk if self._pending else chunk
        self._pending = b""
        pos = 0
        if not self._started:
            if len(data) < 19:
                self._pending = data
                return
            if data[:11] != _HEADER:
                raise ValueError("not a PostgreSQL binary COPY stream")
            pos = 19 + int.from_bytes(data[15:19], "big")
            self._started = True
        end = len(data)
        while pos < end and self.problem is None:
            if end - pos < 18:
                if data[pos : pos + 2] == b"\xff\xff":  # the trailer
                    return
                self._pending = data[pos:]
                return
            ncols, _, seq, size = _ROW.unpack_from(data, pos)
            stop = pos + size + 90
            if stop > end:
                self._pending = data[pos:]
                return
            self._check(data[pos:stop], ncols, seq, size)
            pos = stop

    def _check(self, row: bytes, ncols: int, seq: int, size: int) -> None:
        prev_len, stored_prev, hash_len, stored = _HASHES.unpack_from(row, size + 18)
        if ncols != 4 or prev_len != 32 or hash_len != 32:
            raise ValueError(f"unexpected row layout at sequence {seq}")
        payload = row[18 : 18 + size]
        digest = _sha256(stored_prev + payload).digest()
        if seq != self.next_sequence:
            self.problem = Problem("gap", self.next_sequence, str(self.next_sequence), str(seq))
        elif not self.check:
            if self.leaves:
                self._leaf_parts.append(_sha256(b"\x00" + payload).digest())
            self.last_hash, self.next_sequence = stored, seq + 1
        elif stored_prev != self.last_hash:
            self.problem = Problem("link", seq, self.last_hash.hex(), stored_prev.hex())
        elif digest != stored:
            self.problem = Problem("hash", seq, digest.hex(), stored.hex())
        else:
            if self.leaves:
                self._leaf_parts.append(_sha256(b"\x00" + payload).digest())
            self.last_hash, self.next_sequence = digest, seq + 1

    @property
    def count(self) -> int:
        """Rows checked and found intact so far."""
        return self.next_sequence - self.lo - 1

    def finish(self) -> None:
        """After the COPY: a range that ended early is missing its last sequences."""
        if self.problem is None and self.next_sequence <= self.hi:
            missing = self.next_sequence
            self.problem = Problem("gap", missing, str(missing), "nothing")
        self.leaf_hashes = b"".join(self._leaf_parts)
        self._leaf_parts = []


def scan(conn: Any, schema: str, segment: Segment) -> Segment:
    """Stream the segment's rows through it on an open (snapshot) connection."""
    query = (
        f'COPY (SELECT sequence, payload, prev_hash, hash FROM "{schema}".events '
        f"WHERE sequence > {int(segment.lo)} AND sequence <= {int(segment.hi)} "
        "ORDER BY sequence) TO STDOUT (FORMAT binary)"
    )
    with worded_errors(), conn.cursor() as cur:
        cur.copy_expert(query, segment, size=1 << 18)
    segment.finish()
    return segment


def scan_in_worker(db: Database, snapshot: str, schema: str, segment: Segment) -> Segment:
    """Process-pool entry: connect, import the coordinator's snapshot, scan one range."""
    conn = db.connect()
    try:
        with worded_errors(), conn.cursor() as cur:
            cur.execute("SET TRANSACTION SNAPSHOT %s", (snapshot,))
        return scan(conn, schema, segment)
    finally:
        conn.rollback()
        conn.close()
