"""The query commands on a real ledger: gaps, program totals by month, doubles."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ledger import Ledger
from tests.integration.relief.events import card, granted, handout, registered

pytestmark = pytest.mark.integration


def test_bhyt_gaps_lists_an_uncovered_recipient_in_json_and_csv(
    relief_ledger: Ledger, cli: Callable[..., int], tmp_path: Path
) -> None:
    relief_ledger.append(
        [
            registered("P-1", date(1950, 5, 1)),
            granted("P-1", "2025-01"),
            registered("P-2", date(1950, 5, 1)),
            granted("P-2", "2025-01"),
            card("P-2", "BT2840000000002", date(2025, 1, 1), date(2025, 12, 31), 1_263_600),
        ]
    )
    out = tmp_path / "gaps.json"
    assert (
        cli(
            "bhyt",
            "gaps",
            "--province",
            "84",
            "--on",
            "2025-03-01",
            "--format",
            "json",
            "--out",
            str(out),
        )
        == 0
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["counts"] == {"no_valid_card": 1, "card_not_entitled": 0}
    assert [g["person_id"] for g in doc["gaps"]] == ["P-1"]
    assert (
        cli(
            "bhyt",
            "gaps",
            "--province",
            "84",
            "--on",
            "2025-03-01",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "gaps.csv"),
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO((tmp_path / "gaps.csv").read_text("utf-8"))))
    assert rows[0]["reason"] == "monthly allowance recipient"


def test_bhyt_gaps_with_no_gap_say_so_and_the_csv_still_names_its_columns(
    relief_ledger: Ledger,
    cli: Callable[..., int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    relief_ledger.append(
        [
            registered("P-1", date(1950, 5, 1)),
            granted("P-1", "2025-01"),
            card("P-1", "BT2840000000001", date(2025, 1, 1), date(2025, 12, 31), 1_263_600),
        ]
    )
    capsys.readouterr()

    assert cli("bhyt", "gaps", "--province", "84", "--on", "2025-03-01") == 0
    shown = capsys.readouterr().out
    assert "person_id" in shown and "no coverage gaps in province 84 on 2025-03-01" in shown

    out = tmp_path / "gaps.csv"
    args = ("bhyt", "gaps", "--province", "84", "--on", "2025-03-01", "--format", "csv")
    assert cli(*args, "--out", str(out)) == 0
    assert out.read_text("utf-8").splitlines() == [
        "gap,person_id,district,commune,card_number,valid_to,reason"
    ]


def test_program_totals_keep_months_apart_and_filter_them(
    relief_ledger: Ledger, cli: Callable[..., int], tmp_path: Path
) -> None:
    jan, feb = (datetime(2025, m, 10, 3, tzinfo=UTC) for m in (1, 2))
    relief_ledger.append(
        [
            card("P-1", "BT2840000000001", date(2025, 1, 1), date(2025, 12, 31), 1_263_600, jan),
            card("P-2", "BT2840000000002", date(2025, 2, 1), date(2025, 12, 31), 1_158_300, feb),
            handout("P-1", "RICE", 10, at=jan),
            handout("P-3", "RICE", 5, at=feb),
        ]
    )
    out = tmp_path / "p.json"
    assert cli("program", "totals", "--province", "84", "--format", "json", "--out", str(out)) == 0
    months = json.loads(out.read_text(encoding="utf-8"))["months"]
    assert [
        (m["month"], m["cards_issued"], m["card_premiums_vnd"], m["relief_value_vnd"])
        for m in months
    ] == [("2025-01", 1, 1_263_600, 180_000), ("2025-02", 1, 1_158_300, 90_000)]
    assert (
        cli(
            "program",
            "totals",
            "--province",
            "84",
            "--month",
            "2025-02",
            "--format",
            "json",
            "--out",
            str(out),
        )
        == 0
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [m["month"] for m in doc["months"]] == ["2025-02"]
    assert doc["total"]["cards_issued"] == 1


def test_relief_doubles_exits_zero_when_there_are_none(
    relief_ledger: Ledger, cli: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    relief_ledger.append(
        [
            handout("P-1", "RICE", 10),
            handout("P-1", "COOKING-OIL", 1),
            handout("P-2", "RICE", 10, campaign="OTHER"),
        ]
    )
    assert cli("relief", "doubles") == 0
    assert "0 double handout(s)" in capsys.readouterr().out


def test_a_household_and_its_registered_member_count_as_one_recipient(
    relief_ledger: Ledger, cli: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    relief_ledger.append(
        [
            registered("P-1", date(1970, 1, 1), household="H-1"),
            registered("P-2", date(1972, 1, 1), household="H-1"),
            handout("P-1", "RICE", 10),
            handout("P-2", "RICE", 10),
            handout(None, "RICE", 10, household="H-1", at=datetime(2021, 8, 9, 3, tzinfo=UTC)),
        ]
    )
    assert cli("relief", "doubles", "--campaign", "COVID-NNBM-2021") == 1
    out = capsys.readouterr().out
    assert "household H-1 received RICE of campaign COVID-NNBM-2021 3 times" in out
    assert "person P-1" not in out and "1 double handout(s)" in out
