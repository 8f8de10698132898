"""BHYT coverage: a card is not money, so a built-in projector keeps the ``coverage`` table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ledger.projectors import Numbered
from ledger.sql import literal_array


@dataclass(frozen=True, slots=True)
class CardCoverage:
    """A person's state-paid health-insurance card and the days it covers."""

    card_number: str
    valid_from: date
    valid_to: date
    premium_vnd: int
    revoked_from: date | None = None

    def covers(self, day: date) -> bool:
        """True when the card is valid on ``day`` (and not revoked by then)."""
        if self.revoked_from is not None and day >= self.revoked_from:
            return False
        return self.valid_from <= day <= self.valid_to


class CoverageProjector:
    """Keeps ``coverage``: one row per card period, marked by the first revocation of its
    card (or of that period) recorded after it (a renewal recorded later keeps its own
    validity)."""

    name = "coverage"

    def project(self, conn: Any, batch: Sequence[Numbered]) -> None:
        issued: list[Numbered] = []
        revoked: list[Numbered] = []
        for stored in batch:
            kind = stored.event.event_type
            if kind == "HealthInsuranceCardIssued":
                issued.append(stored)
            elif kind == "HealthInsuranceCardRevoked":
                revoked.append(stored)
        if not (issued or revoked):
            return
        with conn.cursor() as cur:
            if issued:
                cur.execute(
                    "INSERT INTO coverage (person_id, card_number, valid_from, valid_to, "
                    "premium_vnd, issued_sequence, issued_recorded_at) SELECT * FROM unnest("
                    "%s::text[], %s::text[], %s::date[], %s::date[], %s::bigint[], "
                    "%s::bigint[], %s::timestamptz[]) "
                    # A reissue of the same card period keeps the first record.
                    "ON CONFLICT (card_number, valid_from) DO NOTHING",
                    _columns(issued, _issued_row),
                )
            if revoked:
                # Each card period takes the first revocation recorded after it (same person
                # and number, the period itself when the revocation names one) that is not
                # dated after the period ends: the outcome of applying the events one by one,
                # whatever the batch boundaries.
                cur.execute(
                    "UPDATE coverage c SET revoked_from = f.day, revoked_sequence = f.seq, "
                    "revoked_recorded_at = f.at FROM (SELECT DISTINCT ON (p.card_number, "
                    "p.valid_from) p.card_number, p.valid_from, r.day, r.seq, r.at "
                    "FROM unnest(%s::text[], %s::text[], %s::date[], %s::bigint[], "
                    "%s::timestamptz[], %s::date[]) "
                    "AS r(person_id, card_number, day, seq, at, period) "
                    "JOIN coverage p ON p.person_id = r.person_id "
                    "AND p.card_number = r.card_number AND p.revoked_sequence IS NULL "
                    "AND p.issued_sequence < r.seq AND p.valid_to >= r.day "
                    "AND (r.period IS NULL OR r.period = p.valid_from) "
                    "ORDER BY p.card_number, p.valid_from, r.seq) AS f "
                    "WHERE c.card_number = f.card_number AND c.valid_from = f.valid_from",
                    _columns(revoked, _revoked_row),
                )


def _issued_row(stored: Numbered) -> tuple[object, ...]:
    e: Any = stored.event
    return (
        e.person_id,
        e.card_number,
        e.valid_from,
        e.valid_to,
        e.premium_vnd,
        stored.sequence,
        e.recorded_at,
    )


def _revoked_row(stored: Numbered) -> tuple[object, ...]:
    e: Any = stored.event
    return (
        e.person_id,
        e.card_number,
        e.revoked_from,
        stored.sequence,
        e.recorded_at,
        e.card_valid_from,
    )


def _columns(batch: list[Numbered], row: Any) -> tuple[str, ...]:
    return tuple(literal_array(column) for column in zip(*(row(s) for s in batch), strict=True))


def cards_for(
    conn: Any, schema: str, person_id: str, as_of: date, known_on: datetime | None
) -> tuple[CardCoverage, ...]:
    """The person's cards that cover ``as_of``, as known on ``known_on`` (None: as known now)."""
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT card_number, valid_from, valid_to, premium_vnd, "
            f"CASE WHEN %(k)s::timestamptz IS NULL OR revoked_recorded_at <= %(k)s "
            f"THEN revoked_from END "
            f'FROM "{schema}".coverage WHERE person_id = %(p)s '
            f"AND (%(k)s::timestamptz IS NULL OR issued_recorded_at <= %(k)s) "
            f"ORDER BY valid_from, card_number",
            {"p": person_id, "k": known_on},
        )
        cards = [CardCoverage(*row) for row in cur.fetchall()]
    return tuple(c for c in cards if c.covers(as_of))
