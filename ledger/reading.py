"""Streaming stored events back, parsed (and upcast) from the exact bytes that were hashed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy.engine import Engine

from ledger.records import KafkaOrigin, StoredEvent
from ledger.storage import raw_connection
from schemas.registry import parse_event


def stored_events(
    engine: Engine,
    schema: str,
    person_id: str | None = None,
    event_types: Sequence[str] | None = None,
    after_sequence: int = 0,
) -> Iterator[StoredEvent]:
    """Events in sequence order, optionally of one person and/or some types."""
    where = ["sequence > %(after)s"]
    params: dict[str, object] = {"after": after_sequence}
    if person_id is not None:
        where.append("person_id = %(person)s")
        params["person"] = person_id
    if event_types is not None:
        where.append("event_type = ANY(%(types)s)")
        params["types"] = list(event_types)
    with raw_connection(engine) as conn, conn.cursor(name="aidledger_events") as cur:
        cur.itersize = 5_000
        cur.execute(
            "SELECT sequence, payload, prev_hash, hash, business_date, kafka_topic, "
            f'kafka_partition, kafka_offset FROM "{schema}".events '
            f"WHERE {' AND '.join(where)} ORDER BY sequence",
            params,
        )
        for seq, payload, prev, digest, day, topic, partition, offset in cur:
            data = payload.encode()
            origin = KafkaOrigin(topic, partition, offset) if topic is not None else None
            event = parse_event(data, record=f"stored event {seq}")
            yield StoredEvent(seq, event, data, bytes(prev), bytes(digest), day, origin)
