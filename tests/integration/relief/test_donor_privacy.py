"""Donor output in every format carries no personal data, and a cell of 3 shows "<5"."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger import Ledger
from tests.integration.relief.donor_data import PERSONAL, campaign_events
from tests.integration.relief.events import handout

pytestmark = pytest.mark.integration


@pytest.fixture
def loaded(relief_ledger: Ledger) -> None:
    relief_ledger.append(campaign_events())


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "html"])
@pytest.mark.parametrize("by", ["district", "province,district,month,item,program", "donor"])
def test_no_format_shows_a_name_citizen_id_person_id_or_household_id(
    loaded: None,
    cli: Callable[..., int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
    by: str,
) -> None:
    out = tmp_path / f"report.{fmt}"
    args = ["donors", "totals", "--by", by, "--format", fmt]
    assert cli(*args, *([] if fmt == "table" else ["--out", str(out)])) == 0
    text = capsys.readouterr().out if fmt == "table" else out.read_text(encoding="utf-8")
    if "district" in by or fmt == "html":
        assert "<5" in text or "&lt;5" in text
    for secret in PERSONAL:
        assert secret not in text


def test_the_cell_of_three_people_reads_less_than_five_in_csv_and_json(
    loaded: None, cli: Callable[..., int], tmp_path: Path
) -> None:
    assert (
        cli(
            "donors",
            "totals",
            "--by",
            "district",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "d.csv"),
        )
        == 0
    )
    rows = {
        r["district"]: r
        for r in csv.DictReader(io.StringIO((tmp_path / "d.csv").read_text(encoding="utf-8")))
    }
    assert rows["843"]["people"] == "<5" and rows["843"]["distributed_vnd"] == ""
    assert rows["842"]["people"] == "26"
    assert (
        cli(
            "donors",
            "totals",
            "--by",
            "district",
            "--format",
            "json",
            "--out",
            str(tmp_path / "d.json"),
        )
        == 0
    )
    doc = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    cell = next(g for g in doc["groups"] if g["district"] == "843")
    assert cell["people"] == "<5" and cell["households"] == "<5"
    assert cell["distributed_vnd"] is None and cell["held_vnd"] is None
    assert doc["hidden_groups"] == 2


def test_an_unknown_dimension_such_as_person_is_refused_as_wrong_usage(
    cli: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("donors", "totals", "--by", "person") == 2
    assert "person" in capsys.readouterr().err


def test_a_table_asked_for_a_file_is_written_there_as_the_terminal_shows_it(
    loaded: None, cli: Callable[..., int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("donors", "totals", "--by", "district", "--format", "table") == 0
    shown = capsys.readouterr().out
    out = tmp_path / "totals.txt"

    assert cli("donors", "totals", "--by", "district", "--format", "table", "--out", str(out)) == 0

    written = out.read_text(encoding="utf-8")
    assert "\x1b[" not in written  # no colour codes in a file
    assert "<5" in written and "843" in written
    assert [line.split() for line in written.splitlines() if "842" in line] == [
        line.split() for line in shown.splitlines() if "842" in line
    ]


def test_one_person_handed_five_items_cannot_be_found_by_subtracting_the_rice_row(
    relief_ledger: Ledger, cli: Callable[..., int], tmp_path: Path
) -> None:
    sole = ["COOKING-OIL", "INSTANT-NOODLES", "GIFT-PACKAGE", "WHEELCHAIR", "MILK"]
    relief_ledger.append(
        [handout(f"P-{i:02d}", "RICE", 10) for i in range(10)]
        + [handout("P-SOLE", item, 1) for item in sole]
    )
    out = tmp_path / "items.json"
    assert cli("donors", "totals", "--by", "item", "--format", "json", "--out", str(out)) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    rows = {g["item"]: g for g in doc["groups"]}

    # The five cells of P-SOLE cover one recipient, so they cannot hide behind each other.
    assert all(rows[item]["suppressed"] for item in sole)
    assert rows["RICE"]["suppressed"] and rows["RICE"]["distributed_vnd"] is None
    assert rows["RICE"]["people"] == "<5"
    assert doc["total"]["people"] == 11 and doc["total"]["distributed_vnd"] is not None
