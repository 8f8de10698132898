"""One district's events over the history window, streamed month by month.

Per payroll month: the facts learnt since the last run, the post office's answers for last
month's lines, relief handouts, then the accruals, one payment list per commune and the funds
sent to the district post office. The final month's lists stay open: their outcomes are what
the post-office report (``--report``) is for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta

from bench._synth_events import LineRef, outcome_event
from bench._synth_facts import PAYROLL, build
from bench._synth_geography import District
from bench._synth_life import Life
from bench._synth_people import make_person
from bench._synth_policy import level_applied_between, payroll_run_at
from bench._synth_record import Accrual
from bench._synth_relief import relief_events
from schemas import Event, deterministic_id
from schemas.canonical import lines_digest
from schemas.months import add_months, end_of_day, last_day, months_between
from schemas.payments import (
    AllowanceAccrued,
    Component,
    FundsTransferred,
    PaymentLine,
    PaymentListIssued,
    TransferDirection,
)

#: Receives the final month's lists and the people whose death is known; returns events to
#: append (the deaths the report reveals).
ReportHook = Callable[[list[PaymentListIssued], set[str]], Sequence[Event]]
_NOTES = {
    Component.ARREARS: "truy lĩnh",
    Component.RECOVERY: "thu hồi",
    Component.FUNERAL: "hỗ trợ mai táng",
}


def district_events(
    seed: int, district: District, first: str, last: str, report: ReportHook | None = None
) -> Iterator[Event]:
    """Every event of one district's beneficiaries from ``first`` to ``last`` (months)."""
    lives = [
        Life(make_person(seed, index, commune, first, last), seed, district, first)
        for commune in district.communes
        for index in range(commune.first_person, commune.first_person + commune.people)
    ]
    previous = payroll_run_at(add_months(first, -1))
    lists: list[PaymentListIssued] = []
    for month in months_between(first, last):
        run_at = payroll_run_at(month)
        changed = month > first and level_applied_between(district.province_code, previous, run_at)
        for life in lives:
            if month > first:
                life.draw(add_months(month, -1))
            yield from life.start(run_at) if month == first else life.known(run_at)
            outcome = life.outcome()
            if outcome is not None:
                yield outcome_event(seed, life.person, outcome)
        yield from relief_events(seed, district, lives, previous, run_at)
        lists = []
        yield from _payroll(seed, district, lives, month, run_at, changed, lists)
        previous = run_at
    end = end_of_day(last_day(last))
    for life in lives:
        life.draw(last)
        yield from life.known(end)
    yield from relief_events(seed, district, lives, previous, end)
    if report is not None:
        yield from report(lists, {life.person.person_id for life in lives if life.death_known})


def _accrual(
    seed: int, life: Life, month: str, run_at: datetime, item: Accrual, correlation: object
) -> AllowanceAccrued:
    person, commune = life.person, life.commune
    return build(
        seed,
        AllowanceAccrued,
        (person.person_id, month, item.component, item.service_month),
        run_at,
        PAYROLL,
        correlation_id=correlation,
        person_id=person.person_id,
        month=month,
        service_month=item.service_month,
        component=item.component,
        amount_vnd=item.amount,
        province_code=commune.province_code,
        commune_code=commune.commune_code,
        coefficient=item.coef,
        standard_level_vnd=item.level,
        note=_NOTES.get(item.component),
    )


def _payroll(
    seed: int,
    district: District,
    lives: Sequence[Life],
    month: str,
    run_at: datetime,
    level_changed: bool,
    lists: list[PaymentListIssued],
) -> Iterator[Event]:
    """Accruals of every person, then one list per commune and the funds for the district."""
    correlation = deterministic_id("bench", seed, "payroll", month, district.district_code)
    by_commune: dict[str, list[tuple[Life, dict[Component, int], int]]] = {}
    for life in lives:
        items = life.payroll(month, run_at, level_changed)
        components: dict[Component, int] = {}
        for item in items:
            yield _accrual(seed, life, month, run_at, item, correlation)
            components[item.component] = components.get(item.component, 0) + item.amount
        total = sum(-v if c is Component.RECOVERY else v for c, v in components.items())
        if total > 0:  # a net recovery stays in the ledger; there is nothing to pay
            by_commune.setdefault(life.commune.commune_code, []).append((life, components, total))
    for commune in district.communes:
        entries = by_commune.get(commune.commune_code)
        if not entries:
            continue
        list_id = f"DS-{month}-{commune.commune_code}"
        lines = tuple(
            PaymentLine(
                line_no=no,
                person_id=life.person.person_id,
                full_name=life.person.full_name,
                commune_code=commune.commune_code,
                components=components,
                amount_vnd=total,
            )
            for no, (life, components, total) in enumerate(entries, start=1)
        )
        for line, (life, components, _) in zip(lines, entries, strict=True):
            funeral = Component.FUNERAL in components
            life.line = LineRef(month, list_id, line.line_no, line.amount_vnd, commune, funeral)
        issued = build(
            seed,
            PaymentListIssued,
            (list_id,),
            run_at,
            PAYROLL,
            correlation_id=correlation,
            list_id=list_id,
            month=month,
            province_code=commune.province_code,
            district_code=commune.district_code,
            commune_code=commune.commune_code,
            post_office_code=commune.post_office_code,
            lines=lines,
            total_vnd=sum(line.amount_vnd for line in lines),
            digest=lines_digest(lines),
        )
        lists.append(issued)
        yield issued
    if lists:
        office = district.communes[0].post_office_code
        yield build(
            seed,
            FundsTransferred,
            (month, office),
            run_at + timedelta(days=4),
            PAYROLL,
            correlation_id=correlation,
            transfer_id=f"TR-{month}-{office}",
            direction=TransferDirection.TO_POST_OFFICE,
            province_code=district.province_code,
            post_office_code=office,
            month=month,
            amount_vnd=sum(x.total_vnd for x in lists),
        )
