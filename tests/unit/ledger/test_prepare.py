"""Preparing a batch outside the chain lock: the same bytes and entries the append computes."""

from __future__ import annotations

import sys

import orjson

from ledger.posting_rules import entry_for
from ledger.prepare import exact, prepare, prepare_items
from ledger.records import Incoming, KafkaOrigin
from schemas import canonical_json
from tests.unit.ledger.builders import accrual, one_of_each


def test_a_prepared_batch_holds_canonical_bytes_and_entries_in_item_order() -> None:
    events = one_of_each()
    origin = KafkaOrigin("aid.payments", 1, 7)
    ready = prepare([Incoming(events[0], origin), *events[1:]])
    assert ready.items[0] == (events[0], origin) and ready.items[1] == (events[1], None)
    assert list(ready.payloads) == [canonical_json(e) for e in events]
    assert list(ready.entries) == [entry_for(e) for e in events]


def test_exact_copies_keep_only_the_bytes() -> None:
    payload = orjson.dumps({"a": 1})
    copy = exact(payload)
    assert copy == payload and sys.getsizeof(copy) == sys.getsizeof(payload)
    assert exact(canonical_json(accrual("P1", 1, "2024-07"))).startswith(b'{"amount_vnd":1,')


def test_bytes_the_caller_already_holds_are_kept_and_the_rest_computed() -> None:
    a, b = accrual("P1", 1, "2024-07"), accrual("P2", 2, "2024-07")
    stored = b"the bytes the store holds for a"
    ready = prepare_items([(a, None), (b, None)], [stored, None])
    assert ready.payloads == (stored, canonical_json(b))
