"""Netting a recovery against a person's line: never below zero, the rest carried."""

from __future__ import annotations

from typing import NamedTuple

from schemas.payments import Component

#: Components a recovery may be deducted from (policy: all of them, funeral support included,
#: so an overpayment after a late-reported death is settled from the funeral support).
NETTABLE = (Component.REGULAR, Component.ARREARS, Component.FUNERAL, Component.CARRIED)
#: Column order of components on lists, exports and reports.
ORDER = (
    Component.REGULAR,
    Component.ARREARS,
    Component.FUNERAL,
    Component.RECOVERY,
    Component.CARRIED,
)


class NettedLine(NamedTuple):
    """Components as listed (recovery = the part netted now), the amount and what stays owed."""

    components: dict[Component, int]
    amount_vnd: int
    recovery_left_vnd: int


def net_line(open_amounts: dict[Component, int]) -> NettedLine | None:
    """The line for open amounts, or None when nothing positive is open (recovery waits)."""
    positive = sum(open_amounts.get(c, 0) for c in NETTABLE)
    if positive <= 0:
        return None
    owed = open_amounts.get(Component.RECOVERY, 0)
    netted = min(owed, positive)
    components = {c: open_amounts[c] for c in ORDER if open_amounts.get(c, 0) > 0}
    if netted:
        components[Component.RECOVERY] = netted
    else:
        components.pop(Component.RECOVERY, None)
    return NettedLine(components, positive - netted, owed - netted)
