"""``deadletters retry`` against a real broker and PostgreSQL: where the message goes."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from connectors.deadletters import retry_deadletter
from connectors.readback import read_back
from ledger.storage import raw_connection
from schemas import canonical_json
from streams.deadletter_store import DeadLetterStore, insert_letters
from streams.intake import triage
from streams.records import RawRecord
from tests.unit.ledger.builders import card_issued

pytestmark = pytest.mark.integration


def test_a_letter_refused_for_its_topic_is_retried_on_the_topic_its_type_belongs_on(
    ledger_db_url: str, kafka_bootstrap: str, topic_prefix: str
) -> None:
    card = card_issued("P1", "BT2840000000001", "2025-01-01", "2025-12-31")
    record = RawRecord(f"{topic_prefix}aid.payments", 0, 7, b"P1", canonical_json(card))
    (letter,) = triage([record], topic_prefix).letters
    engine = create_engine(ledger_db_url)
    try:
        with raw_connection(engine) as conn, conn.cursor() as cur:
            insert_letters(cur, "ledger", [letter], "group-a", "worker-1")
            conn.commit()
        store = DeadLetterStore(engine)

        done = retry_deadletter(store, kafka_bootstrap, str(letter.deadletter_id))

        home = f"{topic_prefix}aid.health-insurance"
        assert done.topic == home and not done.fixed
        ((topic, _, offset, event),) = read_back(kafka_bootstrap, [home], {str(card.event_id)})
        assert (topic, offset, event) == (home, done.offset, card)
        kept = store.get(str(letter.deadletter_id))
        assert kept.topic == record.topic and kept.retries == 1  # the letter stays
    finally:
        engine.dispose()
