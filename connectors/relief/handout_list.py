"""A distribution list of relief handouts (CSV/XLSX) -> ReliefItemHandedOut events.

Columns: campaign_id, donor_id, item_code, quantity, unit, unit_value_vnd,
distribution_point, province_code, district_code, commune_code, person_id or household_id,
handed_out_at. See docs/relief.md.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from connectors.jsonl import FileRefused
from connectors.relief import cells as c
from connectors.relief.sheet import SheetRow, read_sheet
from ledger.relief.catalogue import Catalogue
from schemas.build import deterministic_id
from schemas.envelope import Source
from schemas.errors import from_validation_error
from schemas.relief import ReliefItemHandedOut

COLUMNS = (
    "campaign_id",
    "donor_id",
    "item_code",
    "quantity",
    "unit",
    "unit_value_vnd",
    "distribution_point",
    "province_code",
    "district_code",
    "commune_code",
    "handed_out_at",
)
SOURCE = Source(system="relief-distribution-list")


def handout_event(row: SheetRow) -> ReliefItemHandedOut:
    """One row as an event; raises CellError or ValidationError naming the problem."""
    cells = row.cells
    at = c.instant(cells, "handed_out_at")
    campaign = c.text(cells, "campaign_id")
    item = c.text(cells, "item_code").upper()
    person = c.optional_text(cells, "person_id")
    household = c.optional_text(cells, "household_id")
    point = c.text(cells, "distribution_point")
    # The id names the handout, not the row: re-importing (even reordered) gives the same ids.
    event_id = deterministic_id(
        "ReliefItemHandedOut", campaign, item, person, household, at.isoformat(), point
    )
    return ReliefItemHandedOut(
        event_id=event_id,
        occurred_at=at,
        recorded_at=at,
        source=SOURCE,
        campaign_id=campaign,
        donor_id=c.text(cells, "donor_id"),
        item_code=item,
        quantity=c.whole(cells, "quantity"),
        unit=c.text(cells, "unit").lower(),
        unit_value_vnd=c.whole(cells, "unit_value_vnd"),
        distribution_point=point,
        province_code=c.text(cells, "province_code").zfill(2),
        district_code=c.text(cells, "district_code").zfill(3),
        commune_code=c.text(cells, "commune_code").zfill(5),
        person_id=person,
        household_id=household,
    )


def read_handout_list(path: Path, catalogue: Catalogue) -> list[tuple[int, ReliefItemHandedOut]]:
    """(row number, event) for every row; any bad row refuses the whole file, naming each."""
    handouts: list[tuple[int, ReliefItemHandedOut]] = []
    problems: list[str] = []
    seen: dict[object, int] = {}
    for row in read_sheet(path, COLUMNS):
        try:
            event = handout_event(row)
        except c.CellError as exc:
            problems.append(f"{row.label()}: {exc}")
            continue
        except ValidationError as exc:
            problems.append(from_validation_error(exc, row.label(), "ReliefItemHandedOut").message)
            continue
        reason = catalogue.problem(event.item_code, event.unit)
        if reason:
            problems.append(f"{row.label()}: {reason}")
            continue
        if event.event_id in seen:
            problems.append(
                f"{row.label()}: repeats row {seen[event.event_id]} (same campaign, item,"
                " recipient, time and distribution point)"
            )
            continue
        seen[event.event_id] = row.number
        handouts.append((row.number, event))
    if problems:
        raise FileRefused(path, problems)
    return handouts
