"""Who collected nothing for several months in a row: the people an officer proposes for
suspension ("không nhận trợ cấp 3 tháng liên tục", SuspensionReason.NOT_COLLECTED_3_MONTHS).

A person counts for a month when they had a line on that month's lists and every one of their
lines was reported not collected or is missing from the report; any payment to them that month
(on or off the lists, in part or in full, or a line netted to zero) breaks the run, including
one the post office reported after the month was closed. The list is a proposal: suspending
someone is a decision, recorded as its own EligibilitySuspended event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from ledger.reconciliation.classify import LineStatus
from ledger.reconciliation.report import ClassifiedLine, reconcile
from ledger.storage import checked_schema, raw_connection
from schemas.build import deterministic_id, make_event
from schemas.eligibility import EligibilitySuspended, SuspensionReason
from schemas.envelope import Source
from schemas.months import add_months

#: The suspension rule's number of months.
RULE_MONTHS = 3
_NOTHING = {LineStatus.NOT_COLLECTED.value, LineStatus.MISSING.value}


@dataclass(frozen=True)
class NotCollecting:
    """A person who collected nothing in each of ``months``: per month how the line stands
    (``not_collected`` or ``missing_from_report``) and the amount listed."""

    person_id: str
    full_name: str
    commune_code: str
    post_office_code: str
    months: tuple[str, ...]
    statuses: tuple[str, ...]
    listed_vnd: tuple[int, ...]

    @property
    def total_vnd(self) -> int:
        return sum(self.listed_vnd)


def months_ending(month: str, months: int) -> tuple[str, ...]:
    """The ``months`` payroll months that end with ``month``, oldest first."""
    return tuple(add_months(month, k - months + 1) for k in range(months))


def not_collecting(
    engine: Engine,
    month: str,
    province: str,
    post_office: str | None = None,
    *,
    months: int = RULE_MONTHS,
    schema: str = "ledger",
) -> list[NotCollecting]:
    """People of ``province`` who collected nothing in each of the ``months`` months ending
    with ``month``, ordered by commune and person id."""
    window = months_ending(month, months)
    #: person -> their lines in each month of the window so far (all of them unpaid)
    found: dict[str, list[list[ClassifiedLine]]] = {}
    for n, each in enumerate(window):
        unpaid = _unpaid(engine, each, province, post_office, schema)
        if n == 0:
            found = {p: [lines] for p, lines in unpaid.items()}
        else:
            found = {p: [*found[p], unpaid[p]] for p in found.keys() & unpaid.keys()}
        if not found:
            return []
    people = [
        NotCollecting(
            person,
            by_month[-1][-1].full_name,
            by_month[-1][-1].commune_code,
            by_month[-1][-1].post_office_code,
            window,
            tuple(_worst(lines) for lines in by_month),
            tuple(sum(x.listed_vnd for x in lines) for lines in by_month),
        )
        for person, by_month in found.items()
    ]
    return sorted(people, key=lambda p: (p.commune_code, p.person_id))


def _unpaid(
    engine: Engine, month: str, province: str, post_office: str | None, schema: str
) -> dict[str, list[ClassifiedLine]]:
    """Person -> their lines of ``month``, for those who collected nothing that month."""
    nothing: dict[str, list[ClassifiedLine]] = {}
    collected: set[str] = set()

    def see(line: ClassifiedLine) -> None:
        if line.status in _NOTHING:
            nothing.setdefault(line.person_id, []).append(line)
        else:
            collected.add(line.person_id)

    reconcile(engine, month, province, post_office, schema=schema, on_line=see)
    candidates = {p: lines for p, lines in nothing.items() if p not in collected}
    if candidates:
        for person in _paid_after_close(engine, month, province, list(candidates), schema):
            del candidates[person]
    return candidates


#: Of some people, those paid something for the month (net of reversals) by rows the month's
#: reconciliation leaves out because they came after its close: on the month's lists, or on a
#: list we do not know and dated in the month.
_PAID_AFTER_CLOSE = """
SELECT r.person_id
FROM postoffice_reports r
LEFT JOIN payroll_lists pl ON pl.list_id = r.list_id
WHERE r.person_id = ANY(%(people)s) AND r.kind IN ('disbursed', 'reversed')
  AND coalesce(pl.month, to_char((r.at AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM'))
      = %(m)s
  AND (pl.province_code = %(p)s OR pl.list_id IS NULL)
GROUP BY r.person_id
HAVING sum(CASE r.kind WHEN 'disbursed' THEN r.amount_vnd ELSE -r.amount_vnd END) > 0
"""


def _paid_after_close(
    engine: Engine, month: str, province: str, people: list[str], schema: str
) -> list[str]:
    with raw_connection(engine) as conn, conn.cursor() as cur:
        cur.execute(f'SET LOCAL search_path TO "{checked_schema(schema)}", public')
        cur.execute(_PAID_AFTER_CLOSE, {"people": people, "m": month, "p": province})
        return [person for (person,) in cur.fetchall()]


def _worst(lines: list[ClassifiedLine]) -> str:
    """``missing_from_report`` when any line of the month is, else ``not_collected``."""
    statuses = {x.status for x in lines}
    return LineStatus.MISSING.value if LineStatus.MISSING.value in statuses else statuses.pop()


def suspension_drafts(
    people: list[NotCollecting],
    decision_number: str | None = None,
    operator: str | None = None,
    now: datetime | None = None,
) -> list[EligibilitySuspended]:
    """One EligibilitySuspended per person, from the month after the window, for an officer
    to review before publishing (``aidledger publish``). Ids are fixed per person and month,
    so a draft published twice suspends once."""
    at = now or datetime.now(UTC)
    drafts = []
    for p in people:
        if len(p.months) < RULE_MONTHS:
            raise ValueError(
                f"the rule needs {RULE_MONTHS} months, {p.person_id} has {len(p.months)}"
            )
        effective = add_months(p.months[-1], 1)
        drafts.append(
            make_event(
                EligibilitySuspended,
                event_id=deterministic_id(
                    "EligibilitySuspended",
                    p.person_id,
                    effective,
                    SuspensionReason.NOT_COLLECTED_3_MONTHS,
                ),
                source=Source(system="aidledger-reconcile", operator=operator),
                occurred_at=at,
                recorded_at=at,
                person_id=p.person_id,
                reason=SuspensionReason.NOT_COLLECTED_3_MONTHS,
                effective_month=effective,
                decision_number=decision_number,
            )
        )
    return drafts
