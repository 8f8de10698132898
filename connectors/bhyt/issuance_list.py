"""The social security agency's BHYT issuance list (CSV/XLSX) -> HealthInsuranceCardIssued.

Columns: person_id, card_number, valid_from, valid_to, premium_vnd; optional issued_on and
province_code (when given it must match digits 4-5 of the card number). See docs/relief.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from connectors.jsonl import FileRefused
from connectors.relief import cells as c
from connectors.relief.sheet import SheetRow, read_sheet
from ledger.bhyt.base_salary import BaseSalaryTable, BaseSalaryUnknown
from ledger.bhyt.premium import premium_problem
from schemas.build import deterministic_id
from schemas.envelope import Source
from schemas.errors import from_validation_error
from schemas.health_insurance import HealthInsuranceCardIssued

COLUMNS = ("person_id", "card_number", "valid_from", "valid_to", "premium_vnd")
SOURCE = Source(system="bhxh-issuance-list")


@dataclass
class CardList:
    """The cards of a list, and the rows whose premium does not match the rule."""

    cards: list[HealthInsuranceCardIssued] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)


def card_event(row: SheetRow, issuer: str) -> HealthInsuranceCardIssued:
    """One row as an event; raises CellError or ValidationError naming the problem."""
    cells = row.cells
    card_number = c.text(cells, "card_number").upper()
    valid_from = c.day(cells, "valid_from")
    issued_on = c.optional_day(cells, "issued_on") or valid_from
    province = card_number[3:5]
    stated = c.optional_text(cells, "province_code")
    if stated is not None and stated.zfill(2) != province:
        raise c.CellError(
            f"province_code: {stated!r} differs from the card number's province {province!r}"
        )
    at = c.local_midnight(issued_on)
    # Every field is taken from the row, so a re-import yields the very same event.
    return HealthInsuranceCardIssued(
        event_id=deterministic_id("HealthInsuranceCardIssued", card_number, valid_from),
        occurred_at=at,
        recorded_at=at,
        source=SOURCE,
        person_id=c.text(cells, "person_id"),
        card_number=card_number,
        valid_from=valid_from,
        valid_to=c.day(cells, "valid_to"),
        premium_vnd=c.whole(cells, "premium_vnd"),
        issuer=issuer,
        province_code=province,
    )


def read_card_list(path: Path, table: BaseSalaryTable, issuer: str) -> CardList:
    """Every row validated and its premium checked; bad rows refuse the whole file."""
    result = CardList()
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in read_sheet(path, COLUMNS):
        try:
            card = card_event(row, issuer)
        except c.CellError as exc:
            problems.append(f"{row.label()}: {exc}")
            continue
        except ValidationError as exc:
            problems.append(from_validation_error(exc, row.label(), "card").message)
            continue
        if card.card_number in seen:
            problems.append(
                f"{row.label()}: card {card.card_number} is already on row {seen[card.card_number]}"
            )
            continue
        seen[card.card_number] = row.number
        try:
            reason = premium_problem(card.premium_vnd, card.valid_from, card.valid_to, table)
        except BaseSalaryUnknown as exc:
            reason = str(exc)
        if reason:
            result.mismatches.append(f"{row.label()} (card {card.card_number}): {reason}")
        result.cards.append(card)
    if problems:
        raise FileRefused(path, problems)
    return result
