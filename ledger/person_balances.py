"""A person's balances, derived from the accounts of the chart (see ledger.accounts)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from ledger.accounts import ITEM_PREFIX, VND
from ledger.coverage import CardCoverage

COMPONENTS = ("regular", "arrears", "funeral", "recovery")


@dataclass(frozen=True, slots=True)
class ReliefReceived:
    """Relief of one item a person received: the quantity and its value."""

    quantity: int = 0
    value_vnd: int = 0


@dataclass(frozen=True)
class PersonBalances:
    """Where a person stands on ``as_of`` (business date), as known on ``known_on``.

    ``owed`` = accrued − paid − recovered; it is negative when more was paid than is due,
    and then ``overpaid`` (= −owed) is what is to be recovered. VND amounts are whole đồng.
    """

    person_id: str
    as_of: date | None
    known_on: datetime | None
    #: Allowance accrued: regular + arrears + funeral.
    accrued: int = 0
    #: Accrued per component, including ``recovery`` (overpayments to recover).
    accrued_by_component: Mapping[str, int] = field(default_factory=dict)
    paid: int = 0
    recovered: int = 0
    owed: int = 0
    arrears: int = 0
    overpaid: int = 0
    relief: Mapping[str, ReliefReceived] = field(default_factory=dict)
    coverage: tuple[CardCoverage, ...] = ()


def assemble(
    person_id: str,
    as_of: date | None,
    known_on: datetime | None,
    rows: Iterable[tuple[str, str | None, str, int]],
    coverage: tuple[CardCoverage, ...],
) -> PersonBalances:
    """Build PersonBalances from (kind, detail, asset, balance) rows of the person's accounts."""
    by_component = dict.fromkeys(COMPONENTS, 0)
    paid = 0
    quantities: dict[str, int] = {}
    values: dict[str, int] = {}
    for kind, detail, asset, balance in rows:
        if kind == "accrued" and detail is not None:
            by_component[detail] = by_component.get(detail, 0) - balance  # credit balances
        elif kind == "recovery":
            by_component["recovery"] += balance
        elif kind == "paid":
            paid += balance
        elif kind == "relief" and detail is not None:
            if asset == VND:
                values[detail] = values.get(detail, 0) + balance
            elif asset.startswith(ITEM_PREFIX):
                quantities[detail] = quantities.get(detail, 0) + balance
    accrued = sum(v for k, v in by_component.items() if k != "recovery")
    recovered = by_component["recovery"]
    owed = accrued - paid - recovered
    relief = {
        item: ReliefReceived(quantities.get(item, 0), values.get(item, 0))
        for item in sorted(set(quantities) | set(values))
    }
    return PersonBalances(
        person_id=person_id,
        as_of=as_of,
        known_on=known_on,
        accrued=accrued,
        accrued_by_component=by_component,
        paid=paid,
        recovered=recovered,
        owed=owed,
        arrears=by_component["arrears"],
        overpaid=max(0, -owed),
        relief=relief,
        coverage=coverage,
    )
