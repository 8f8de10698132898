"""Donor totals: money and items pledged, received, distributed and still held, and the
recipients reached, grouped by chosen dimensions; no personal data leaves this module."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from ledger.relief.sql import events_table, local_month
from ledger.relief.suppression import THRESHOLD, Grouping, Key, Recipients, suppress_lattice
from schemas.errors import AidLedgerError

#: Dimension name -> the fact column it groups by.
DIMENSIONS = {
    "province": "province_code",
    "district": "district_code",
    "month": "month",
    "item": "item_code",
    "program": "campaign_id",
    "donor": "donor_id",
}
_RANK = {name: rank for rank, name in enumerate(DIMENSIONS)}
MEASURES = (
    "pledged_cash_vnd",
    "pledged_items_vnd",
    "received_cash_vnd",
    "received_items_vnd",
    "distributed_vnd",
    "pledged_quantity",
    "received_quantity",
    "distributed_quantity",
    "handouts",
    "people",
    "households",
)
#: Measures that describe recipients; hidden in a suppressed group (donor money is not).
RECIPIENT_MEASURES = frozenset(
    {"distributed_vnd", "distributed_quantity", "handouts", "people", "households"}
)

# ``recipient`` numbers the recipients (a rank, not an id) so that the recipients of small
# groups (1 to 4, listed by those numbers) can be counted together without double counting.
_FACTS = """
WITH facts AS (
  SELECT 'distributed' AS kind, body->>'donor_id' AS donor_id,
         body->>'campaign_id' AS campaign_id, body->>'province_code' AS province_code,
         body->>'district_code' AS district_code, {month} AS month,
         body->>'item_code' AS item_code, body->>'unit' AS unit,
         (body->>'quantity')::bigint AS quantity,
         (body->>'quantity')::bigint * (body->>'unit_value_vnd')::bigint AS value_vnd,
         body->>'person_id' AS person_id, body->>'household_id' AS household_id, 1 AS handouts,
         dense_rank() OVER (ORDER BY body->>'person_id', body->>'household_id') AS recipient
  FROM {ev} WHERE event_type = 'ReliefItemHandedOut'
  UNION ALL
  SELECT lower(substr(event_type, 9)), body->>'donor_id', body->>'campaign_id',
         body->>'province_code', NULL, {month}, NULL, 'VND', NULL,
         (body->>'cash_vnd')::bigint, NULL, NULL, 0, NULL
  FROM {ev} WHERE event_type IN ('DonationPledged', 'DonationReceived')
    AND (body->>'cash_vnd')::bigint > 0
  UNION ALL
  SELECT lower(substr(e.event_type, 9)), e.body->>'donor_id', e.body->>'campaign_id',
         e.body->>'province_code', NULL, {emonth}, i->>'item_code', i->>'unit',
         (i->>'quantity')::bigint, (i->>'quantity')::bigint * (i->>'unit_value_vnd')::bigint,
         NULL, NULL, 0, NULL
  FROM {ev} e CROSS JOIN LATERAL jsonb_array_elements(e.body->'items') AS i
  WHERE e.event_type IN ('DonationPledged', 'DonationReceived')
)
SELECT {keys}{grouping} AS grouping_mask,
  sum(value_vnd) FILTER (WHERE kind = 'pledged' AND item_code IS NULL),
  sum(value_vnd) FILTER (WHERE kind = 'pledged' AND item_code IS NOT NULL),
  sum(value_vnd) FILTER (WHERE kind = 'received' AND item_code IS NULL),
  sum(value_vnd) FILTER (WHERE kind = 'received' AND item_code IS NOT NULL),
  sum(value_vnd) FILTER (WHERE kind = 'distributed'),
  sum(quantity) FILTER (WHERE kind = 'pledged'),
  sum(quantity) FILTER (WHERE kind = 'received'),
  sum(quantity) FILTER (WHERE kind = 'distributed'),
  sum(handouts), count(DISTINCT person_id), count(DISTINCT household_id),
  CASE WHEN count(DISTINCT person_id) + count(DISTINCT household_id) < {threshold}
       THEN array_agg(DISTINCT recipient) FILTER (WHERE recipient IS NOT NULL) END
FROM facts
WHERE (CAST(:donor AS text) IS NULL OR donor_id = :donor)
  AND (CAST(:campaign AS text) IS NULL OR campaign_id = :campaign)
  AND (CAST(:province AS text) IS NULL OR province_code = :province)
GROUP BY {grouping_sets}
ORDER BY grouping_mask{order}
"""


class UnknownDimension(AidLedgerError):
    """A --by value that is not a dimension of donor totals."""

    exit_code = 3


@dataclass(frozen=True)
class TotalsRow:
    """One group: its dimension values and measures; ``hidden`` says why values are hidden."""

    key: tuple[str | None, ...]
    values: dict[str, int]
    hidden: str | None = None

    @property
    def recipients(self) -> int:
        return self.values["people"] + self.values["households"]

    def shown(self, measure: str) -> int | None:
        """The value, or None where suppression hides it."""
        if self.hidden and measure in RECIPIENT_MEASURES:
            return None
        return self.values[measure]

    @property
    def held_vnd(self) -> int | None:
        """Received (cash and goods) less distributed: what the campaign still holds."""
        distributed = self.shown("distributed_vnd")
        if distributed is None:
            return None
        return self.values["received_cash_vnd"] + self.values["received_items_vnd"] - distributed


@dataclass(frozen=True)
class TotalsReport:
    """The groups in dimension order and the total over everything selected."""

    dimensions: tuple[str, ...]
    rows: list[TotalsRow]
    total: TotalsRow
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def hidden_groups(self) -> int:
        return sum(1 for r in self.rows if r.hidden)


def parse_dimensions(by: str | None) -> tuple[str, ...]:
    """``"province,month"`` -> ("province", "month"); unknown names are refused."""
    names = tuple(n.strip().lower() for n in (by or "").split(",") if n.strip())
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise UnknownDimension(
            f"--by {', '.join(unknown)}: not a dimension (choose from {', '.join(DIMENSIONS)})"
        )
    return tuple(dict.fromkeys(names))


def _canonical(dimensions: tuple[str, ...], grouping: Grouping, key: Key | None = None) -> Any:
    """A grouping (or its key) with the dimensions in ``DIMENSIONS`` order: suppression breaks
    ties on the key, and must break them alike whatever the order of ``--by`` (and as the
    donor view ``relief_totals`` does)."""
    order = sorted(range(len(grouping)), key=lambda j: _RANK[dimensions[grouping[j]]])
    if key is None:
        ranks = sorted(range(len(dimensions)), key=lambda i: _RANK[dimensions[i]])
        return tuple(sorted(ranks.index(grouping[j]) for j in order))
    return tuple(key[j] for j in order)


def donor_totals(
    conn: Connection,
    dimensions: tuple[str, ...] = (),
    donor: str | None = None,
    campaign: str | None = None,
    province: str | None = None,
    schema: str = "ledger",
) -> TotalsReport:
    """Totals per group of ``dimensions`` and overall, suppressed consistently with every
    coarser grouping (all computed in one CUBE query)."""
    columns = [DIMENSIONS[d] for d in dimensions]
    width = len(columns)
    sql = _FACTS.format(
        ev=events_table(schema),
        month=local_month("body->>'occurred_at'"),
        emonth=local_month("e.body->>'occurred_at'"),
        keys="".join(f"{c}, " for c in columns),
        grouping=f"GROUPING({', '.join(columns)})" if columns else "0",
        grouping_sets=f"CUBE ({', '.join(columns)})" if columns else "()",
        order="".join(f", {c} NULLS LAST" for c in columns),
        threshold=THRESHOLD,
    )
    params = {"donor": donor, "campaign": campaign, "province": province}
    cells: dict[Grouping, dict[Key, dict[str, int]]] = {}
    recipients: dict[Grouping, dict[Key, Recipients]] = {}
    for record in conn.execute(text(sql), params):
        mask = int(record[width])
        grouping = tuple(i for i in range(width) if not (mask >> (width - 1 - i)) & 1)
        key = tuple(record[i] for i in grouping)
        *measured, members = record[width + 1 :]
        values = {m: int(v or 0) for m, v in zip(MEASURES, measured, strict=True)}
        cells.setdefault(grouping, {})[key] = values
        recipients.setdefault(_canonical(dimensions, grouping), {})[
            _canonical(dimensions, grouping, key)
        ] = Recipients(values["people"] + values["households"], frozenset(members or ()))
    cells.setdefault((), {(): dict.fromkeys(MEASURES, 0)})
    recipients.setdefault((), {(): Recipients(0)})
    hidden = suppress_lattice(recipients)
    full = tuple(range(width))

    def reason(grouping: Grouping, key: Key) -> str | None:
        return hidden.get((_canonical(dimensions, grouping), _canonical(dimensions, grouping, key)))

    rows = [TotalsRow(k, v, reason(full, k)) for k, v in cells.get(full, {}).items()]
    total = TotalsRow((), cells[()][()], reason((), ()))
    filters = {k: v for k, v in params.items() if v is not None}
    return TotalsReport(dimensions, rows, total, filters)
