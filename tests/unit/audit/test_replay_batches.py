"""What a replay hands the ledger: parsed events, with the stored bytes where they are kept."""

from __future__ import annotations

import orjson

from ledger.audit.history import Record
from ledger.audit.replay import ReplayOutcome, _batches
from ledger.records import Incoming
from schemas import canonical_json, parse_event_dict
from tests.unit.schemas.examples import raw_event


def _v1() -> bytes:
    raw = raw_event("BeneficiaryRegistered", schema_version=1)
    raw["name"] = raw.pop("full_name")
    return orjson.dumps(raw)


def test_a_stored_event_keeps_the_bytes_the_ledger_hashed_whatever_its_version() -> None:
    current = canonical_json(parse_event_dict(raw_event("BeneficiaryDied")))
    old = _v1()
    records = [
        Record(current, None, "stored event 1", True),
        Record(current, None, "topic[0]@0"),  # as a producer wrote it: serialized again
        Record(old, None, "stored event 2", True),  # upcast to be projected, bytes kept
        Record(b"{", None, "stored event 3", True),
    ]
    outcome = ReplayOutcome("store", "scratch")
    (batch,) = list(_batches(records, 10, outcome))
    assert batch.payloads is not None
    assert list(batch.payloads) == [current, None, old]
    assert batch.payloads[0] is current and batch.payloads[2] is old
    items = [i.event if isinstance(i, Incoming) else i for i in batch.items]
    assert [e.schema_version for e in items] == [1, 1, 2]  # BeneficiaryDied v1, upcast v2
    assert len(items) == 3 and outcome.read == 4
    (refusal,) = outcome.refused
    assert "stored event 3" in refusal and "not valid JSON" in refusal


def test_batches_are_cut_at_the_given_size_with_their_payloads() -> None:
    current = canonical_json(parse_event_dict(raw_event("BeneficiaryDied")))
    records = [Record(current, None, f"stored event {i}", True) for i in range(5)]
    batches = list(_batches(records, 2, ReplayOutcome("store", "scratch")))
    assert [len(b.payloads or ()) for b in batches] == [2, 2, 1]
