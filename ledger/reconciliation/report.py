"""Reconcile a month: classify every listed line, list payments off the list and late ones.

Lines stream to ``on_line`` (for CSV/XLSX writers) while totals accumulate per commune and
post office; nothing holds all lines in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, NamedTuple

from sqlalchemy.engine import Engine

from ledger.payroll.calendar import month_index, month_text
from ledger.reconciliation import queries
from ledger.reconciliation.classify import LineFacts, LineStatus, classify, unpaid
from ledger.reconciliation.projector import FEE
from ledger.reconciliation.rows import DISBURSED, REVERSED
from ledger.reconciliation.totals import OfficeTotals, Totals
from ledger.sql import local_setting
from ledger.storage import checked_schema, raw_connection
from schemas.payments import TransferDirection

FETCH = 10_000
#: Lines per query: a month is read in parts of whole post offices, and the server runs the
#: next part's query while this one's lines are classified (one query for a whole province
#: kept both waiting: the server sorted every line before the first one came back).
PART_LINES = 100_000
#: The first part is smaller: nothing can be classified before its query has sorted it.
FIRST_PART_LINES = 10_000


class ClassifiedLine(NamedTuple):
    """One row of the reconciliation: a listed line, a payment off the list, or a late row.
    (A named tuple: one is made per line of a month, a million for a large province.)"""

    list_id: str
    line_no: int
    person_id: str
    full_name: str
    commune_code: str
    post_office_code: str
    listed_vnd: int
    paid_vnd: int
    unpaid_vnd: int
    status: str


@dataclass
class Reconciliation:
    """The month's totals per post office (and commune), closes, and late adjustments."""

    province: str
    month: str
    post_office: str | None
    offices: dict[str, OfficeTotals] = field(default_factory=dict)
    closed: dict[str, str] = field(default_factory=dict)
    late: list[ClassifiedLine] = field(default_factory=list)
    #: The last ledger sequence in the snapshot it was computed from (a close's cut).
    as_of_sequence: int = 0

    def office(self, code: str) -> OfficeTotals:
        # Not setdefault: that would build an OfficeTotals (and its Counters) for every line.
        office = self.offices.get(code)
        if office is None:
            office = self.offices[code] = OfficeTotals(code)
        return office

    @property
    def totals(self) -> Totals:
        """Province-wide totals (of the offices in scope)."""
        out = Totals()
        for office in self.offices.values():
            t = office.totals
            out.listed_vnd += t.listed_vnd
            out.paid_vnd += t.paid_vnd
            out.unpaid_vnd += t.unpaid_vnd
            out.off_list_paid_vnd += t.off_list_paid_vnd
            out.late_paid_vnd += t.late_paid_vnd
            out.lines.update(t.lines)
            out.listed_by_status.update(t.listed_by_status)
        return out


#: Every query of a reconciliation reads one snapshot: the lines, the payments off the list,
#: the late rows, the funds and the closes are as of one instant, whatever is appended
#: meanwhile, so its totals add up.
_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
#: No parallel workers for its queries: they already run beside each other, one connection
#: each, and a parallel plan of the payments off the list took three processes' worth of CPU
#: away from them for the same time.
_SERIAL = "SET LOCAL max_parallel_workers_per_gather = 0"
#: The payments off the list are every payment of the month less those matching a listed
#: line: an anti-join of two large sets. Planned on statistics from before the month's lists
#: were issued or its report imported (autovacuum analyses a table a minute or more after it
#: grew), the server estimated a few hundred rows on each side and joined them in a nested
#: loop, reading every listed line again for each payment: a 300,300-row month ran for over
#: 15 minutes instead of ~2 s. Without nested loops the join is hashed or merged, in time
#: proportional to the rows, whatever the estimates; the setting holds for that query only.
_NO_NESTED_LOOPS = ("enable_nestloop", "off")


class _Others(NamedTuple):
    """What a reconciliation reads besides the lines (a few rows per post office)."""

    off_list: list[tuple[str, int, str, str, str, int]]
    late: list[tuple[str, int, str, str, str, str, int, int]]
    funds: list[tuple[str, str, int]]
    closed: list[tuple[str, str]]


@contextmanager
def _in_snapshot(engine: Engine, schema: str, snapshot: str) -> Iterator[Any]:
    """A connection of its own reading the exported snapshot ``snapshot``."""
    with raw_connection(engine) as conn:
        with conn.cursor() as cur:
            cur.execute(_SNAPSHOT)
            cur.execute("SET TRANSACTION SNAPSHOT %s", (snapshot,))
            cur.execute(_SERIAL)
            cur.execute(f'SET LOCAL search_path TO "{schema}", public')
        yield conn


def _others(engine: Engine, schema: str, snapshot: str, params: Mapping[str, object]) -> _Others:
    """The small queries, on a connection of their own in the lines query's snapshot (run
    beside it: the payments off the list alone scan every report of the province)."""
    with _in_snapshot(engine, schema, snapshot) as conn, conn.cursor() as cur:
        rows = [off_list(cur, params)]
        for query in (queries.LATE, queries.FUNDS, queries.CLOSED):
            cur.execute(query, params)
            rows.append(cur.fetchall())
        return _Others(*rows)


def off_list(cur: Any, params: Mapping[str, object]) -> list[Any]:
    """The rows of ``queries.OFF_LIST``, planned without nested loops (see _NO_NESTED_LOOPS)."""
    with local_setting(cur, *_NO_NESTED_LOOPS):
        cur.execute(queries.OFF_LIST, params)
        return list(cur.fetchall())


def reconcile(
    engine: Engine,
    month: str,
    province: str,
    post_office: str | None = None,
    *,
    schema: str = "ledger",
    on_line: Callable[[ClassifiedLine], None] | None = None,
) -> Reconciliation:
    """Compare listed lines with reported payments and funds for a month (all as of one
    snapshot of the ledger)."""
    result = Reconciliation(province, month, post_office)
    schema = checked_schema(schema)
    params = {
        "p": province,
        "m": month,
        "po": post_office,
        "prev": month_text(month_index(month) - 1),
    }
    emit = on_line or (lambda _: None)
    with raw_connection(engine) as conn, ThreadPoolExecutor(1) as pool:
        with conn.cursor() as cur:
            cur.execute(_SNAPSHOT)
            cur.execute(_SERIAL)
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            cur.execute(f'SET LOCAL search_path TO "{schema}", public')
            # Sequences become visible in order (appends hold the chain lock to commit), so
            # the snapshot holds exactly the events up to this one.
            cur.execute("SELECT coalesce(max(sequence), 0) FROM events")
            result.as_of_sequence = cur.fetchone()[0]
        pending = pool.submit(_others, engine, schema, snapshot, params)
        with _in_snapshot(engine, schema, snapshot) as other:
            _lines((conn, other), params, result, emit)
        others = pending.result()
    for list_id, line_no, person, commune, office, amount in others.off_list:
        o = result.office(office)
        o.totals.off_list_paid_vnd += amount
        o.totals.lines[LineStatus.NOT_ON_LIST.value] += 1
        if commune:
            t = o.commune(commune)
            t.off_list_paid_vnd += amount
            t.lines[LineStatus.NOT_ON_LIST.value] += 1
        emit(
            _unlisted(
                list_id, line_no, person, commune, office, amount, LineStatus.NOT_ON_LIST.value
            )
        )
    for list_id, line_no, person, commune, office, kind, amount, _ in others.late:
        sign = {DISBURSED: 1, REVERSED: -1}.get(kind, 0)
        result.office(office).totals.late_paid_vnd += sign * amount
        late = _unlisted(list_id, line_no, person, commune, office, sign * amount, f"late_{kind}")
        result.late.append(late)
    for office, kind, amount in others.funds:
        funds = result.office(office).funds
        if kind == TransferDirection.TO_POST_OFFICE.value:
            funds.deposited_vnd += int(amount)
        elif kind == TransferDirection.RETURNED_TO_TREASURY.value:
            funds.returned_vnd += int(amount)
        elif kind == FEE:
            funds.fee_vnd += int(amount)
    result.closed = dict(others.closed)
    return result


def _unlisted(
    list_id: str, line_no: int, person: str, commune: str, office: str, paid: int, status: str
) -> ClassifiedLine:
    """A row that is no listed line (a payment off the list, a late row): nothing listed,
    nothing left unpaid, no name."""
    return ClassifiedLine(list_id, line_no, person, "", commune, office, 0, paid, 0, status)


def _parts(conn: Any, params: Mapping[str, object]) -> list[list[str]]:
    """The month's lists in scope, in post office order, cut into parts of about
    ``PART_LINES`` lines (``FIRST_PART_LINES`` for the first; a post office is never cut)."""
    with conn.cursor() as cur:
        cur.execute(queries.LISTS, params)
        lists = cur.fetchall()
    parts: list[list[str]] = []
    part: list[str] = []
    size = 0
    for k, (office, list_id, lines) in enumerate(lists):
        part.append(list_id)
        size += lines
        last_of_office = k + 1 == len(lists) or lists[k + 1][0] != office
        if size >= (PART_LINES if parts else FIRST_PART_LINES) and last_of_office:
            parts.append(part)
            part, size = [], 0
    if part:
        parts.append(part)
    return parts


def _opened(conn: Any, params: Mapping[str, object], lists: list[str]) -> tuple[Any, list[Any]]:
    """The lines query of some lists, run until its first rows are here (the server has
    joined and sorted the whole part by then)."""
    cur = conn.cursor(name="reconcile_lines")
    cur.itersize = FETCH
    cur.execute(queries.LINES, {**params, "lists": lists})
    return cur, cur.fetchmany(FETCH)


def _lines(
    conns: tuple[Any, Any],
    params: Mapping[str, object],
    result: Reconciliation,
    emit: Callable[[ClassifiedLine], None],
) -> None:
    """Classify every listed line, part by part in office order: the server runs the next
    part's query on the other connection while this one's lines are classified."""
    parts = _parts(conns[0], params)
    if not parts:
        return
    sums: dict[tuple[str, str, str], list[int]] = {}
    with ThreadPoolExecutor(1) as ahead:
        pending = ahead.submit(_opened, conns[0], params, parts[0])
        for k in range(len(parts)):
            cur, first = pending.result()
            if k + 1 < len(parts):
                pending = ahead.submit(_opened, conns[(k + 1) % 2], params, parts[k + 1])
            try:
                _classify(chain(first, cur), sums, emit)
            finally:
                cur.close()
    for (office, commune, status), (count, listed, paid, left) in sums.items():
        o = result.office(office)
        o.totals.add_lines(status, count, listed, paid, left)
        o.commune(commune).add_lines(status, count, listed, paid, left)


#: The class of a line as the string the rows and totals carry (``LineStatus.value``).
_VALUE = {status: status.value for status in LineStatus}


def _classify(
    rows: Iterable[Any],
    sums: dict[tuple[str, str, str], list[int]],
    emit: Callable[[ClassifiedLine], None],
) -> None:
    """Classify lines; add each to ``sums`` (office, commune, class) -> [lines, listed,
    paid, unpaid], from which the totals are made once at the end."""
    for (
        list_id,
        line_no,
        person,
        name,
        commune,
        office,
        listed,
        paid,
        payments,
        not_collected,
        conflicts,
        after_stop,
    ) in rows:
        facts = LineFacts(listed, paid, payments, not_collected, conflicts, after_stop)
        kind = classify(facts)
        left, status = unpaid(facts, kind), _VALUE[kind]
        key = (office, commune, status)
        sum_ = sums.get(key)
        if sum_ is None:
            sum_ = sums[key] = [0, 0, 0, 0]
        sum_[0] += 1
        sum_[1] += listed
        sum_[2] += paid
        sum_[3] += left
        emit(
            ClassifiedLine(
                list_id, line_no, person, name, commune, office, listed, paid, left, status
            )
        )
