"""The rows of one append, computed in Python and streamed to COPY in chunks.

Chunks are produced while PostgreSQL is still inserting the previous ones, so hashing and
formatting in Python overlap with the server's work. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from ledger import copy_text as C
from ledger.accounts import Account
from ledger.dedupe import Item
from ledger.posting_rules import Entry
from ledger.records import StoredEvent
from schemas.canonical import canonical_json

CHUNK = 500
Key = tuple[str, str]


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
    ) -> None:
        self.new, self.entries, self.payloads = new, entries, payloads
        self.first_sequence = first_sequence
        self.head_hash = prev_hash
        #: Running balances of every touched account; final values after postings_chunks().
        self.balances = balances
        self.last_sequence_of: dict[Key, int] = {}
        self.stored: list[StoredEvent] = []
        self._recorded = [e.recorded_at.isoformat() for e, _ in new]

    def events_chunks(self) -> Iterator[str]:
        """COPY lines of ``events``; fills ``stored`` and advances ``head_hash``."""
        sha, payloads, stored = hashlib.sha256, self.payloads, self.stored
        prev, seq, lines = self.head_hash, self.first_sequence, []
        for i, ((event, origin), entry) in enumerate(zip(self.new, self.entries, strict=True)):
            payload = payloads.get(i) or canonical_json(event)
            digest = sha(prev + payload).digest()
            stored.append(StoredEvent(seq, event, payload, prev, digest, entry.business_date,
                                      origin))
            person = getattr(event, "person_id", None)
            kafka = (f"{C.text(origin.topic)}\t{origin.partition}\t{origin.offset}"
                     if origin else "\\N\t\\N\t\\N")
            lines.append(
                f"{seq}\t{event.event_id}\t{event.event_type}\t{event.schema_version}\t"
                f"{C.text(event.subject)}\t{C.text(person)}\t{event.occurred_at.isoformat()}\t"
                f"{self._recorded[i]}\t{entry.business_date}\t{kafka}\t\\\\x{payload.hex()}\t"
                f"{C.json_text(payload)}\t\\\\x{prev.hex()}\t\\\\x{digest.hex()}\n"
            )
            prev, seq = digest, seq + 1
            if len(lines) == CHUNK:
                yield "".join(lines)
                lines.clear()
        self.head_hash = prev
        if lines:
            yield "".join(lines)

    def journal_chunks(self) -> Iterator[str]:
        """COPY lines of ``journal_entries``: one per new event."""
        seq, lines = self.first_sequence, []
        for i, ((event, _), entry) in enumerate(zip(self.new, self.entries, strict=True)):
            lines.append(
                f"{seq}\t{event.event_type}\t{C.text(entry.description)}\t{entry.business_date}"
                f"\t{self._recorded[i]}\t{len(entry.legs)}\n"
            )
            seq += 1
            if len(lines) == CHUNK:
                yield "".join(lines)
                lines.clear()
        if lines:
            yield "".join(lines)

    def postings_chunks(self) -> Iterator[str]:
        """COPY lines of ``postings`` with balances before/after, in sequence order."""
        balances, last_of = self.balances, self.last_sequence_of
        seq, lines = self.first_sequence, []
        for i, entry in enumerate(self.entries):
            if entry.legs:
                tail = f"{entry.business_date}\t{self._recorded[i]}\n"
                for n, (acct, amount) in enumerate(entry.legs, 1):
                    key = (acct.code, acct.asset)
                    before = balances[key]
                    after = before + amount
                    balances[key] = after
                    last_of[key] = seq
                    lines.append(
                        f"{seq}\t{n}\t{acct.code}\t{acct.asset}\t{amount}\t{before}\t{after}\t{tail}"
                    )
                if len(lines) >= CHUNK:
                    yield "".join(lines)
                    lines.clear()
            seq += 1
        if lines:
            yield "".join(lines)


def accounts_lines(opened: dict[Key, tuple[Account, int]]) -> Iterator[str]:
    """COPY lines of ``accounts`` for accounts first used in this append."""
    lines = [
        f"{a.code}\t{a.asset}\t{a.owner_type}\t{C.text(a.owner_id)}\t{a.kind}\t{C.text(a.detail)}"
        f"\t{seq}\n"
        for a, seq in opened.values()
    ]
    for start in range(0, len(lines), CHUNK * 4):
        yield "".join(lines[start : start + CHUNK * 4])
