"""Reading relief distribution lists: validation per row and the item catalogue."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.jsonl import FileRefused
from connectors.relief.handout_list import read_handout_list
from ledger.relief.catalogue import load_catalogue
from tests.unit.relief.lists import write_csv

HEADER = [
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
    "person_id",
    "household_id",
    "handed_out_at",
]


def row(**changes: str) -> list[str]:
    base = {
        "campaign_id": "COVID-NNBM-2021",
        "donor_id": "DONOR-A",
        "item_code": "RICE",
        "quantity": "10",
        "unit": "kg",
        "unit_value_vnd": "18000",
        "distribution_point": "UBND xã Long Đức",
        "province_code": "84",
        "district_code": "842",
        "commune_code": "28001",
        "person_id": "P-1",
        "household_id": "",
        "handed_out_at": "2021-08-05 09:30",
    }
    base.update(changes)
    return [base[h] for h in HEADER]


def test_a_row_becomes_a_handout_with_local_time_converted_to_utc(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", HEADER, [row()])
    [(number, event)] = read_handout_list(path, load_catalogue())
    assert number == 2
    assert event.occurred_at == datetime(2021, 8, 5, 2, 30, tzinfo=UTC)
    assert event.value_vnd == 180_000 and event.person_id == "P-1"


def test_unknown_items_and_wrong_units_are_refused_with_the_reason(tmp_path: Path) -> None:
    rows = [row(item_code="CAVIAR"), row(item_code="COOKING-OIL", unit="kg", person_id="P-2")]
    with pytest.raises(FileRefused) as caught:
        read_handout_list(write_csv(tmp_path / "h.csv", HEADER, rows), load_catalogue())
    assert caught.value.problems == [
        "row 2: item code 'CAVIAR' is not in the catalogue (see `aidledger relief catalogue`)",
        "row 3: COOKING-OIL is counted in 'litre', not 'kg'",
    ]


def test_a_row_needs_exactly_one_recipient(tmp_path: Path) -> None:
    rows = [row(person_id=""), row(person_id="P-9", household_id="H-9")]
    with pytest.raises(FileRefused) as caught:
        read_handout_list(write_csv(tmp_path / "h.csv", HEADER, rows), load_catalogue())
    assert len(caught.value.problems) == 2
    assert all("exactly one of person_id or household_id" in p for p in caught.value.problems)


def test_bad_numbers_and_times_name_their_rows(tmp_path: Path) -> None:
    rows = [
        row(quantity="0"),
        row(unit_value_vnd="18.000", person_id="P-2"),
        row(handed_out_at="yesterday", person_id="P-3"),
    ]
    with pytest.raises(FileRefused) as caught:
        read_handout_list(write_csv(tmp_path / "h.csv", HEADER, rows), load_catalogue())
    first, second, third = caught.value.problems
    assert first.startswith("row 2") and "quantity" in first and "more than zero" in first
    assert second.startswith("row 3: unit_value_vnd: must be a whole number")
    assert third.startswith("row 4: handed_out_at")


def test_an_identical_row_repeated_is_refused_as_a_copy(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "h.csv", HEADER, [row(), row()])
    with pytest.raises(FileRefused, match="row 3: repeats row 2"):
        read_handout_list(path, load_catalogue())


def test_reordering_a_list_keeps_every_event_id(tmp_path: Path) -> None:
    rows = [row(), row(person_id="P-2"), row(household_id="H-1", person_id="")]
    a = read_handout_list(write_csv(tmp_path / "a.csv", HEADER, rows), load_catalogue())
    b = read_handout_list(write_csv(tmp_path / "b.csv", HEADER, rows[::-1]), load_catalogue())
    assert {e.event_id for _, e in a} == {e.event_id for _, e in b}


def test_a_cell_holding_a_nul_character_refuses_the_file_naming_row_and_column(
    tmp_path: Path,
) -> None:
    rows = [row(), row(distribution_point="UBND xã\x00", person_id="P-2")]
    with pytest.raises(FileRefused) as caught:
        read_handout_list(write_csv(tmp_path / "h.csv", HEADER, rows), load_catalogue())
    assert caught.value.problems == [
        "row 3: distribution_point: contains a NUL character (U+0000); remove it"
    ]


def test_a_list_saved_as_windows_1258_text_is_refused_as_not_utf_8(tmp_path: Path) -> None:
    path = tmp_path / "handouts.csv"
    rows = "\n".join(
        [
            ",".join(HEADER),
            "C1,DONOR-A,RICE,10,kg,18000,Nhà văn hóa,84,842,84201,P1,,2021-07-20",
        ]
    )
    path.write_bytes(rows.encode("cp1258"))
    with pytest.raises(FileRefused, match=r"not UTF-8 text .* save it as CSV UTF-8 or .xlsx"):
        read_handout_list(path, load_catalogue())
