"""A synthetic post-office disbursement report for a set of payment lists, with discrepancies.

Each listed line gets one kind (paid in full unless a discrepancy is drawn at its rate); "not
on list" adds rows for people on no list. ``REPORT_COLUMNS`` is the one place the CSV layout
is written down: the "Disbursement report (import, version 1)" of docs/formats.md.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bench._synth_discrepancy import Discrepancy, draw
from bench._synth_events import report_time
from bench._synth_facts import POST_OFFICE, build
from bench._synth_people import FAMILY, GIVEN, MIDDLE
from schemas import Event
from schemas.eligibility import BeneficiaryDied, EligibilityTerminated, Sex, TerminationReason
from schemas.payments import PaymentLine, PaymentListIssued

REPORT_COLUMNS = (
    "list_id",
    "line_no",
    "person_id",
    "amount_paid_vnd",
    "paid_at",
    "receipt_no",
    "collected_by",
    "not_collected_reason",
    "proxy_name",
    "post_office_code",
)
TRUTH_COLUMNS = ("list_id", "line_no", "person_id", "kind", "listed_vnd")


@dataclass(frozen=True, slots=True)
class ReportLine:
    """What the report says about one line (or one unlisted payment), and its true kind."""

    kind: Discrepancy
    list_id: str
    line_no: int
    person_id: str
    rows: tuple[dict[str, str], ...]
    #: The listed amount (None for a payment off the list).
    listed_vnd: int | None
    events: tuple[Event, ...] = ()

    def truth(self) -> dict[str, str]:
        listed = "" if self.listed_vnd is None else str(self.listed_vnd)
        return {
            "list_id": self.list_id,
            "line_no": str(self.line_no),
            "person_id": self.person_id,
            "kind": self.kind.value,
            "listed_vnd": listed,
        }


def report_lines(
    lists: Iterable[PaymentListIssued],
    rates: Mapping[Discrepancy, float],
    seed: int,
    deceased: Collection[str] = (),
) -> Iterator[ReportLine]:
    """The report for ``lists``; people in ``deceased`` (death already known) go uncollected."""
    for issued in lists:
        rng = random.Random(f"{seed}/report/{issued.list_id}")
        extra: list[ReportLine] = []
        for line in issued.lines:
            kind = draw(rng, rates)
            if line.person_id in deceased:
                kind = Discrepancy.NOT_COLLECTED
            yield _line(seed, rng, issued, line, kind)
            if rng.random() < rates.get(Discrepancy.NOT_ON_LIST, 0):
                extra.append(_unlisted(rng, issued, line, len(extra) + 1))
        yield from extra


def _paid_at(rng: random.Random, month: str, later_days: int = 0) -> datetime:
    day = date(int(month[:4]), int(month[5:]), rng.randint(2, 25)) + timedelta(days=later_days)
    return datetime(day.year, day.month, day.day, rng.randint(0, 9), rng.randint(0, 59), tzinfo=UTC)


def _row(
    issued: PaymentListIssued,
    line: PaymentLine,
    paid: int | None,
    when: datetime,
    proxy: str | None = None,
    reason: str = "",
    repeat: int = 0,
) -> dict[str, str]:
    """One report row; a not-collected row (``paid`` None) leaves the listed amount implied."""
    receipt = f"BL{issued.month.replace('-', '')}{line.commune_code}{line.line_no:05d}"
    return {
        "list_id": issued.list_id,
        "line_no": str(line.line_no),
        "person_id": line.person_id,
        "amount_paid_vnd": "" if paid is None else str(paid),
        "paid_at": when.isoformat(),
        "receipt_no": "" if paid is None else receipt + (f"-{repeat}" if repeat else ""),
        "collected_by": "" if paid is None else ("proxy" if proxy else "self"),
        "not_collected_reason": reason,
        "proxy_name": proxy or "",
        "post_office_code": issued.post_office_code,
    }


def _name(rng: random.Random) -> str:
    sex = rng.choice((Sex.FEMALE, Sex.MALE))
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"


def _line(
    seed: int, rng: random.Random, issued: PaymentListIssued, line: PaymentLine, kind: Discrepancy
) -> ReportLine:
    amount, month, when = line.amount_vnd, issued.month, _paid_at(rng, issued.month)
    proxy = _name(rng) if rng.random() < 0.15 else None
    events: tuple[Event, ...] = ()
    rows: tuple[dict[str, str], ...]
    if kind is Discrepancy.PAID_IN_FULL:
        rows = (_row(issued, line, amount, when, proxy),)
    elif kind is Discrepancy.PARTIAL:
        part = max(1_000, int(amount * rng.uniform(0.3, 0.9)) // 1_000 * 1_000)
        rows = (_row(issued, line, min(part, amount - 1), when, proxy),)
    elif kind is Discrepancy.NOT_COLLECTED:
        reason = rng.choice(("absent", "absent", "absent", "refused", "moved", "other"))
        rows = (_row(issued, line, None, report_time(month), reason=reason),)
    elif kind is Discrepancy.OVERPAID:
        rows = (_row(issued, line, amount + rng.choice((10_000, 50_000, 100_000)), when),)
    elif kind is Discrepancy.PAID_TWICE:
        again = _paid_at(rng, month, later_days=rng.randint(1, 3))
        rows = (
            _row(issued, line, amount, when, proxy),
            _row(issued, line, amount, max(again, when), _name(rng), repeat=1),
        )
    elif kind is Discrepancy.AFTER_DEATH:
        rows = (_row(issued, line, amount, when, _name(rng)),)
        events = _death_before(seed, rng, line.person_id, month)
    else:  # MISSING: the line is simply absent from the report
        rows = ()
    return ReportLine(kind, issued.list_id, line.line_no, line.person_id, rows, amount, events)


def _death_before(seed: int, rng: random.Random, person_id: str, month: str) -> tuple[Event, ...]:
    """The death the report reveals: in the month before the one paid, told with the report."""
    year, mon = (
        (int(month[:4]), int(month[5:]) - 1) if month[5:] != "01" else (int(month[:4]) - 1, 12)
    )
    day, told = date(year, mon, rng.randint(3, 28)), report_time(month)
    return (
        build(
            seed,
            BeneficiaryDied,
            (person_id,),
            told,
            POST_OFFICE,
            person_id=person_id,
            date_of_death=day,
            death_certificate=f"{rng.randint(1, 999)}/TT",
        ),
        build(
            seed,
            EligibilityTerminated,
            (person_id, month),
            told,
            POST_OFFICE,
            person_id=person_id,
            reason=TerminationReason.DIED,
            effective_month=month,
        ),
    )


def _unlisted(
    rng: random.Random, issued: PaymentListIssued, near: PaymentLine, k: int
) -> ReportLine:
    """A payment to someone on no list: a made-up person on a line number the list lacks."""
    pid = f"U{issued.month.replace('-', '')}{near.commune_code}{k:04d}"
    ghost = PaymentLine(
        line_no=len(issued.lines) + k,
        person_id=pid,
        full_name=_name(rng),
        commune_code=near.commune_code,
        components={},
        amount_vnd=0,
    )
    row = _row(issued, ghost, near.amount_vnd, _paid_at(rng, issued.month))
    return ReportLine(Discrepancy.NOT_ON_LIST, issued.list_id, ghost.line_no, pid, (row,), None)
