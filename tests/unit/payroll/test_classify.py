"""Reconciliation rules: one class per line, first matching rule wins."""

from __future__ import annotations

import pytest

from ledger.reconciliation.classify import LineFacts, classify, unpaid
from ledger.reconciliation.classify import LineStatus as S


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (LineFacts(750_000, 750_000, 1), S.PAID_IN_FULL),
        (LineFacts(750_000, 500_000, 1), S.PARTIALLY_PAID),
        (LineFacts(750_000, not_collected=True), S.NOT_COLLECTED),
        (LineFacts(750_000, 800_000, 1), S.OVERPAID),
        (LineFacts(750_000, 1_500_000, 2), S.PAID_TWICE),
        (LineFacts(750_000, 750_000, 1, paid_after_stop=True), S.PAID_AFTER_STOP),
        (LineFacts(750_000, 750_000, 1, conflicts=1), S.CONFLICT),
        (LineFacts(750_000), S.MISSING),
        (LineFacts(0), S.PAID_IN_FULL),
    ],
)
def test_each_line_gets_exactly_one_class(facts: LineFacts, expected: S) -> None:
    assert classify(facts) is expected


def test_a_conflict_outranks_every_other_finding() -> None:
    facts = LineFacts(750_000, 1_600_000, 2, conflicts=1, paid_after_stop=True)
    assert classify(facts) is S.CONFLICT


def test_unpaid_is_never_negative() -> None:
    facts = LineFacts(750_000, 800_000, 1)
    assert unpaid(facts, classify(facts)) == 0
    partial = LineFacts(750_000, 500_000, 1)
    assert unpaid(partial, classify(partial)) == 250_000
