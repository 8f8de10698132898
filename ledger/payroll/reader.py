"""Set-based, streaming reads of the payroll read models (server-side cursors, one query each)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, NamedTuple

import orjson

from ledger.payroll.accruals import ALLOWANCE, FUNERAL
from ledger.payroll.calendar import month_index
from ledger.payroll.facts import Person, Place, fact_from_json
from ledger.payroll.rates import LevelRow, RateTable
from schemas.eligibility import DisabilityLevel

#: Rows fetched per round trip by the server-side cursor.
FETCH = 5_000

_PEOPLE = """
SELECT p.person_id, p.full_name, p.birth_date, p.province_code, p.district_code,
       p.commune_code, p.current_commune, p.disability_level, p.relocated, p.facts::text,
       (SELECT coalesce(json_agg(json_build_array(a.kind, a.service_month, a.amount_vnd)),
                        '[]')::text
          FROM payroll_accrued a WHERE a.person_id = p.person_id),
       (SELECT coalesce(json_agg(json_build_array(o.commune_code, o.component,
                                                  o.province_code, o.amount_vnd)), '[]')::text
          FROM payroll_open o WHERE o.person_id = p.person_id)
FROM payroll_people p
WHERE %(province)s = ANY(p.provinces)
  AND (%(district)s::text IS NULL OR %(district)s = ANY(p.districts))
ORDER BY p.relocated DESC, p.current_commune, p.person_id
"""


class PersonRow(NamedTuple):
    """One person as the payroll run needs them: facts, accrued and open amounts."""

    person: Person
    current_commune: str | None
    relocated: bool
    #: service month index -> net allowance accrued (VND)
    allowance_accrued: dict[int, int]
    #: net funeral support accrued (VND)
    funeral_accrued: int
    #: (commune, component, province, amount)
    open_amounts: list[tuple[str, str, str, int]]


def _person(row: tuple[Any, ...]) -> PersonRow:
    (
        person_id,
        name,
        birth,
        province,
        district,
        commune,
        current,
        level,
        relocated,
        facts,
        accrued,
        open_,
    ) = row
    place = Place(province, district, commune) if commune else None
    person = Person(
        person_id,
        name,
        birth if isinstance(birth, date) else None,
        place,
        DisabilityLevel(level) if level else None,
        tuple(fact_from_json(f) for f in orjson.loads(facts)),
    )
    allowance: dict[int, int] = {}
    funeral = 0
    for kind, month, amount in orjson.loads(accrued):
        if kind == ALLOWANCE:
            allowance[month] = amount
        elif kind == FUNERAL:
            funeral += amount
    opened = [(c, k, p, a) for c, k, p, a in orjson.loads(open_)]
    return PersonRow(person, current, bool(relocated), allowance, funeral, opened)


def stream_people(conn: Any, province: str, district: str | None) -> Iterator[PersonRow]:
    """Every person ever paid in the province (or district), relocated people first."""
    with conn.cursor(name="payroll_people_stream") as cur:
        cur.itersize = FETCH
        cur.execute(_PEOPLE, {"province": province, "district": district})
        for row in cur:
            yield _person(row)


def rates_with_levels(conn: Any, base: RateTable) -> RateTable:
    """The shipped table plus every StandardLevelSet event, in ledger order (later wins)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT sequence, province_code, effective_month, amount_vnd, legal_basis "
            "FROM payroll_levels ORDER BY sequence"
        )
        rows = [LevelRow(p, month_index(m), a, b, s) for s, p, m, a, b in cur.fetchall()]
    return base.with_levels(rows)


def issued_lists(conn: Any, province: str, month: str) -> dict[str, int]:
    """commune -> how many lists (main + supplements) were issued for the month."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT commune_code, count(*) FROM payroll_lists "
            "WHERE province_code = %s AND month = %s GROUP BY commune_code",
            (province, month),
        )
        return {c: int(n) for c, n in cur.fetchall()}


def latest_issued_month(conn: Any, province: str) -> str | None:
    """The latest month with any issued list in the province."""
    with conn.cursor() as cur:
        cur.execute("SELECT max(month) FROM payroll_lists WHERE province_code = %s", (province,))
        row = cur.fetchone()
    return row[0] if row else None
