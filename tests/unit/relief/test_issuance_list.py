"""Reading the social security agency's BHYT issuance list."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from connectors.bhyt.issuance_list import read_card_list
from connectors.jsonl import FileRefused
from ledger.bhyt.base_salary import default_table
from schemas.canonical import canonical_json
from tests.unit.relief.lists import write_csv, write_xlsx

HEADER = ["Person ID", "card_number", "valid_from", "valid_to", "premium_vnd"]
GOOD = ["P-1", "BT2840000000001", "2025-01-01", "2025-12-31", "1263600"]


def test_a_good_row_becomes_a_card_with_the_province_from_the_card_number(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cards.csv", HEADER, [GOOD])
    result = read_card_list(path, default_table(), "BHXH Trà Vinh")
    [card] = result.cards
    assert (card.person_id, card.province_code, card.premium_vnd) == ("P-1", "84", 1_263_600)
    assert card.valid_to == date(2025, 12, 31)
    assert result.mismatches == []


def test_reading_the_same_list_twice_gives_byte_identical_events(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cards.csv", HEADER, [GOOD])
    first = read_card_list(path, default_table(), "BHXH").cards[0]
    again = read_card_list(path, default_table(), "BHXH").cards[0]
    assert canonical_json(first) == canonical_json(again)


def test_a_wrong_premium_is_reported_with_its_row_number(tmp_path: Path) -> None:
    bad = [*GOOD[:4], "1200000"]
    other = ["P-2", "BT2840000000002", "2025-01-01", "2025-12-31", "1263600"]
    path = write_csv(tmp_path / "cards.csv", HEADER, [other, bad])
    result = read_card_list(path, default_table(), "BHXH")
    assert len(result.mismatches) == 1
    assert result.mismatches[0].startswith("row 3 (card BT2840000000001)")
    assert "1,263,600" in result.mismatches[0]


def test_bad_rows_refuse_the_file_naming_each_row_and_reason(tmp_path: Path) -> None:
    rows = [
        ["P-1", "XX12", "2025-01-01", "2025-12-31", "1263600"],
        ["P-2", "BT2840000000003", "2025-13-01", "2025-12-31", "1263600"],
        ["P-3", "BT2840000000004", "2025-01-01", "2024-12-31", "1263600"],
        ["P-4", "BT2840000000005", "2025-01-01", "2025-12-31", "1263600.5"],
        GOOD,
        [*GOOD[:1], GOOD[1], *GOOD[2:]],
    ]
    with pytest.raises(FileRefused) as caught:
        read_card_list(write_csv(tmp_path / "c.csv", HEADER, rows), default_table(), "BHXH")
    problems = caught.value.problems
    assert problems[0].startswith("row 2") and "card_number" in problems[0]
    assert problems[1].startswith("row 3: valid_from")
    assert problems[2].startswith("row 4") and "valid_to must not be before" in problems[2]
    assert problems[3].startswith("row 5: premium_vnd")
    assert problems[4] == "row 7: card BT2840000000001 is already on row 6"


def test_a_missing_column_is_refused_before_any_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", HEADER[:4], [GOOD[:4]])
    with pytest.raises(FileRefused, match="missing column"):
        read_card_list(path, default_table(), "BHXH")


def test_an_xlsx_list_with_date_cells_and_float_numbers_is_read(tmp_path: Path) -> None:
    rows = [["P-1", "BT2840000000001", datetime(2025, 1, 1), datetime(2025, 12, 31), 1263600.0]]
    path = write_xlsx(tmp_path / "cards.xlsx", HEADER, rows)
    [card] = read_card_list(path, default_table(), "BHXH").cards
    assert card.valid_from == date(2025, 1, 1) and card.premium_vnd == 1_263_600


def test_a_stated_province_must_agree_with_the_card_number(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [*HEADER, "province_code"], [[*GOOD, "79"]])
    with pytest.raises(FileRefused, match="differs from the card number"):
        read_card_list(path, default_table(), "BHXH")


def test_a_cell_holding_a_nul_character_refuses_the_file_naming_row_and_column(
    tmp_path: Path,
) -> None:
    rows = [GOOD, ["P-2\x00", "BT2840000000002", "2025-01-01", "2025-12-31", "1263600"]]
    with pytest.raises(FileRefused) as caught:
        read_card_list(write_csv(tmp_path / "c.csv", HEADER, rows), default_table(), "BHXH")
    assert caught.value.problems == [
        "row 3: person_id: contains a NUL character (U+0000); remove it"
    ]
