"""Lines carried forward, settled in ledger order: a late payment takes back what a line
carries, a reversal of that payment carries the line again.

A line reported not collected carries what is still unpaid of what it was due (the first
amount reported not collected, at most the listed amount) to the next list: ``payroll_carried``
keeps what it still carries and what it was due, and the amount is open for the person in the
line's commune (``payroll_open``, component ``carried``). Later reports on the line change it:

- a payment takes what it covers off what the line carries: off the open carried amount as
  far as that still holds it, the rest as an open ``recovery`` (the next list already paid it:
  the person was paid twice, and it is recovered from the next lines);
- a reversal of a payment makes the line unpaid again: it carries again what the reversal
  freed, up to what the line was due less what is still paid on it. A recovery open for the
  person in the line's commune is reduced by it first (the one a late payment opened, if not
  netted yet: that payment was never made), the rest is open as ``carried``.

Whether a payment or a reversal moves the carried or the recovery amount depends on what is
open when it comes, which a list issued in between changes. So for the people whose carried
lines a batch pays or reverses, the projector follows the batch event by event
(``Settlement``) instead of statement by statement: how the events were batched (a replay
batches them otherwise than the live worker) changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from schemas.envelope import Event
from schemas.payments import (
    AllowanceAccrued,
    Component,
    PaymentDisbursed,
    PaymentListIssued,
    PaymentNotCollected,
    PaymentReversed,
)

#: A listed line: (list id, line number).
Key = tuple[str, int]
CARRIED, RECOVERY = Component.CARRIED.value, Component.RECOVERY.value
_FOLLOWED = (Component.CARRIED, Component.RECOVERY)


def still_due(due_vnd: int, paid_vnd: int) -> int:
    """What a line due ``due_vnd`` carries while ``paid_vnd`` (disbursed less reversed) is paid
    on it: never less than nothing, never more than it was due."""
    return max(due_vnd - max(paid_vnd, 0), 0)


@dataclass
class Line:
    """A listed line as a settlement follows it."""

    person_id: str
    commune_code: str
    province_code: str
    listed_vnd: int
    #: Disbursed less reversed on the line so far.
    paid_vnd: int
    #: What the line still carries; None while it was never carried.
    carried_vnd: int | None = None
    #: What it was due when first reported not collected.
    due_vnd: int = 0
    #: Whether its ``payroll_carried`` row is to be written.
    changed: bool = False


def opened_by(event: Event, people: frozenset[str]) -> Iterator[tuple[str, str, str, int]]:
    """(person, commune, component, amount): the carried and recovery amounts of ``people``
    that ``event`` opens (an accrual: +) or lists (a payment list: -), as the projector's
    open amounts count them."""
    if isinstance(event, AllowanceAccrued):
        if event.component in _FOLLOWED and event.person_id in people:
            yield event.person_id, event.commune_code, event.component.value, event.amount_vnd
    elif isinstance(event, PaymentListIssued):
        for line in event.lines:
            if line.person_id in people:
                for component in _FOLLOWED:
                    if amount := line.components.get(component, 0):
                        yield line.person_id, line.commune_code, component.value, -amount


@dataclass
class Followed:
    """The events of a batch a settlement follows, in ledger order, and what they touch."""

    events: list[Event] = field(default_factory=list)
    #: The lines they report on.
    lines: set[Key] = field(default_factory=set)
    #: The ids of the payments and reversals among them.
    reports: list[str] = field(default_factory=list)


def followed(batch: Iterable[Event], hits: set[Key], people: frozenset[str]) -> Followed:
    """What of ``batch`` settles the lines ``hits`` (payments and reversals on lines carried)
    of ``people``: those payments and reversals; the not-collected reports of those people or
    lines (a payment or reversal on a line reported not collected in the same batch is a hit);
    the lists and accruals that change their open carried or recovery amounts."""
    out = Followed()
    for event in batch:
        if isinstance(event, PaymentDisbursed | PaymentReversed):
            key = (event.list_id, event.line_no)
            if key in hits:
                out.events.append(event)
                out.lines.add(key)
                out.reports.append(str(event.event_id))
        elif isinstance(event, PaymentNotCollected):
            key = (event.list_id, event.line_no)
            if event.person_id in people or key in hits:
                out.events.append(event)
                out.lines.add(key)
        elif isinstance(event, AllowanceAccrued | PaymentListIssued) and any(
            True for _ in opened_by(event, people)
        ):
            out.events.append(event)
    return out


@dataclass
class Settlement:
    """Lines and open amounts followed event by event; ``moved`` is what the settlement itself
    changed in the open amounts (lists and accruals are written by the projector)."""

    lines: dict[Key, Line]
    people: frozenset[str]
    #: (person, commune) -> [open carried, open recovery], as the events go.
    open: dict[tuple[str, str], list[int]]
    #: (person, commune, component) -> the amount moved.
    moved: dict[tuple[str, str, str], int] = field(default_factory=dict)
    #: (person, commune) -> province, of the lines whose amounts moved.
    provinces: dict[tuple[str, str], str] = field(default_factory=dict)

    def follow(self, event: Event) -> None:
        if isinstance(event, PaymentDisbursed):
            self.paid((event.list_id, event.line_no), event.amount_paid_vnd)
        elif isinstance(event, PaymentReversed):
            self.reversed((event.list_id, event.line_no), event.amount_vnd)
        elif isinstance(event, PaymentNotCollected):
            key = (event.list_id, event.line_no)
            self.not_collected(key, event.person_id, event.amount_vnd)
        else:
            for person, commune, component, amount in opened_by(event, self.people):
                self.opened(person, commune, component, amount)

    def opened(self, person: str, commune: str, component: str, amount: int) -> None:
        """An amount another event opens (+) or lists (-): followed, not moved."""
        self.open.setdefault((person, commune), [0, 0])[1 if component == RECOVERY else 0] += amount

    def not_collected(self, key: Key, person_id: str, amount: int) -> None:
        """The line carries what is unpaid of it, once (a repeated report carries nothing)."""
        line = self.lines.get(key)
        if line is None or line.carried_vnd is not None or line.person_id != person_id:
            return
        line.due_vnd = min(amount, line.listed_vnd)
        line.carried_vnd = still_due(line.due_vnd, line.paid_vnd)
        line.changed = True
        self._move(line, line.carried_vnd, 0)

    def paid(self, key: Key, amount: int) -> None:
        """A payment takes what the line carries back: off the open carried amount while it
        holds it, else as a recovery."""
        line = self.lines.get(key)
        if line is None:
            return
        line.paid_vnd += amount
        if not line.carried_vnd:
            return
        back = min(line.carried_vnd, amount)
        line.carried_vnd -= back
        line.changed = True
        off = min(back, max(self._slot(line)[0], 0))
        self._move(line, -off, back - off)

    def reversed(self, key: Key, amount: int) -> None:
        """A reversal carries the line again by what it freed: an open recovery is reduced
        first, the rest is carried."""
        line = self.lines.get(key)
        if line is None:
            return
        line.paid_vnd -= amount
        if line.carried_vnd is None:
            return
        again = max(min(amount, still_due(line.due_vnd, line.paid_vnd) - line.carried_vnd), 0)
        if not again:
            return
        line.carried_vnd += again
        line.changed = True
        cancelled = min(again, max(self._slot(line)[1], 0))
        self._move(line, again - cancelled, -cancelled)

    def _slot(self, line: Line) -> list[int]:
        return self.open.setdefault((line.person_id, line.commune_code), [0, 0])

    def open_changes(self) -> list[tuple[str, str, str, str, int]]:
        """(person, commune, component, province, amount): what to add to the open amounts."""
        return [
            (person, commune, component, self.provinces[person, commune], amount)
            for (person, commune, component), amount in self.moved.items()
            if amount
        ]

    def _move(self, line: Line, carried: int, recovery: int) -> None:
        slot = self._slot(line)
        slot[0] += carried
        slot[1] += recovery
        place = (line.person_id, line.commune_code)
        self.provinces.setdefault(place, line.province_code)
        for component, amount in ((CARRIED, carried), (RECOVERY, recovery)):
            if amount:
                key = (*place, component)
                self.moved[key] = self.moved.get(key, 0) + amount
