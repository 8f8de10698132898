"""A donations list (CSV/XLSX) -> DonationPledged / DonationReceived events.

Columns: kind (pledged|received), reference (the pledge or receipt id), donor_id,
campaign_id, province_code, given_at; then cash_vnd and/or item_code, quantity, unit,
unit_value_vnd; pledge_id optionally on a receipt. Rows with the same kind and reference
are one donation (cash added up, one item per row). See docs/relief.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from connectors.jsonl import FileRefused
from connectors.relief import cells as c
from connectors.relief.sheet import SheetRow, read_sheet
from ledger.relief.catalogue import Catalogue
from schemas.build import deterministic_id
from schemas.envelope import Event, Source
from schemas.errors import from_validation_error
from schemas.relief import DonationPledged, DonationReceived, ItemQuantity

COLUMNS = ("kind", "reference", "donor_id", "campaign_id", "province_code", "given_at")
SOURCE = Source(system="relief-donation-list")
KINDS: dict[str, type[DonationPledged] | type[DonationReceived]] = {
    "pledged": DonationPledged,
    "received": DonationReceived,
}


@dataclass
class _Donation:
    rows: list[int]
    header: dict[str, Any]
    cash_vnd: int = 0
    items: list[ItemQuantity] = field(default_factory=list)


def _row_parts(
    row: SheetRow, catalogue: Catalogue
) -> tuple[tuple[str, str], dict[str, Any], int, ItemQuantity | None]:
    cells = row.cells
    kind = c.text(cells, "kind").lower()
    if kind not in KINDS:
        raise c.CellError(f"kind: must be 'pledged' or 'received', got {kind!r}")
    reference = c.text(cells, "reference")
    given_at: datetime = c.instant(cells, "given_at")
    header = {
        "donor_id": c.text(cells, "donor_id"),
        "campaign_id": c.text(cells, "campaign_id"),
        "province_code": c.text(cells, "province_code").zfill(2),
        "given_at": given_at,
        "pledge_id": c.optional_text(cells, "pledge_id"),
    }
    cash = c.optional_whole(cells, "cash_vnd") or 0
    if cash < 0:
        raise c.CellError(f"cash_vnd: must not be negative, got {cash}")
    item = None
    code = c.optional_text(cells, "item_code")
    if code is not None:
        unit = c.text(cells, "unit").lower()
        reason = catalogue.problem(code.upper(), unit)
        if reason:
            raise c.CellError(reason)
        item = ItemQuantity(
            item_code=code.upper(),
            quantity=c.whole(cells, "quantity"),
            unit=unit,
            unit_value_vnd=c.whole(cells, "unit_value_vnd"),
        )
    if cash == 0 and item is None:
        raise c.CellError("a donation row needs cash_vnd or an item_code")
    return (kind, reference), header, cash, item


def _event(kind: str, reference: str, d: _Donation) -> Event:
    h = d.header
    common: dict[str, Any] = {
        "occurred_at": h["given_at"],
        "recorded_at": h["given_at"],
        "source": SOURCE,
        "donor_id": h["donor_id"],
        "campaign_id": h["campaign_id"],
        "province_code": h["province_code"],
        "cash_vnd": d.cash_vnd,
        "items": tuple(d.items),
    }
    event_id = deterministic_id("Donation", kind, reference)
    if kind == "pledged":
        return DonationPledged(event_id=event_id, pledge_id=reference, **common)
    return DonationReceived(
        event_id=event_id, receipt_id=reference, pledge_id=h["pledge_id"], **common
    )


def read_donation_list(path: Path, catalogue: Catalogue) -> list[tuple[list[int], Event]]:
    """(row numbers, event) per donation; any bad row refuses the whole file, naming each."""
    donations: dict[tuple[str, str], _Donation] = {}
    problems: list[str] = []
    for row in read_sheet(path, COLUMNS):
        try:
            key, header, cash, item = _row_parts(row, catalogue)
        except c.CellError as exc:
            problems.append(f"{row.label()}: {exc}")
            continue
        except ValidationError as exc:
            problems.append(from_validation_error(exc, row.label(), "item").message)
            continue
        current = donations.setdefault(key, _Donation([], header))
        if current.header != header:
            problems.append(
                f"{row.label()}: {key[0]} {key[1]} has other donor, campaign, province, time or"
                f" pledge on row {current.rows[0]}; one donation's rows must agree"
            )
            continue
        current.rows.append(row.number)
        current.cash_vnd += cash
        if item is not None:
            current.items.append(item)
    events: list[tuple[list[int], Event]] = []
    for (kind, reference), donation in donations.items():
        label = f"row {donation.rows[0]}" if donation.rows else kind
        try:
            events.append((donation.rows, _event(kind, reference, donation)))
        except ValidationError as exc:
            problems.append(from_validation_error(exc, label, KINDS[kind].__name__).message)
    if problems:
        raise FileRefused(path, problems)
    return events
