"""The relief item catalogue: every item code a handout or donation may name, with its unit."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SHIPPED_CATALOGUE = Path(__file__).with_name("catalogue.csv")


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """An item and the one unit its quantities are counted in."""

    item_code: str
    name: str
    unit: str
    category: str


@dataclass(frozen=True)
class Catalogue:
    """Items by code; ``problem`` says why an item code and unit are not acceptable."""

    items: dict[str, CatalogueItem]

    def problem(self, item_code: str, unit: str) -> str | None:
        """None when the code is known and the unit is its unit; otherwise the reason."""
        item = self.items.get(item_code)
        if item is None:
            return (
                f"item code {item_code!r} is not in the catalogue"
                " (see `aidledger relief catalogue`)"
            )
        if unit != item.unit:
            return f"{item_code} is counted in {item.unit!r}, not {unit!r}"
        return None

    def listing(self) -> list[CatalogueItem]:
        """Every item, by category then code."""
        return sorted(self.items.values(), key=lambda i: (i.category, i.item_code))


def load_catalogue(path: Path = SHIPPED_CATALOGUE) -> Catalogue:
    """Read a catalogue CSV (item_code, name, unit, category)."""
    with path.open(encoding="utf-8", newline="") as handle:
        items = [
            CatalogueItem(r["item_code"], r["name"], r["unit"], r["category"])
            for r in csv.DictReader(handle)
        ]
    return Catalogue({item.item_code: item for item in items})
