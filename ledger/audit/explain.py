"""``audit explain``: how one account of a person reached its balance on a date.

Every posting to the account with a business date on or before ``as_of`` (and, with
``known_on``, recorded by then), in ledger order, with its event, the running balance and where
the fact came from: the source system, operator and reference (file and row) and the Kafka
record it was consumed from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ledger.audit.db import Database, checked_name, session
from ledger.audit.errors import AuditInputError


@dataclass(frozen=True)
class Step:
    """One posting to the account and the event behind it."""

    sequence: int
    n: int
    event_id: str
    event_type: str
    business_date: date
    recorded_at: datetime
    description: str
    amount: int
    running: int
    stored_after: int
    source: str
    operator: str | None
    reference: str | None
    kafka: str | None


@dataclass(frozen=True)
class Explanation:
    """The account, the date, each step and the resulting balance."""

    person_id: str
    account: str
    asset: str
    as_of: date
    known_on: date | None
    steps: tuple[Step, ...]

    @property
    def balance(self) -> int:
        return self.steps[-1].running if self.steps else 0


_QUERY = """
SELECT p.sequence, p.n, e.event_id::text, e.event_type, p.business_date, e.recorded_at,
       e.description, p.amount, p.balance_after, e.body->'source'->>'system',
       e.body->'source'->>'operator', e.body->'source'->>'reference',
       e.body->>'report_id', e.body->>'report_row',
       e.kafka_topic, e.kafka_partition, e.kafka_offset
FROM {q}postings p
JOIN {q}events e ON e.sequence = p.sequence
WHERE p.account = %(code)s AND p.asset = %(asset)s AND p.business_date <= %(as_of)s
  AND (%(cutoff)s::timestamptz IS NULL OR e.recorded_at < %(cutoff)s)
ORDER BY p.sequence, p.n
"""


def explain(
    db: Database,
    schema: str,
    person_id: str,
    account: str,
    as_of: date,
    *,
    asset: str | None = None,
    known_on: date | None = None,
) -> Explanation:
    """The steps behind ``account`` (a full code, or a person's kind such as ``paid``)."""
    q = f'"{checked_name(schema)}".'
    cutoff = datetime.combine(known_on + timedelta(days=1), time(0), UTC) if known_on else None
    with session(db) as conn:
        code, chosen_asset = _resolve(conn, q, person_id, account, asset)
        with conn.cursor() as cur:
            cur.execute(
                _QUERY.format(q=q),
                {"code": code, "asset": chosen_asset, "as_of": as_of, "cutoff": cutoff},
            )
            rows = cur.fetchall()
    steps, running = [], 0
    for (
        seq,
        n,
        event_id,
        etype,
        day,
        at,
        text,
        amount,
        after,
        system,
        operator,
        reference,
        report_id,
        report_row,
        topic,
        partition,
        offset,
    ) in rows:
        running += amount
        if reference is None and report_id is not None:
            reference = f"post-office report {report_id} row {report_row}"
        kafka = f"{topic}[{partition}]@{offset}" if topic is not None else None
        steps.append(
            Step(
                seq,
                n,
                event_id,
                etype,
                day,
                at,
                text,
                amount,
                running,
                after,
                system or "unknown",
                operator,
                reference,
                kafka,
            )
        )
    return Explanation(person_id, code, chosen_asset, as_of, known_on, tuple(steps))


def _resolve(conn: Any, q: str, person_id: str, account: str, asset: str | None) -> tuple[str, str]:
    """The (code, asset) of the person's account; a clear error listing theirs if unknown."""
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT code, asset FROM {q}accounts WHERE owner_type = 'person' AND owner_id = %s "
            "ORDER BY code, asset",
            (person_id,),
        )
        owned = cur.fetchall()
    if not owned:
        raise AuditInputError(f"person {person_id} has no accounts in the ledger")
    prefix = f"person:{person_id.replace(':', '%3A')}:"
    wanted = account if account.startswith("person:") else prefix + account
    matches = [(c, a) for c, a in owned if c == wanted and (asset is None or a == asset)]
    if len(matches) == 1:
        return matches[0]
    listing = ", ".join(f"{c.removeprefix(prefix)} ({a})" for c, a in owned)
    if not matches:
        raise AuditInputError(
            f"person {person_id} has no account {account!r}"
            + (f" in {asset}" if asset else "")
            + f"; their accounts: {listing}"
        )
    raise AuditInputError(
        f"account {account!r} of person {person_id} is held in several assets; give --asset "
        f"(one of {', '.join(a for _, a in matches)})"
    )
