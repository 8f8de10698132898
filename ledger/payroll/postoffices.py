"""Which post office pays a commune: a mapping file if given, else one office per district."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from ledger.payroll.errors import PostOfficeMappingInvalid
from ledger.payroll.facts import Place

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
_COMMUNE = re.compile(r"^\d{5}$")


def default_post_office(place: Place) -> str:
    """The district post office ("Bưu điện huyện") when no mapping names one: VNPOST-<district>."""
    return f"VNPOST-{place.district}"


@dataclass(frozen=True)
class PostOfficeMap:
    """commune code -> post office code; communes not in the file use the district default."""

    by_commune: dict[str, str] = field(default_factory=dict)

    def for_place(self, place: Place) -> str:
        return self.by_commune.get(place.commune) or default_post_office(place)


def load_post_offices(path: Path) -> PostOfficeMap:
    """Read a CSV with columns commune_code,post_office_code; every bad row is named."""
    mapping: dict[str, str] = {}
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"commune_code", "post_office_code"} - set(reader.fieldnames or ())
        if missing:
            raise PostOfficeMappingInvalid(
                f"{path}: the header must name commune_code and post_office_code"
                f" (missing: {', '.join(sorted(missing))})"
            )
        for number, row in enumerate(reader, start=2):
            commune = (row["commune_code"] or "").strip()
            office = (row["post_office_code"] or "").strip()
            if not _COMMUNE.match(commune):
                problems.append(f"row {number}: commune_code must be 5 digits, got {commune!r}")
            elif not _CODE.match(office):
                problems.append(f"row {number}: post_office_code {office!r} is not a valid code")
            elif mapping.get(commune, office) != office:
                problems.append(
                    f"row {number}: commune {commune} is mapped twice"
                    f" ({mapping[commune]}, {office})"
                )
            else:
                mapping[commune] = office
    if problems:
        raise PostOfficeMappingInvalid(f"{path} has bad rows: " + "; ".join(problems))
    return PostOfficeMap(mapping)
