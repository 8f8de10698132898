"""Due minus already accrued, per service month: the accruals a payroll month must add.

A service month owed more than accrued gets ``regular`` (the payroll month) or ``arrears``
(an earlier month); one accrued more than due gets ``recovery``. Pure functions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from ledger.payroll.calendar import month_text
from ledger.payroll.entitlement import Entitlement
from ledger.payroll.facts import Place
from schemas.payments import Component

ALLOWANCE, FUNERAL = "allowance", "funeral"
#: The note that marks a recovery of funeral support (so it is netted against the right kind).
FUNERAL_RECOVERY_NOTE = "funeral support recovered"


class Accrual(NamedTuple):
    """An amount to accrue for one service month; ``kind`` is allowance or funeral."""

    service_month: int
    component: Component
    amount_vnd: int
    place: Place
    kind: str = ALLOWANCE
    coefficient: Decimal | None = None
    standard_level_vnd: int | None = None
    #: Parts of the event id when it must equal the id implied_events gives the same amount
    #: (first funeral support, first back pay of a month), so it can never be accrued twice.
    implied_key: tuple[str, ...] | None = None
    #: What was accrued for the service month (of this kind) before: part of the event id when
    #: not 0, so a second correction of a month in one payroll month (no list issued between
    #: them) gets an id of its own, while running the same month again gives the same ids.
    basis: int = 0


def new_accruals(
    ent: Entitlement,
    accrued: dict[int, int],
    funeral_accrued: int,
    month: int,
) -> list[Accrual]:
    """What to accrue in payroll ``month`` so accrued equals due for every month up to it.

    ``accrued`` is the net allowance already accrued per service month. Recoveries are placed
    where the person is paid in ``month`` (so they can be netted); the rest where the service
    month was paid.
    """
    out: list[Accrual] = []
    here = ent.place_at(month)
    seen: set[int] = set()
    for seg in ent.segments:
        for service in range(seg.first, min(seg.last, month) + 1):
            seen.add(service)
            diff = seg.amount_vnd - accrued.get(service, 0)
            if diff > 0:
                component = Component.REGULAR if service == month else Component.ARREARS
                cause = ent.back_pay.get(service)
                key: tuple[str, ...] | None = None
                if cause and component is Component.ARREARS and service not in accrued:
                    key = ("back-pay", cause, month_text(service))
                out.append(
                    Accrual(
                        service,
                        component,
                        diff,
                        seg.place,
                        ALLOWANCE,
                        seg.coefficient,
                        seg.standard_level_vnd,
                        key,
                        accrued.get(service, 0),
                    )
                )
            elif diff < 0:
                out.append(
                    _recovery(service, -diff, here or seg.place, basis=accrued.get(service, 0))
                )
    for service, amount in sorted(accrued.items()):
        if service in seen or service > month or amount <= 0:
            continue
        place = here or ent.place_at(service)
        if place is not None:
            out.append(_recovery(service, amount, place, basis=amount))
    funeral = ent.funeral
    due = funeral.amount_vnd if funeral is not None and funeral.month <= month else 0
    if due > funeral_accrued and funeral is not None:
        first = ("funeral", ent.person_id) if funeral_accrued == 0 else None
        out.append(
            Accrual(
                funeral.month,
                Component.FUNERAL,
                due - funeral_accrued,
                funeral.place,
                FUNERAL,
                None,
                funeral.standard_level_vnd,
                first,
                funeral_accrued,
            )
        )
    elif due < funeral_accrued:
        place = here or (funeral.place if funeral else None)
        if place is not None:
            service = funeral.month if funeral else month
            out.append(
                _recovery(service, funeral_accrued - due, place, FUNERAL, basis=funeral_accrued)
            )
    return out


def _recovery(
    service: int, amount: int, place: Place, kind: str = ALLOWANCE, *, basis: int = 0
) -> Accrual:
    return Accrual(service, Component.RECOVERY, amount, place, kind, basis=basis)
