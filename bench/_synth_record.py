"""What the department knows about one synthetic person, and what each payroll run accrues.

Entitlement is recomputed from the facts known at each payroll run, so late decisions, late
death reports, back pay and late rate rises become arrears or recoveries, never edits.
"""

from __future__ import annotations

import random
from bisect import insort
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from bench._synth_events import Card, Death
from bench._synth_facts import Decision, Fact, Move, Pause, Resume, Stop
from bench._synth_geography import Commune
from bench._synth_people import Person, at
from bench._synth_policy import allowance, payroll_run_at, standard_level
from schemas import Event
from schemas.months import add_months, month_of
from schemas.payments import Component

#: How far back a payroll run looks for amounts that became due or not due (months).
LOOKBACK = 12


@dataclass(frozen=True, slots=True)
class Accrual:
    """One amount a payroll run accrues for a service month."""

    component: Component
    service_month: str
    amount: int
    coef: Decimal | None
    level: int | None


class Record:
    """Facts pending and known about a person, and the amounts accrued so far."""

    def __init__(self, person: Person, seed: int, first: str) -> None:
        self.person, self.seed, self.first = person, seed, first
        self.rng = random.Random(f"{seed}/{person.index}/life")
        self.pending: list[Fact] = sorted(person.facts, key=lambda f: f.known_at)
        self.decisions: list[Decision] = []
        self.pauses: list[tuple[Pause, Resume | None]] = []
        self.stop_from: str | None = None
        self.death: Death | None = None
        self.death_known = self.funeral_done = self.done = self.dirty = False
        self.commune: Commune = person.home
        self.move: Move | None = None
        self.accrued: dict[str, int] = {}
        self.card_until: date | None = None
        self.opened = payroll_run_at(first)

    def active(self) -> bool:
        """Granted (as known), not stopped or dead: life events can still happen."""
        return bool(self.decisions) and self.stop_from is None and self.death is None

    def _renew_card(self, year: int) -> None:
        if self.card_until is not None and self.card_until.year >= year:
            return
        self.card_until = date(year, 12, 31)
        issued = date(year - 1, 12, 15)
        self._add(Card(at(issued, self.rng), date(year, 1, 1), self.card_until))

    def _paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None

    def _add(self, fact: Fact) -> None:
        insort(self.pending, fact, key=lambda f: f.known_at)

    def start(self, until: datetime) -> list[Event]:
        """Facts known when the window opens, plus this year's card for a current recipient."""
        events = self.known(until)
        if self.active():
            self._renew_card(int(self.first[:4]))
            events += self.known(until)
        return events

    def known(self, until: datetime) -> list[Event]:
        """Apply and return the events of every pending fact known by ``until``."""
        events: list[Event] = []
        while self.pending and self.pending[0].known_at <= until:
            fact = self.pending.pop(0)
            self.dirty = True
            self._apply(fact)
            events += fact.events(self.seed, self.person)
        return events

    def _apply(self, fact: Fact) -> None:
        if isinstance(fact, Decision):
            self.decisions.append(fact)
            if fact.first and fact.known_at > self.opened:  # older cards are not history here
                self._first_card(fact.known_at.date())
        elif isinstance(fact, Stop):
            self.stop_from = min(self.stop_from or fact.effective, fact.effective)
        elif isinstance(fact, Death):
            self.death_known = True
            self.stop_from = min(self.stop_from or "9999-12", add_months(month_of(fact.day), 1))
        elif isinstance(fact, Pause):
            self.pauses.append((fact, None))
        elif isinstance(fact, Resume) and self._paused():
            self.pauses[-1] = (self.pauses[-1][0], fact)
        elif isinstance(fact, Move):
            self.move = fact

    def _first_card(self, known: date) -> None:
        """A new recipient's card runs from the next month to the end of the year."""
        start = date(known.year + known.month // 12, known.month % 12 + 1, 1)
        self.card_until = date(start.year, 12, 31)
        self._add(Card(at(known + timedelta(days=20), self.rng), start, self.card_until))

    def entitled(self, month: str, known_at: datetime) -> tuple[int, Decimal, int]:
        """(amount, coefficient, level) due for ``month`` as known at an instant."""
        if self.stop_from is not None and month >= self.stop_from:
            return 0, Decimal(0), 0
        best: Decision | None = None
        for decision in self.decisions:
            if decision.effective <= month and (
                best is None or decision.effective >= best.effective
            ):
                best = decision
        if best is None:
            return 0, Decimal(0), 0
        for pause, resume in self.pauses:
            if month >= pause.effective and (
                resume is None or (month < resume.effective and not resume.back_pay)
            ):
                return 0, Decimal(0), 0
        level = standard_level(month, self.person.home.province_code, known_at)
        return allowance(level, best.coef), best.coef, level

    def payroll(self, month: str, run_at: datetime, level_changed: bool) -> list[Accrual]:
        """Amounts the payroll run for ``month`` accrues: regular, arrears, recovery, funeral."""
        if self.done:
            return []
        if self.move is not None and month >= self.move.effective:
            self.commune = self.move.new
        amount, coef, level = self.entitled(month, run_at)
        items = [Accrual(Component.REGULAR, month, amount, coef, level)] if amount else []
        if amount:
            self.accrued[month] = amount
        if self.dirty or level_changed:
            start = max(self.first, add_months(month, -LOOKBACK))
            service = start
            while service < month:
                due, c, lv = self.entitled(service, run_at)
                diff = due - self.accrued.get(service, 0)
                if diff:
                    kind = Component.ARREARS if diff > 0 else Component.RECOVERY
                    items.append(Accrual(kind, service, abs(diff), c or None, lv or None))
                    self.accrued[service] = due
                service = add_months(service, 1)
            self.accrued = {m: v for m, v in self.accrued.items() if m >= start}
        self.dirty = False
        if self.death_known and self.death is not None and not self.funeral_done:
            died = month_of(self.death.day)
            level = standard_level(died, self.person.home.province_code, run_at)
            items.append(Accrual(Component.FUNERAL, died, 20 * level, None, level))
            self.funeral_done = self.done = True
        elif self.stop_from is not None and month >= self.stop_from and not self.pending:
            self.done = True
        return items
