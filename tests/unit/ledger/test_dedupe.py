"""Sorting a batch by event id: new, already recorded, or a conflict to report."""

from __future__ import annotations

from ledger.dedupe import sort_batch
from ledger.records import KafkaOrigin
from schemas import canonical_json
from tests.unit.ledger.builders import accrual


def _next(i: int) -> int:
    return 100 + i


def test_unknown_ids_are_new_and_keep_their_order() -> None:
    a, b = accrual("P1", 1, "2024-07"), accrual("P2", 2, "2024-07")
    result = sort_batch([(a, None), (b, None)], {}, _next)
    assert [e for e, _ in result.new] == [a, b]
    assert not result.already_recorded and not result.conflicts


def test_a_stored_id_with_the_same_content_is_already_recorded() -> None:
    a = accrual("P1", 1, "2024-07")
    result = sort_batch([(a, None)], {a.event_id: (7, canonical_json(a))}, _next)
    assert result.new == [] and result.already_recorded == [a.event_id]


def test_a_stored_id_with_other_content_is_a_conflict_naming_the_stored_sequence() -> None:
    a = accrual("P1", 1, "2024-07")
    changed = a.model_copy(update={"amount_vnd": 2})
    origin = KafkaOrigin("aid.payments", 3, 41)
    result = sort_batch([(changed, origin)], {a.event_id: (7, canonical_json(a))}, _next)
    (conflict,) = result.conflicts
    assert (conflict.event_id, conflict.stored_sequence, conflict.origin) == (a.event_id, 7, origin)
    assert "sequence 7" in str(conflict) and "aid.payments[3]@41" in str(conflict)
    assert result.new == []


def test_duplicates_inside_one_batch_are_compared_with_the_first() -> None:
    a = accrual("P1", 1, "2024-07")
    b = accrual("P2", 5, "2024-07")
    changed = a.model_copy(update={"amount_vnd": 9})
    result = sort_batch([(b, None), (a, None), (a, None), (changed, None)], {}, _next)
    assert [e for e, _ in result.new] == [b, a]
    assert result.already_recorded == [a.event_id]
    assert [c.stored_sequence for c in result.conflicts] == [101]
    assert result.payloads[1] == canonical_json(a)


def test_payloads_computed_ahead_are_used_and_kept_for_the_new_events() -> None:
    a, b = accrual("P1", 1, "2024-07"), accrual("P2", 2, "2024-07")
    ahead = [canonical_json(b), canonical_json(a), canonical_json(a)]
    result = sort_batch([(b, None), (a, None), (a, None)], {}, _next, ahead)
    assert result.new_index == [0, 1]
    assert result.payloads == {0: ahead[0], 1: ahead[1]}
    assert result.already_recorded == [a.event_id]


def test_payloads_known_for_some_items_only_are_computed_for_the_others() -> None:
    a, b = accrual("P1", 1, "2024-07"), accrual("P2", 2, "2024-07")
    given = b"the bytes the store holds for a"
    result = sort_batch([(a, None), (b, None)], {}, _next, [given, None])
    assert result.payloads == {0: given}  # b's are computed where the rows are built
    again = sort_batch([(a, None), (b, None), (b, None)], {}, _next, [given, None, None])
    assert again.already_recorded == [b.event_id]
    assert again.payloads[0] == given and again.payloads[1] == canonical_json(b)
