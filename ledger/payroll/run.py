"""The payroll run: accrue what became due, then issue one list per commune (or a supplement).

Streams every person of the province once (one query, server-side cursor), computes due minus
accrued per service month, nets recoveries, carries uncollected amounts, and hands events to a
``sink`` in batches: the CLI publishes them to Kafka, tests append them to the ledger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from ledger.gc_pause import paced
from ledger.payroll.accruals import new_accruals
from ledger.payroll.calendar import month_index
from ledger.payroll.entitlement import Entitlement, entitlement, suspended_in
from ledger.payroll.errors import NoRateRule, PayrollRefused
from ledger.payroll.facts import RELOCATED, Place
from ledger.payroll.issue import accrual_event, list_event
from ledger.payroll.netting import net_line
from ledger.payroll.postoffices import PostOfficeMap
from ledger.payroll.rates import RateTable, load_rates
from ledger.payroll.reader import (
    PersonRow,
    issued_lists,
    latest_issued_month,
    rates_with_levels,
    stream_people,
)
from ledger.storage import checked_schema, raw_connection
from schemas.envelope import Event
from schemas.payments import Component, PaymentLine

#: Receives each batch of events, in order (publish to Kafka, or append to the ledger).
Sink = Callable[[Sequence[Event]], object]


@dataclass(frozen=True)
class PayrollScope:
    """Which payroll: the month, the province and optionally one district."""

    month: str
    province: str
    district: str | None = None

    def covers(self, place: Place) -> bool:
        return place.province == self.province and (
            self.district is None or place.district == self.district
        )


@dataclass
class PayrollReport:
    """What a run did: counts and amounts, and every person it could not price (with why)."""

    scope: PayrollScope
    people: int = 0
    accruals: Counter[str] = field(default_factory=Counter)
    accrued_vnd: Counter[str] = field(default_factory=Counter)
    lists: int = 0
    supplements: int = 0
    lines: int = 0
    listed_vnd: int = 0
    recovery_outstanding_vnd: int = 0
    #: People suspended this month and what stays open for them (listed again on resumption).
    suspended: int = 0
    suspended_held_vnd: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class _Commune:
    place: Place
    lines: list[tuple[str, str, dict[Component, int], int]] = field(default_factory=list)


class _Run:
    def __init__(
        self,
        scope: PayrollScope,
        rates: RateTable,
        offices: PostOfficeMap,
        issued: dict[str, int],
        sink: Sink,
        batch_size: int,
    ) -> None:
        self.scope, self.rates, self.offices = scope, rates, offices
        self.issued, self.sink, self.batch_size = issued, sink, batch_size
        self.month = month_index(scope.month)
        self.report = PayrollReport(scope)
        self.buffer: list[Event] = []
        self.communes: dict[str, _Commune] = {}

    def emit(self, event: Event) -> None:
        self.buffer.append(event)
        if len(self.buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.report.events += len(self.buffer)
            self.sink(self.buffer)
            self.buffer = []

    def person(self, row: PersonRow) -> None:
        person = row.person
        self.report.people += 1
        try:
            ent = entitlement(person, self.rates, self.month)
        except NoRateRule as exc:
            self.report.problems.append(f"person {person.person_id}: {exc}; nothing accrued")
            return
        amounts: dict[str, dict[Component, int]] = {}
        places = self._places(row, ent)
        unplaced: dict[str, dict[str, int]] = {}
        for commune, component, province, amount in row.open_amounts:
            place = places.get(commune)
            if province != self.scope.province:
                continue  # another province's run lists it
            if place is None:
                if amount:
                    held = unplaced.setdefault(commune, {})
                    held[component] = held.get(component, 0) + amount
            elif self.scope.covers(place):
                slot = amounts.setdefault(commune, {})
                slot[Component(component)] = slot.get(Component(component), 0) + amount
        for commune, held in sorted(unplaced.items()):
            self._unplaced(person.person_id, commune, held)
        for accrual in new_accruals(ent, row.allowance_accrued, row.funeral_accrued, self.month):
            if not self.scope.covers(accrual.place):
                continue  # another province's (or district's) run accrues it
            places[accrual.place.commune] = accrual.place
            ordinal = self.issued.get(accrual.place.commune, 0)
            self.emit(accrual_event(person.person_id, self.scope.month, accrual, ordinal))
            self.report.accruals[accrual.component.value] += 1
            self.report.accrued_vnd[accrual.component.value] += accrual.amount_vnd
            slot = amounts.setdefault(accrual.place.commune, {})
            slot[accrual.component] = slot.get(accrual.component, 0) + accrual.amount_vnd
        if amounts and suspended_in(person, self.month):
            # Payment is suspended: nothing goes on a list (carried amounts and arrears stay
            # open, and are listed from the month payment resumes).
            self.report.suspended += 1
            self.report.suspended_held_vnd += sum(
                v for slot in amounts.values() for k, v in slot.items() if k != Component.RECOVERY
            )
            return
        for commune, open_amounts in amounts.items():
            netted = net_line(open_amounts)
            if netted is None:
                self.report.recovery_outstanding_vnd += open_amounts.get(Component.RECOVERY, 0)
                continue
            self.report.recovery_outstanding_vnd += netted.recovery_left_vnd
            if not person.full_name:
                self.report.problems.append(
                    f"person {person.person_id} has amounts due but no registration; not listed"
                )
                continue
            group = self.communes.setdefault(commune, _Commune(places[commune]))
            group.lines.append(
                (person.person_id, person.full_name, netted.components, netted.amount_vnd)
            )

    def _unplaced(self, person_id: str, commune: str, held: dict[str, int]) -> None:
        # No list can be made for a commune the person is not linked to (no district, no post
        # office), and the open amount is cleared only by a line in that commune: name it.
        parts = ", ".join(f"{k} {v:,}" for k, v in sorted(held.items()))
        self.report.problems.append(
            f"person {person_id}: {sum(held.values()):,} VND ({parts}) is still open in commune"
            f" {commune}, which is neither the commune the person is registered in nor one they"
            " moved to; not listed: it stays owed until paid off the list or the registration"
            " is corrected"
        )

    @staticmethod
    def _places(row: PersonRow, ent: Entitlement) -> dict[str, Place]:
        places = {place.commune: place for _, place in ent.places}
        for fact in row.person.facts:
            if fact.kind == RELOCATED and fact.place is not None:
                places[fact.place.commune] = fact.place
        return places

    def finish(self, commune: str) -> None:
        group = self.communes.pop(commune, None)
        if group is None or not group.lines:
            return
        group.lines.sort(key=lambda line: line[0])
        lines = [
            PaymentLine(
                line_no=n,
                person_id=p,
                full_name=name,
                commune_code=commune,
                components=components,
                amount_vnd=amount,
            )
            for n, (p, name, components, amount) in enumerate(group.lines, start=1)
        ]
        ordinal = self.issued.get(commune, 0)
        event = list_event(
            self.scope.month, group.place, self.offices.for_place(group.place), ordinal, lines
        )
        self.emit(event)
        self.report.lists += 1
        self.report.supplements += 1 if ordinal else 0
        self.report.lines += len(lines)
        self.report.listed_vnd += event.total_vnd


def run_payroll(
    engine: Engine,
    scope: PayrollScope,
    sink: Sink,
    *,
    schema: str = "ledger",
    rates: RateTable | None = None,
    post_offices: PostOfficeMap | None = None,
    batch_size: int = 5_000,
) -> PayrollReport:
    """Run payroll for a month; running it again with nothing new publishes nothing new.

    Refuses a month earlier than one already issued (corrections go on the next lists).
    """
    schema = checked_schema(schema)
    with raw_connection(engine) as conn, paced() as tick:

        def paced_sink(batch: Sequence[Event]) -> None:
            sink(batch)
            tick(len(batch))

        with conn.cursor() as cur:
            cur.execute(f'SET search_path TO "{schema}", public')
        latest = latest_issued_month(conn, scope.province)
        if latest is not None and latest > scope.month:
            raise PayrollRefused(
                f"payroll {scope.month} for province {scope.province} is closed: lists for "
                f"{latest} are already issued; corrections go on the next month's lists"
            )
        table = rates_with_levels(conn, rates or load_rates())
        run = _Run(
            scope,
            table,
            post_offices or PostOfficeMap(),
            issued_lists(conn, scope.province, scope.month),
            paced_sink,
            batch_size,
        )
        current: str | None = None
        for row in stream_people(conn, scope.province, scope.district):
            run.person(row)
            if not row.relocated and row.current_commune != current:
                if current is not None:
                    run.finish(current)
                current = row.current_commune
        for commune in sorted(run.communes):
            run.finish(commune)
        run.flush()
    return run.report
