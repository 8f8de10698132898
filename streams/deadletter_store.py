"""The ``deadletters`` and ``deadletter_retries`` tables: written by workers, read by operators."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from psycopg2.extras import execute_values
from sqlalchemy.engine import Engine

from ledger.storage import checked_schema, raw_connection
from streams.deadletters import DeadLetter, DeadLetterKind, letter_id
from streams.errors import DeadLetterNotFound
from streams.records import RawRecord

#: A full dead-letter id, or the start of one (hex digits and dashes).
_ID_PREFIX = re.compile(r"^[0-9a-f-]+$")


@dataclass(frozen=True, slots=True)
class StoredDeadLetter:
    """A dead letter as recorded, with how many times it was retried."""

    deadletter_id: UUID
    kind: str
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    reason: str
    recorded_at: datetime
    retries: int = 0


def insert_letters(
    cur: Any, schema: str, letters: Sequence[DeadLetter], consumer: str, worker: str
) -> None:
    """Record dead letters (one statement); a letter already recorded is left as it was."""
    if not letters:
        return
    rows = [
        (
            str(d.deadletter_id),
            d.kind.value,
            d.record.topic,
            d.record.partition,
            d.record.offset,
            d.record.key,
            d.record.value,
            d.reason,
            orjson.dumps([{"field": p.field, "reason": p.reason} for p in d.problems]).decode(),
            str(d.event_id) if d.event_id else None,
            consumer,
            worker,
            d.recorded_at,
        )
        for d in letters
    ]
    execute_values(
        cur,
        f'INSERT INTO "{schema}".deadletters (deadletter_id, kind, topic, partition, "offset", '
        "key, value, reason, problems, event_id, consumer, worker, recorded_at) VALUES %s "
        "ON CONFLICT (deadletter_id) DO NOTHING",
        rows,
        template="(%s::uuid, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::uuid, %s, %s, %s)",
        page_size=1000,
    )


def recorded_conflicts(cur: Any, schema: str, records: Sequence[RawRecord]) -> list[DeadLetter]:
    """The conflict dead letters already recorded for any of ``records`` (same origin and
    bytes), as they were recorded: a batch read again finds its conflicts here, since the
    ledger skips what it processed before instead of reporting them again."""
    by_id = {letter_id(DeadLetterKind.CONFLICT, r): r for r in records}
    if not by_id:
        return []
    cur.execute(
        f'SELECT deadletter_id, reason, event_id, recorded_at FROM "{schema}".deadletters '
        'WHERE deadletter_id = ANY(%s::uuid[]) ORDER BY topic, partition, "offset"',
        ([str(i) for i in by_id],),
    )
    return [
        DeadLetter(
            UUID(str(i)),
            DeadLetterKind.CONFLICT,
            by_id[UUID(str(i))],
            reason,
            (),
            UUID(str(event_id)) if event_id is not None else None,
            recorded_at,
        )
        for i, reason, event_id, recorded_at in cur.fetchall()
    ]


class DeadLetterStore:
    """Reads dead letters and records retries, for the ``aidledger deadletters`` commands."""

    _COLUMNS = (
        'd.deadletter_id, d.kind, d.topic, d.partition, d."offset", d.key, d.value, d.reason, '
        "d.recorded_at, (SELECT count(*) FROM {s}.deadletter_retries r "
        "WHERE r.deadletter_id = d.deadletter_id)"
    )

    def __init__(self, engine: Engine, schema: str = "ledger") -> None:
        self.engine = engine
        self.schema = checked_schema(schema)

    def _select(self) -> str:
        s = f'"{self.schema}"'
        return f"SELECT {self._COLUMNS.format(s=s)} FROM {s}.deadletters d"

    def list(self, limit: int = 100, topic: str | None = None) -> list[StoredDeadLetter]:
        """The most recent dead letters first (optionally of one topic)."""
        where = "WHERE d.topic = %(topic)s " if topic else ""
        with raw_connection(self.engine) as conn, conn.cursor() as cur:
            cur.execute(
                f"{self._select()} {where}ORDER BY d.recorded_at DESC, d.topic, d.partition, "
                'd."offset" LIMIT %(limit)s',
                {"topic": topic, "limit": limit},
            )
            return [_row(r) for r in cur.fetchall()]

    def get(self, deadletter_id: str) -> StoredDeadLetter:
        """One dead letter by id (a unique prefix of at least 8 characters is enough)."""
        text = deadletter_id.strip().lower()
        if len(text) < 8 or not _ID_PREFIX.match(text):
            raise DeadLetterNotFound(deadletter_id)
        with raw_connection(self.engine) as conn, conn.cursor() as cur:
            cur.execute(
                f"{self._select()} WHERE d.deadletter_id::text LIKE %s LIMIT 2", (text + "%",)
            )
            rows = cur.fetchall()
        if len(rows) != 1:
            raise DeadLetterNotFound(deadletter_id, ambiguous=len(rows) > 1)
        return _row(rows[0])

    def record_retry(
        self,
        letter: StoredDeadLetter,
        *,
        fixed: bool,
        value_sha256: str,
        topic: str,
        partition: int,
        offset: int,
        retried_by: str | None,
    ) -> UUID:
        """Note that a dead letter was re-submitted (as a new message); returns the retry id."""
        retry_id = uuid.uuid4()
        with raw_connection(self.engine) as conn, conn.cursor() as cur:
            cur.execute(
                f'INSERT INTO "{self.schema}".deadletter_retries (retry_id, deadletter_id, fixed, '
                'value_sha256, topic, partition, "offset", retried_by) '
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    str(retry_id),
                    str(letter.deadletter_id),
                    fixed,
                    value_sha256,
                    topic,
                    partition,
                    offset,
                    retried_by,
                ),
            )
            conn.commit()
        return retry_id


def _row(r: Sequence[Any]) -> StoredDeadLetter:
    return StoredDeadLetter(
        UUID(str(r[0])),
        r[1],
        r[2],
        r[3],
        r[4],
        bytes(r[5]) if r[5] is not None else None,
        bytes(r[6]),
        r[7],
        r[8],
        int(r[9]),
    )
