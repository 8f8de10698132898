"""Consumer positions are stored with the rows: a redelivered record is skipped, not re-applied."""

from __future__ import annotations

import pytest

from ledger import Incoming, KafkaOrigin, Ledger
from tests.unit.ledger.builders import accrual

pytestmark = pytest.mark.integration
TOPIC = "aid.payments"


def _items(start: int, stop: int, partition: int = 0) -> list[Incoming]:
    return [
        Incoming(accrual(f"P{offset}", 1_000, "2024-07"), KafkaOrigin(TOPIC, partition, offset))
        for offset in range(start, stop)
    ]


def test_positions_are_stored_per_partition_with_the_append(ledger: Ledger) -> None:
    result = ledger.append([*_items(0, 5), *_items(10, 12, partition=1)], consumer="ledger")
    assert len(result.appended) == 7 and result.skipped == 0
    assert ledger.positions("ledger") == {(TOPIC, 0): 4, (TOPIC, 1): 11}
    assert ledger.positions("someone-else") == {}
    stored = list(ledger.events())
    assert stored[0].origin == KafkaOrigin(TOPIC, 0, 0)


def test_redelivered_items_are_skipped_and_counted(ledger: Ledger) -> None:
    first = _items(0, 5)
    ledger.append(first, consumer="ledger")
    # A rebalance redelivers offsets 3..4 (new event ids would even be appended otherwise).
    redelivered = [Incoming(accrual("PX", 9, "2024-07"), KafkaOrigin(TOPIC, 0, o)) for o in (3, 4)]
    result = ledger.append([*redelivered, *_items(5, 7)], consumer="ledger")
    assert result.skipped == 2 and len(result.appended) == 2
    assert ledger.positions("ledger") == {(TOPIC, 0): 6}
    assert ledger.balances("PX").accrued == 0


def test_positions_never_move_backwards_and_other_consumers_are_independent(
    ledger: Ledger,
) -> None:
    items = _items(0, 10)
    ledger.append(items, consumer="ledger")
    again = ledger.append(items, consumer="audit-replay")
    assert len(again.already_recorded) == 10 and again.skipped == 0
    ledger.append(_items(5, 8), consumer="ledger")
    assert ledger.positions("ledger") == {(TOPIC, 0): 9}
    assert ledger.positions("audit-replay") == {(TOPIC, 0): 9}


def test_a_conflicting_record_still_advances_the_position(ledger: Ledger) -> None:
    (item,) = _items(0, 1)
    ledger.append([item], consumer="ledger")
    changed = item.event.model_copy(update={"amount_vnd": 2_000})
    result = ledger.append([Incoming(changed, KafkaOrigin(TOPIC, 0, 1))], consumer="ledger")
    assert len(result.conflicts) == 1
    assert ledger.positions("ledger") == {(TOPIC, 0): 1}
