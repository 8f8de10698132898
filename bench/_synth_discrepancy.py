"""Kinds of discrepancy in a post-office report, and the rates they are drawn at."""

from __future__ import annotations

import random
from collections.abc import Mapping
from enum import StrEnum

from schemas import AidLedgerError


class Discrepancy(StrEnum):
    PAID_IN_FULL = "paid_in_full"
    PARTIAL = "partial"
    NOT_COLLECTED = "not_collected"
    OVERPAID = "overpaid"
    PAID_TWICE = "paid_twice"
    NOT_ON_LIST = "not_on_list"
    AFTER_DEATH = "after_death"
    MISSING = "missing"


#: Kinds drawn per listed line (PAID_IN_FULL takes what is left; NOT_ON_LIST adds rows).
LINE_KINDS = tuple(
    k for k in Discrepancy if k not in (Discrepancy.PAID_IN_FULL, Discrepancy.NOT_ON_LIST)
)


class BadRates(AidLedgerError):
    """Discrepancy rates that cannot be drawn (negative, or more than 100% of lines)."""

    exit_code = 3


def discrepancy_rates(
    every: float, overrides: Mapping[str, float] | None = None
) -> dict[Discrepancy, float]:
    """``every`` for each discrepancy kind, then per-kind overrides such as {"partial": 0.1}."""
    rates: dict[Discrepancy, float] = {
        k: every for k in Discrepancy if k is not Discrepancy.PAID_IN_FULL
    }
    for name, rate in (overrides or {}).items():
        try:
            rates[Discrepancy(name)] = rate
        except ValueError:
            known = ", ".join(k.value for k in rates)
            raise BadRates(f"unknown discrepancy kind {name!r} (known: {known})") from None
    if any(not 0 <= r <= 1 for r in rates.values()):
        raise BadRates(f"every rate must be between 0 and 1, got {rates}")
    if sum(rates[k] for k in LINE_KINDS) > 1:
        raise BadRates(f"the rates of {[k.value for k in LINE_KINDS]} add up to more than 1")
    return rates


def draw(rng: random.Random, rates: Mapping[Discrepancy, float]) -> Discrepancy:
    """One line's kind: each discrepancy at its rate, paid in full otherwise."""
    u, acc = rng.random(), 0.0
    for kind in LINE_KINDS:
        acc += rates.get(kind, 0)
        if u < acc:
            return kind
    return Discrepancy.PAID_IN_FULL
