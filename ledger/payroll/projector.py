"""PayrollProjector: keeps the payroll read models in step with the ledger, set-based.

Register it in the worker's composition root: ``Ledger(engine, projectors=[PayrollProjector(),
ReconciliationProjector()])``. Every statement covers the whole batch; only the few people whose
carried lines a batch pays or reverses are followed through it event by event
(``ledger.payroll.carried``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from ledger.payroll.accruals import ALLOWANCE, FUNERAL, FUNERAL_RECOVERY_NOTE
from ledger.payroll.calendar import month_index
from ledger.payroll.carried import Key, Line, Settlement, followed, opened_by
from ledger.payroll.facts import (
    DIED,
    GRANTED,
    RELOCATED,
    TERMINATED,
    fact_from_event,
    fact_to_json,
)
from ledger.payroll.sql import SequencedCopy, copy_data, copy_rows, copy_text, temp_table
from ledger.projectors import Numbered
from ledger.sql import array, int_array
from schemas.eligibility import BeneficiaryRegistered
from schemas.envelope import Event
from schemas.payments import (
    AllowanceAccrued,
    Component,
    PaymentDisbursed,
    PaymentListIssued,
    PaymentNotCollected,
    PaymentReversed,
)
from schemas.policy import StandardLevelSet

_LEVEL_COLUMNS = ("province_code", "effective_month", "amount_vnd", "legal_basis", "sequence")
_LIST_COLUMNS = (
    "list_id",
    "month",
    "province_code",
    "district_code",
    "commune_code",
    "post_office_code",
    "supplements_list_id",
    "total_vnd",
    "digest",
    "line_count",
    "sequence",
)
_CARRY_COLUMNS = ("list_id", "line_no", "person_id", "amount", "seq")


_LINE_COLUMNS = (
    "list_id",
    "line_no",
    "person_id",
    "full_name",
    "month",
    "province_code",
    "district_code",
    "commune_code",
    "post_office_code",
    "regular_vnd",
    "arrears_vnd",
    "funeral_vnd",
    "recovery_vnd",
    "carried_vnd",
    "amount_vnd",
)


@dataclass
class _PersonDelta:
    registration: BeneficiaryRegistered | None = None
    facts: list[dict[str, Any]] = field(default_factory=list)
    provinces: set[str] = field(default_factory=set)
    districts: set[str] = field(default_factory=set)
    current_commune: str | None = None
    relocated: bool = False
    died_on: str | None = None
    terminated_from: str | None = None
    term_decided: bool = False
    regranted_from: str | None = None
    last_sequence: int = 0


def _array(values: set[str]) -> str:
    return "{" + ",".join(sorted(values)) + "}"


class PayrollProjector:
    """People and their facts, accrued and open amounts, issued lists, standard levels."""

    name = "payroll"

    def project(self, conn: Any, batch: Sequence[Numbered]) -> None:
        self.stage(batch).write(conn, 0)

    def stage(self, batch: Sequence[Numbered]) -> _Staged:
        """What the batch changes, computed without the database; written by ``write``.
        People's facts carry their sequences inside, so they are computed when written."""
        people: list[Numbered] = []
        accrued: dict[tuple[str, str, int], int] = {}
        open_: dict[tuple[str, str, str], list[Any]] = {}
        lists: list[tuple[object, ...]] = []
        lines: list[tuple[object, ...]] = []
        levels: list[tuple[object, ...]] = []
        not_collected: list[tuple[object, ...]] = []
        not_collected_lines: set[Key] = set()
        reversals: list[PaymentReversed] = []
        paid: list[PaymentDisbursed] = []
        for stored in batch:
            event = stored.event
            if isinstance(event, PaymentDisbursed):  # the most frequent event: first
                paid.append(event)
            elif isinstance(event, BeneficiaryRegistered) or event.family == "eligibility":
                people.append(stored)
            elif isinstance(event, AllowanceAccrued):
                self._accrual(accrued, open_, event)
            elif isinstance(event, PaymentListIssued):
                self._list(lists, lines, open_, stored, event)
            elif isinstance(event, PaymentNotCollected):
                not_collected_lines.add((event.list_id, event.line_no))
                not_collected.append(
                    (
                        event.list_id,
                        event.line_no,
                        event.person_id,
                        event.amount_vnd,
                        stored.sequence,
                    )
                )
            elif isinstance(event, StandardLevelSet):
                levels.append(
                    (
                        event.province_code,
                        event.effective_month,
                        event.amount_vnd,
                        event.legal_basis,
                        stored.sequence,
                    )
                )
            elif isinstance(event, PaymentReversed):
                reversals.append(event)
        return _Staged(
            people,
            SequencedCopy("payroll_levels", _LEVEL_COLUMNS, levels),
            copy_text((p, k, m, a) for (p, k, m), a in accrued.items()),
            SequencedCopy("payroll_lists", _LIST_COLUMNS, lists),
            copy_text(lines),
            bool(open_),
            copy_text((p, c, k, v[0], v[1]) for (p, c, k), v in open_.items() if v[1]),
            SequencedCopy("pn_delta", _CARRY_COLUMNS, not_collected),
            frozenset(not_collected_lines),
            paid,
            reversals,
            batch,
        )

    @staticmethod
    def _person(people: dict[str, _PersonDelta], stored: Numbered) -> None:
        event = stored.event
        person_id = event.subject
        delta = people.get(person_id)
        if delta is None:
            delta = people[person_id] = _PersonDelta()
        delta.last_sequence = stored.sequence
        if isinstance(event, BeneficiaryRegistered):
            delta.registration = event
            delta.provinces.add(event.province_code)
            delta.districts.add(event.district_code)
            delta.current_commune = event.commune_code
            return
        fact = fact_from_event(event, stored.sequence)
        if fact is None:
            return
        delta.facts.append(fact_to_json(fact))
        month = f"{fact.month // 12:04d}-{fact.month % 12 + 1:02d}"
        if fact.kind == RELOCATED and fact.place is not None:
            delta.relocated = True
            delta.provinces.add(fact.place.province)
            delta.districts.add(fact.place.district)
            delta.current_commune = fact.place.commune
        elif fact.kind == DIED and fact.died_on is not None:
            delta.died_on = fact.died_on.isoformat()
        elif fact.kind == TERMINATED:
            delta.terminated_from, delta.term_decided = month, True
        elif fact.kind == GRANTED:  # only a grant restarts payment after a termination
            if delta.term_decided and delta.terminated_from and month >= delta.terminated_from:
                delta.terminated_from = None
            elif not delta.term_decided:
                delta.regranted_from = max(delta.regranted_from or month, month)

    @staticmethod
    def _accrual(
        accrued: dict[tuple[str, str, int], int],
        open_: dict[tuple[str, str, str], list[Any]],
        event: AllowanceAccrued,
    ) -> None:
        recovery = event.component is Component.RECOVERY
        kind = (
            FUNERAL
            if event.component is Component.FUNERAL
            or (recovery and event.note == FUNERAL_RECOVERY_NOTE)
            else ALLOWANCE
        )
        key = (event.person_id, kind, month_index(event.service_month))
        accrued[key] = accrued.get(key, 0) + (-event.amount_vnd if recovery else event.amount_vnd)
        okey = (event.person_id, event.commune_code, event.component.value)
        slot = open_.setdefault(okey, [event.province_code, 0])
        slot[1] += event.amount_vnd

    @staticmethod
    def _list(
        lists: list[tuple[object, ...]],
        lines: list[tuple[object, ...]],
        open_: dict[tuple[str, str, str], list[Any]],
        stored: Numbered,
        event: PaymentListIssued,
    ) -> None:
        lists.append(
            (
                event.list_id,
                event.month,
                event.province_code,
                event.district_code,
                event.commune_code,
                event.post_office_code,
                event.supplements_list_id,
                event.total_vnd,
                event.digest,
                len(event.lines),
                stored.sequence,
            )
        )
        for line in event.lines:
            c = line.components
            lines.append(
                (
                    event.list_id,
                    line.line_no,
                    line.person_id,
                    line.full_name,
                    event.month,
                    event.province_code,
                    event.district_code,
                    line.commune_code,
                    event.post_office_code,
                    c.get(Component.REGULAR, 0),
                    c.get(Component.ARREARS, 0),
                    c.get(Component.FUNERAL, 0),
                    c.get(Component.RECOVERY, 0),
                    c.get(Component.CARRIED, 0),
                    line.amount_vnd,
                )
            )
            for component, amount in c.items():
                if amount:
                    okey = (line.person_id, line.commune_code, component.value)
                    slot = open_.setdefault(okey, [event.province_code, 0])
                    slot[1] -= amount

    @staticmethod
    def _people(batch: Sequence[Numbered], shift: int) -> dict[str, _PersonDelta]:
        """Each person's changes in the batch, its sequences moved by ``shift``."""
        people: dict[str, _PersonDelta] = {}
        for stored in batch:
            PayrollProjector._person(
                people, _Moved(stored.sequence + shift, stored.event) if shift else stored
            )
        return people

    @staticmethod
    def _write_people(cur: Any, people: dict[str, _PersonDelta]) -> None:
        temp_table(
            cur,
            "pp_delta",
            (
                "person_id text, full_name text, birth_date date, province_code text, "
                "district_code text, commune_code text, current_commune text, "
                "disability_level text, has_registration boolean, provinces text[], "
                "districts text[], relocated boolean, died_on date, terminated_from text, "
                "term_decided boolean, regranted_from text, facts jsonb, "
                "last_sequence bigint"
            ),
        )
        rows = []
        for person_id, d in people.items():
            r = d.registration
            rows.append(
                (
                    person_id,
                    r.full_name if r else None,
                    r.birth_date.isoformat() if r else None,
                    r.province_code if r else None,
                    r.district_code if r else None,
                    r.commune_code if r else None,
                    d.current_commune,
                    r.disability_level.value if r and r.disability_level else None,
                    r is not None,
                    _array(d.provinces),
                    _array(d.districts),
                    d.relocated,
                    d.died_on,
                    d.terminated_from,
                    d.term_decided,
                    d.regranted_from,
                    orjson.dumps(d.facts).decode(),
                    d.last_sequence,
                )
            )
        copy_rows(
            cur,
            "pp_delta",
            (
                "person_id",
                "full_name",
                "birth_date",
                "province_code",
                "district_code",
                "commune_code",
                "current_commune",
                "disability_level",
                "has_registration",
                "provinces",
                "districts",
                "relocated",
                "died_on",
                "terminated_from",
                "term_decided",
                "regranted_from",
                "facts",
                "last_sequence",
            ),
            rows,
        )
        cur.execute("""
        WITH fresh AS (
            INSERT INTO payroll_people (person_id, full_name, birth_date, province_code,
                district_code, commune_code, current_commune, disability_level, provinces,
                districts, relocated, died_on, terminated_from, facts, last_sequence)
            SELECT person_id, full_name, birth_date, province_code, district_code, commune_code,
                current_commune, disability_level, provinces, districts, relocated, died_on,
                terminated_from, facts, last_sequence
            FROM pp_delta
            ON CONFLICT (person_id) DO NOTHING
            RETURNING person_id
        )
        UPDATE payroll_people AS p SET
            full_name = CASE WHEN d.has_registration THEN d.full_name ELSE p.full_name END,
            birth_date = CASE WHEN d.has_registration THEN d.birth_date ELSE p.birth_date END,
            province_code = CASE WHEN d.has_registration THEN d.province_code
                ELSE p.province_code END,
            district_code = CASE WHEN d.has_registration THEN d.district_code
                ELSE p.district_code END,
            commune_code = CASE WHEN d.has_registration THEN d.commune_code
                ELSE p.commune_code END,
            disability_level = CASE WHEN d.has_registration THEN d.disability_level
                ELSE p.disability_level END,
            current_commune = coalesce(d.current_commune, p.current_commune),
            provinces = ARRAY(SELECT DISTINCT unnest(p.provinces || d.provinces) ORDER BY 1),
            districts = ARRAY(SELECT DISTINCT unnest(p.districts || d.districts) ORDER BY 1),
            relocated = p.relocated OR d.relocated,
            died_on = coalesce(d.died_on, p.died_on),
            terminated_from = CASE
                WHEN d.term_decided THEN d.terminated_from
                WHEN d.regranted_from >= p.terminated_from THEN NULL
                ELSE p.terminated_from END,
            facts = p.facts || d.facts,
            last_sequence = greatest(p.last_sequence, d.last_sequence)
        FROM pp_delta d
        WHERE p.person_id = d.person_id AND d.person_id NOT IN (SELECT person_id FROM fresh)
        """)

    @staticmethod
    def _write_accrued(cur: Any, data: str) -> None:
        temp_table(cur, "pa_delta", "person_id text, kind text, service_month int, amount bigint")
        copy_data(cur, "pa_delta", ("person_id", "kind", "service_month", "amount"), data)
        cur.execute("""
        INSERT INTO payroll_accrued AS a (person_id, kind, service_month, amount_vnd)
        SELECT person_id, kind, service_month, amount FROM pa_delta
        ON CONFLICT (person_id, kind, service_month)
        DO UPDATE SET amount_vnd = a.amount_vnd + excluded.amount_vnd
        """)

    @staticmethod
    def _write_open(cur: Any, data: str) -> None:
        temp_table(
            cur,
            "po_delta",
            (
                "person_id text, commune_code text, component text, province_code text, "
                "amount bigint"
            ),
        )
        copy_data(
            cur,
            "po_delta",
            ("person_id", "commune_code", "component", "province_code", "amount"),
            data,
        )
        cur.execute("""
        INSERT INTO payroll_open AS o (person_id, commune_code, component, province_code,
            amount_vnd)
        SELECT person_id, commune_code, component, province_code, amount FROM po_delta
        ON CONFLICT (person_id, commune_code, component)
        DO UPDATE SET amount_vnd = o.amount_vnd + excluded.amount_vnd
        """)

    @staticmethod
    def _settle(cur: Any, staged: _Staged) -> bool:
        """Payments and reversals on lines carried forward (``ledger.payroll.carried``): the
        people whose carried lines the batch pays or reverses are followed through the batch
        event by event, with their lines and open carried and recovery amounts. Rare: for
        any other batch this is one query (the carried lines of the lists it pays). Returns
        whether any open amount changed."""
        hits = PayrollProjector._hits(cur, staged)
        if not hits:
            return False
        cur.execute(
            "SELECT DISTINCT l.person_id FROM unnest(%s::text[], %s::int[]) AS k(list_id, line_no) "
            "JOIN payroll_lines l ON l.list_id = k.list_id AND l.line_no = k.line_no",
            (array(k[0] for k in hits), int_array(k[1] for k in hits)),
        )
        people = frozenset(person for (person,) in cur.fetchall())
        if not people:
            return False
        follow = followed((stored.event for stored in staged.batch), hits, people)
        keys = sorted(follow.lines)
        # Each line as it was before the batch: what was paid on it (the batch's own reports
        # left out, should another projector have stored them already) and what it carried.
        cur.execute(
            """
            SELECT k.list_id, k.line_no, l.person_id, l.commune_code, l.province_code,
                   l.amount_vnd, c.amount_vnd, c.due_vnd,
                   (SELECT coalesce(sum(CASE r.kind WHEN 'disbursed' THEN r.amount_vnd
                                        ELSE -r.amount_vnd END), 0)::bigint
                    FROM postoffice_reports r
                    WHERE r.list_id = k.list_id AND r.line_no = k.line_no
                      AND r.kind IN ('disbursed', 'reversed')
                      AND r.event_id <> ALL(%s::uuid[]))
            FROM unnest(%s::text[], %s::int[]) AS k(list_id, line_no)
            JOIN payroll_lines l ON l.list_id = k.list_id AND l.line_no = k.line_no
            LEFT JOIN payroll_carried c ON c.list_id = k.list_id AND c.line_no = k.line_no
            """,
            (
                array(follow.reports),
                array(k[0] for k in keys),
                int_array(k[1] for k in keys),
            ),
        )
        lines = {
            (list_id, line_no): Line(person, commune, province, listed, paid, carried, due or 0)
            for (
                list_id,
                line_no,
                person,
                commune,
                province,
                listed,
                carried,
                due,
                paid,
            ) in cur.fetchall()
        }
        # Their open amounts as they were before the batch: the lists and accruals of the
        # batch are written already.
        cur.execute(
            "SELECT person_id, commune_code, component, amount_vnd FROM payroll_open "
            "WHERE person_id = ANY(%s::text[]) AND component IN ('carried', 'recovery')",
            (array(sorted(people)),),
        )
        settlement = Settlement(lines, people, {})
        for person, commune, component, amount in cur.fetchall():
            settlement.opened(person, commune, component, amount)
        for event in follow.events:
            for person, commune, component, amount in opened_by(event, people):
                settlement.opened(person, commune, component, -amount)
        for event in follow.events:
            settlement.follow(event)

        rows = [(k, line) for k, line in lines.items() if line.changed]
        if rows:
            cur.execute(
                """
                INSERT INTO payroll_carried AS c (list_id, line_no, amount_vnd, due_vnd)
                SELECT * FROM unnest(%s::text[], %s::int[], %s::bigint[], %s::bigint[])
                ON CONFLICT (list_id, line_no) DO UPDATE SET amount_vnd = excluded.amount_vnd
                """,
                (
                    array(k[0] for k, _ in rows),
                    int_array(k[1] for k, _ in rows),
                    int_array(line.carried_vnd or 0 for _, line in rows),
                    int_array(line.due_vnd for _, line in rows),
                ),
            )
        changes = settlement.open_changes()
        if not changes:
            return False
        PayrollProjector._write_open(cur, copy_text(changes))
        return True

    @staticmethod
    def _hits(cur: Any, staged: _Staged) -> set[Key]:
        """The lines the batch pays or reverses that carry something forward, or were carried
        (a reversal), or are reported not collected in the same batch."""
        hits: set[Key] = set()
        reported = staged.not_collected_lines
        if staged.paid:
            # The lines still carrying something on the lists the batch pays (a few per list,
            # read by the primary key's list prefix), matched with the payments here: probing
            # the table once per payment cost the server ~4 us a payment.
            cur.execute(
                "SELECT list_id, line_no FROM payroll_carried "
                "WHERE list_id = ANY(%s::text[]) AND amount_vnd > 0",
                (array({e.list_id for e in staged.paid}),),
            )
            watched = {(list_id, line_no) for list_id, line_no in cur.fetchall()} | reported
            if watched:
                for event in staged.paid:
                    key = (event.list_id, event.line_no)
                    if key in watched:
                        hits.add(key)
        if staged.reversals:
            keys = {(e.list_id, e.line_no) for e in staged.reversals}
            cur.execute(
                "SELECT c.list_id, c.line_no "
                "FROM unnest(%s::text[], %s::int[]) AS k(list_id, line_no) "
                "JOIN payroll_carried c ON c.list_id = k.list_id AND c.line_no = k.line_no",
                (array(k[0] for k in keys), int_array(k[1] for k in keys)),
            )
            hits.update((list_id, line_no) for list_id, line_no in cur.fetchall())
            hits.update(keys & reported)
        return hits

    @staticmethod
    def _carry(cur: Any, rows: SequencedCopy, shift: int) -> None:
        """Lines reported not collected are carried to the next list: what they were due
        (the amount not collected, at most the listed amount) less what was paid on the line
        already. A line the batch also pays or reverses was carried by ``_settle`` already
        (in ledger order: a report may say both, paid and also not collected), and is left
        as it is here."""
        temp_table(
            cur,
            "pn_delta",
            ("list_id text, line_no int, person_id text, amount bigint, seq bigint"),
        )
        rows.copy(cur, shift)
        cur.execute(
            """
            WITH reported AS (
                SELECT DISTINCT ON (n.list_id, n.line_no) n.list_id, n.line_no,
                       least(n.amount, l.amount_vnd) AS amount, l.person_id, l.commune_code,
                       l.province_code
                FROM pn_delta n
                JOIN payroll_lines l ON l.list_id = n.list_id AND l.line_no = n.line_no
                                    AND l.person_id = n.person_id
                ORDER BY n.list_id, n.line_no, n.seq
            ), paid_before AS (
                SELECT r.list_id, r.line_no,
                       sum(CASE r.kind WHEN 'disbursed' THEN r.amount_vnd
                           ELSE -r.amount_vnd END) AS amount
                FROM reported c JOIN postoffice_reports r
                  ON r.list_id = c.list_id AND r.line_no = c.line_no
                WHERE r.kind IN ('disbursed', 'reversed')
                GROUP BY r.list_id, r.line_no
            ), cand AS (
                SELECT c.list_id, c.line_no, c.person_id, c.commune_code, c.province_code,
                       greatest(c.amount - greatest(coalesce(b.amount, 0), 0), 0) AS amount,
                       c.amount AS due
                FROM reported c
                LEFT JOIN paid_before b ON b.list_id = c.list_id AND b.line_no = c.line_no
            ), fresh AS (
                INSERT INTO payroll_carried (list_id, line_no, amount_vnd, due_vnd)
                SELECT list_id, line_no, amount, due FROM cand
                ON CONFLICT DO NOTHING RETURNING list_id, line_no
            )
            INSERT INTO payroll_open AS o (person_id, commune_code, component, province_code,
                amount_vnd)
            SELECT c.person_id, c.commune_code, 'carried', c.province_code, sum(c.amount)
            FROM cand c JOIN fresh f ON f.list_id = c.list_id AND f.line_no = c.line_no
            WHERE c.amount > 0
            GROUP BY c.person_id, c.commune_code, c.province_code
            ON CONFLICT (person_id, commune_code, component)
            DO UPDATE SET amount_vnd = o.amount_vnd + excluded.amount_vnd
            """
        )


class _Moved(NamedTuple):
    """A stored event placed at another sequence (a rebased plan)."""

    sequence: int
    event: Event


@dataclass(frozen=True)
class _Staged:
    """One batch's payroll changes, rendered ahead but for the people (see ``stage``)."""

    people: list[Numbered]
    levels: SequencedCopy
    accrued: str
    lists: SequencedCopy
    lines: str
    #: Whether any open amount changed (zero rows are then deleted, as after a carry).
    opened: bool
    open_: str
    not_collected: SequencedCopy
    #: The lines reported not collected.
    not_collected_lines: frozenset[Key]
    #: The batch's payments, checked against the lines carried forward (the most frequent
    #: event: staging keeps the events, their columns are read only when written).
    paid: list[PaymentDisbursed]
    #: The batch's reversals of payments (rare), checked against the lines carried forward.
    reversals: list[PaymentReversed]
    #: The batch itself: the few people whose carried lines it pays or reverses are
    #: followed through it event by event.
    batch: Sequence[Numbered]

    def write(self, conn: Any, shift: int) -> None:
        with conn.cursor() as cur:
            if self.people:
                PayrollProjector._write_people(cur, PayrollProjector._people(self.people, shift))
            if self.levels:
                self.levels.copy(cur, shift)
            if self.accrued:
                PayrollProjector._write_accrued(cur, self.accrued)
            if self.lists:
                self.lists.copy(cur, shift)
                copy_data(cur, "payroll_lines", _LINE_COLUMNS, self.lines)
            if self.opened:
                PayrollProjector._write_open(cur, self.open_)
            settled = False
            if self.paid or self.reversals:  # before _carry, which leaves their lines
                settled = PayrollProjector._settle(cur, self)
            if self.not_collected:
                PayrollProjector._carry(cur, self.not_collected, shift)
            if self.opened or self.not_collected or settled:
                cur.execute("DELETE FROM payroll_open WHERE amount_vnd = 0")
