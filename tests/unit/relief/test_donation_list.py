"""Reading donation lists: pledges and receipts, several rows per donation."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.jsonl import FileRefused
from connectors.relief.donation_list import read_donation_list
from ledger.relief.catalogue import load_catalogue
from schemas.relief import DonationPledged, DonationReceived
from tests.unit.relief.lists import write_csv

HEADER = [
    "kind",
    "reference",
    "donor_id",
    "campaign_id",
    "province_code",
    "given_at",
    "cash_vnd",
    "item_code",
    "quantity",
    "unit",
    "unit_value_vnd",
    "pledge_id",
]
COMMON = ["DONOR-A", "COVID-NNBM-2021", "84", "2021-07-20"]


def test_rows_of_one_reference_make_one_donation_with_every_item(tmp_path: Path) -> None:
    rows = [
        ["pledged", "PL-1", *COMMON, "50000000", "", "", "", "", ""],
        ["pledged", "PL-1", *COMMON, "", "RICE", "6000", "kg", "18000", ""],
        ["received", "RC-1", *COMMON, "", "RICE", "6000", "kg", "18000", "PL-1"],
    ]
    donations = read_donation_list(write_csv(tmp_path / "d.csv", HEADER, rows), load_catalogue())
    (rows_a, pledge), (rows_b, receipt) = donations
    assert isinstance(pledge, DonationPledged) and isinstance(receipt, DonationReceived)
    assert rows_a == [2, 3] and rows_b == [4]
    assert pledge.cash_vnd == 50_000_000 and pledge.items[0].quantity == 6000
    assert receipt.pledge_id == "PL-1" and receipt.cash_vnd == 0


def test_rows_of_one_donation_that_disagree_are_refused(tmp_path: Path) -> None:
    rows = [
        ["pledged", "PL-1", *COMMON, "1000", "", "", "", "", ""],
        ["pledged", "PL-1", "DONOR-B", *COMMON[1:], "1000", "", "", "", "", ""],
    ]
    with pytest.raises(FileRefused, match="row 3: pledged PL-1 has other donor"):
        read_donation_list(write_csv(tmp_path / "d.csv", HEADER, rows), load_catalogue())


def test_a_row_without_cash_or_item_and_an_unknown_kind_are_refused(tmp_path: Path) -> None:
    rows = [
        ["pledged", "PL-1", *COMMON, "", "", "", "", "", ""],
        ["promised", "PL-2", *COMMON, "5", "", "", "", "", ""],
        ["received", "RC-1", *COMMON, "", "WHEELCHAIR", "2", "box", "3000000", ""],
    ]
    with pytest.raises(FileRefused) as caught:
        read_donation_list(write_csv(tmp_path / "d.csv", HEADER, rows), load_catalogue())
    assert caught.value.problems == [
        "row 2: a donation row needs cash_vnd or an item_code",
        "row 3: kind: must be 'pledged' or 'received', got 'promised'",
        "row 4: WHEELCHAIR is counted in 'piece', not 'box'",
    ]


def test_an_amount_with_unquoted_commas_splits_the_row_and_refuses_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "kind,reference,donor_id,campaign_id,province_code,given_at,cash_vnd\n"
        "received,RC-1,DONOR-A,COVID-NNBM-2021,84,2021-07-20,1000000\n"
        "received,RC-2,DONOR-A,COVID-NNBM-2021,84,2021-07-20,1,000,000\n",
        encoding="utf-8",
    )
    with pytest.raises(FileRefused, match=r"row 3: 2 more fields than row 1 names") as refused:
        read_donation_list(path, load_catalogue())
    assert len(refused.value.problems) == 1


def test_a_column_named_twice_refuses_the_file_rather_than_reading_one_of_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "kind,reference,donor_id,campaign_id,province_code,given_at,Cash VND,cash_vnd\n"
        "received,RC-1,DONOR-A,COVID-NNBM-2021,84,2021-07-20,5000000,500000\n",
        encoding="utf-8",
    )
    with pytest.raises(FileRefused, match=r"row 1: columns 7 and 8 are both cash_vnd"):
        read_donation_list(path, load_catalogue())
