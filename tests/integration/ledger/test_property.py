"""Random histories against a tiny independent model: the ledger's balances must agree.

Operations: accruals, disbursements, reversals, relief handouts, replays (same event again:
already recorded), conflicting duplicates (same id, other content: refused) and redeliveries
(records at or below the stored position: skipped), grouped into random batches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from ledger import Incoming, KafkaOrigin, Ledger
from schemas import Event
from schemas.payments import PaymentDisbursed
from tests.fixtures.ledger import DatabaseFactory
from tests.unit.ledger.builders import accrual, disbursement, handout, reversal

pytestmark = pytest.mark.integration
PEOPLE = ("P1", "P2", "P3")
COMPONENTS = ("regular", "arrears", "funeral", "recovery")

person = st.sampled_from(PEOPLE)
amount = st.integers(1, 2_000_000)
operation = st.one_of(
    st.tuples(st.just("accrue"), person, st.sampled_from(COMPONENTS), amount),
    st.tuples(st.just("disburse"), person, amount),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(
        st.just("handout"),
        person,
        st.sampled_from(("RICE", "OIL")),
        st.integers(1, 5),
        st.integers(0, 300_000),
    ),
    st.tuples(st.just("replay"), st.integers(0, 50)),
    st.tuples(st.just("conflict"), st.integers(0, 50)),
    st.tuples(st.just("redeliver"), st.integers(1, 4)),
    st.tuples(
        st.just("commit"),
    ),
)


@dataclass
class Model:
    """Expected person balances, applied once per event id (the first content wins)."""

    seen: set[object] = field(default_factory=set)
    accrued: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    paid: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    relief: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def apply(self, event: Event) -> None:
        if event.event_id in self.seen:
            return
        self.seen.add(event.event_id)
        e = event.model_dump()
        if event.event_type == "AllowanceAccrued":
            self.accrued[(e["person_id"], e["component"].value)] += e["amount_vnd"]
        elif event.event_type == "PaymentDisbursed":
            self.paid[e["person_id"]] += e["amount_paid_vnd"]
        elif event.event_type == "PaymentReversed":
            self.paid[e["person_id"]] -= e["amount_vnd"]
        elif event.event_type == "ReliefItemHandedOut":
            got = self.relief.setdefault((e["person_id"], e["item_code"]), [0, 0])
            got[0] += e["quantity"]
            got[1] += e["quantity"] * e["unit_value_vnd"]


def _event(op: tuple[Any, ...], sent: list[Event]) -> Event | None:
    """The event an operation sends (None when it has nothing to act on)."""
    kind = op[0]
    if kind == "accrue":
        return accrual(op[1], op[3], "2024-07", component=op[2])
    if kind == "disburse":
        return disbursement(op[1], op[2], "2024-07-05")
    if kind == "handout":
        return handout(op[1], op[2], op[3], op[4])
    if kind == "reverse":
        paid = [e for e in sent if isinstance(e, PaymentDisbursed)]
        return reversal(paid[op[1] % len(paid)]) if paid else None
    if kind in {"replay", "conflict"} and sent:
        event: Event = sent[op[1] % len(sent)]
        if kind == "replay":
            return event
        name = {"ReliefItemHandedOut": "quantity", "PaymentDisbursed": "amount_paid_vnd"}.get(
            event.event_type, "amount_vnd"
        )
        changed: Event = event.model_copy(update={name: getattr(event, name) + 1})
        return changed
    return None


def _run(ledger: Ledger, ops: list[tuple[Any, ...]], pipelined: bool = False) -> None:
    """Apply ``ops``; ``pipelined``: all batches through one Ledger.append_all at the end."""
    model, sent = Model(), list[Event]()
    planned: list[tuple[list[Incoming], tuple[int, int]]] = []
    batch: list[Incoming] = []
    last_batch: list[Incoming] = []
    expected = {"skipped": 0, "conflicts": 0}
    offset = 0

    def commit() -> None:
        nonlocal batch, last_batch
        if pipelined:
            planned.append((batch, (expected["skipped"], expected["conflicts"])))
        else:
            result = ledger.append(batch, consumer="prop")
            assert (result.skipped, len(result.conflicts)) == (
                expected["skipped"],
                expected["conflicts"],
            )
        expected.update(skipped=0, conflicts=0)
        last_batch, batch = batch, []

    for op in ops:
        if op[0] == "commit":
            commit()
        elif op[0] == "redeliver":
            again = last_batch[-op[1] :]
            batch.extend(again)
            expected["skipped"] += len(again)
        elif (event := _event(op, sent)) is not None:
            if op[0] == "conflict":
                expected["conflicts"] += 1
            else:
                model.apply(event)
                sent.append(event)
            batch.append(Incoming(event, KafkaOrigin("aid.payments", 0, offset)))
            offset += 1
    commit()
    results = ledger.append_all([b for b, _ in planned], consumer="prop") if planned else []
    for result, (_, wanted) in zip(results, planned, strict=True):
        assert (result.skipped, len(result.conflicts)) == wanted

    for p in PEOPLE:
        b = ledger.balances(p)
        by_component = {c: model.accrued[(p, c)] for c in COMPONENTS}
        assert b.accrued_by_component == by_component
        assert b.paid == model.paid[p]
        due = sum(v for c, v in by_component.items() if c != "recovery")
        assert b.owed == due - model.paid[p] - by_component["recovery"]
        assert b.overpaid == max(0, -b.owed)
        assert {i: [r.quantity, r.value_vnd] for i, r in b.relief.items()} == {
            item: got for (who, item), got in model.relief.items() if who == p
        }
    with ledger.engine.connect() as conn:
        totals = conn.exec_driver_sql(
            "SELECT asset, sum(balance) FROM ledger.balances GROUP BY asset"
        ).fetchall()
    assert all(total == 0 for _, total in totals)
    assert ledger.positions("prop") == ({("aid.payments", 0): offset - 1} if offset else {})


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, max_size=30))
@pytest.mark.parametrize("pipelined", [False, True], ids=["one_by_one", "append_all"])
def test_random_histories_agree_with_an_independent_model(
    ledger_databases: DatabaseFactory, ops: list[tuple[Any, ...]], pipelined: bool
) -> None:
    with ledger_databases() as url:
        engine = create_engine(url)
        try:
            _run(Ledger(engine), ops, pipelined)
        finally:
            engine.dispose()
