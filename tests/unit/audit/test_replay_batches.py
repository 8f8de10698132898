"""What a replay hands the ledger: parsed events, with the stored bytes where they are kept."""

from __future__ import annotations

import orjson

from ledger.audit.history import Record
from ledger.audit.replay import ReplayOutcome, _batches
from schemas import canonical_json, parse_event_dict
from tests.unit.schemas.examples import raw_event


def _v1() -> bytes:
    raw = raw_event("BeneficiaryRegistered", schema_version=1)
    raw["name"] = raw.pop("full_name")
    return orjson.dumps(raw)


def test_a_stored_event_of_its_current_version_keeps_the_bytes_the_ledger_hashed() -> None:
    current = canonical_json(parse_event_dict(raw_event("BeneficiaryDied")))
    records = [
        Record(current, None, "stored event 1", True),
        Record(current, None, "topic[0]@0"),  # as a producer wrote it: serialized again
        Record(_v1(), None, "stored event 2", True),  # upcast: serialized again
        Record(b"{", None, "stored event 3", True),
    ]
    outcome = ReplayOutcome("store", "scratch")
    (batch,) = list(_batches(records, 10, outcome))
    assert batch.payloads is not None
    assert [p is current for p in batch.payloads] == [True, False, False]
    assert batch.payloads[1:] == [None, None]
    assert len(list(batch.items)) == 3 and outcome.read == 4
    (refusal,) = outcome.refused
    assert "stored event 3" in refusal and "not valid JSON" in refusal


def test_batches_are_cut_at_the_given_size_with_their_payloads() -> None:
    current = canonical_json(parse_event_dict(raw_event("BeneficiaryDied")))
    records = [Record(current, None, f"stored event {i}", True) for i in range(5)]
    batches = list(_batches(records, 2, ReplayOutcome("store", "scratch")))
    assert [len(b.payloads or ()) for b in batches] == [2, 2, 1]
