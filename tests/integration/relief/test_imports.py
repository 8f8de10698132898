"""The import commands against the real broker and ledger: publish, re-import, refuse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ledger import Ledger
from tests.integration.relief.conftest import consume
from tests.unit.relief.lists import write_csv

pytestmark = pytest.mark.integration

CARD_HEADER = ["person_id", "card_number", "valid_from", "valid_to", "premium_vnd"]
CARDS = [
    ["P-1", "BT2840000000001", "2025-01-01", "2025-12-31", "1263600"],
    ["P-2", "BT2840000000002", "2024-01-01", "2024-12-31", str(6 * 81_000 + 6 * 105_300)],
    ["P-3", "TE1840000000003", "2024-09-15", "2025-03-14", str(6 * 105_300)],
]
HANDOUT_HEADER = [
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


def flat(text: str) -> str:
    """Error text with the terminal's line wrapping undone."""
    return " ".join(text.split())


def handout_row(person: str, at: str, item: str = "RICE", unit: str = "kg") -> list[str]:
    return [
        "COVID-NNBM-2021",
        "DONOR-A",
        item,
        "10",
        unit,
        "18000",
        "UBND xã",
        "84",
        "842",
        "84201",
        person,
        "",
        at,
    ]


def test_cards_are_published_once_and_a_reimport_changes_nothing(
    broker_cli: Callable[..., int],
    relief_ledger: Ledger,
    kafka_bootstrap: str,
    topic_prefix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_csv(tmp_path / "cards.csv", CARD_HEADER, CARDS)
    assert broker_cli("bhyt", "import", str(path)) == 0
    assert "3 events read, 3 published" in capsys.readouterr().out
    published = consume(kafka_bootstrap, f"{topic_prefix}aid.health-insurance", 3)
    assert sorted(e.card_number for e in published) == [r[1] for r in CARDS]  # type: ignore[attr-defined]
    relief_ledger.append(published)
    assert broker_cli("bhyt", "import", str(path)) == 0
    assert "0 published, 3 already recorded" in capsys.readouterr().out
    assert len(consume(kafka_bootstrap, f"{topic_prefix}aid.health-insurance", 4, 1.5)) == 3


def test_a_premium_mismatch_refuses_the_list_unless_accepted(
    broker_cli: Callable[..., int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [CARDS[0], [*CARDS[1][:4], "1100000"]]
    path = write_csv(tmp_path / "cards.csv", CARD_HEADER, rows)
    assert broker_cli("bhyt", "import", str(path)) == 3
    err = flat(capsys.readouterr().err)
    assert "row 3 (card BT2840000000002)" in err and "1,117,800" in err
    assert broker_cli("bhyt", "import", "--accept-mismatches", str(path)) == 0
    assert "premium mismatch, published: row 3" in capsys.readouterr().out


def test_a_row_changing_a_recorded_card_refuses_the_list(
    broker_cli: Callable[..., int],
    relief_ledger: Ledger,
    kafka_bootstrap: str,
    topic_prefix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        broker_cli("bhyt", "import", str(write_csv(tmp_path / "a.csv", CARD_HEADER, CARDS[:1])))
        == 0
    )
    relief_ledger.append(consume(kafka_bootstrap, f"{topic_prefix}aid.health-insurance", 1))
    changed = [["P-9", *CARDS[0][1:]]]
    assert (
        broker_cli("bhyt", "import", str(write_csv(tmp_path / "b.csv", CARD_HEADER, changed))) == 3
    )
    assert "changes the HealthInsuranceCardIssued recorded at ledger sequence" in flat(
        capsys.readouterr().err
    )


def test_double_handouts_are_reported_at_import_within_the_list_and_against_the_ledger(
    broker_cli: Callable[..., int],
    relief_ledger: Ledger,
    kafka_bootstrap: str,
    topic_prefix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = [
        handout_row("P-1", "2021-08-05 09:00"),
        handout_row("P-2", "2021-08-05 09:05"),
        handout_row("P-1", "2021-08-06 10:00"),
    ]
    assert (
        broker_cli("relief", "import", str(write_csv(tmp_path / "a.csv", HANDOUT_HEADER, first)))
        == 0
    )
    out = capsys.readouterr().out
    assert "3 published" in out
    assert (
        "double handout: person P-1 received RICE of campaign COVID-NNBM-2021 2 times:"
        " row 2 at 2021-08-05 02:00Z, row 4 at 2021-08-06 03:00Z" in out
    )
    relief_ledger.append(consume(kafka_bootstrap, f"{topic_prefix}aid.relief", 3))
    second = [
        handout_row("P-2", "2021-08-20 08:00"),
        handout_row("P-3", "2021-08-20 08:00", "COOKING-OIL", "litre"),
    ]
    assert (
        broker_cli("relief", "import", str(write_csv(tmp_path / "b.csv", HANDOUT_HEADER, second)))
        == 0
    )
    out = capsys.readouterr().out
    assert "person P-2 received RICE of campaign COVID-NNBM-2021 2 times: event " in out
    assert "P-1" not in out and "P-3" not in out
    assert broker_cli("relief", "doubles") == 1
    assert "1 double handout(s)" in capsys.readouterr().out


def test_an_unknown_item_refuses_the_handout_list_naming_the_row(
    broker_cli: Callable[..., int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        handout_row("P-1", "2021-08-05 09:00"),
        handout_row("P-2", "2021-08-05 09:00", "WHEELCHAIR", "kg"),
    ]
    assert (
        broker_cli("relief", "import", str(write_csv(tmp_path / "a.csv", HANDOUT_HEADER, rows)))
        == 3
    )
    assert "row 3: WHEELCHAIR is counted in 'piece', not 'kg'" in flat(capsys.readouterr().err)


def test_donations_are_published_one_event_per_reference(
    broker_cli: Callable[..., int],
    kafka_bootstrap: str,
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    header = [
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
    ]
    common = ["DONOR-A", "COVID-NNBM-2021", "84", "2021-07-20"]
    rows = [
        ["pledged", "PL-1", *common, "50000000", "", "", "", ""],
        ["pledged", "PL-1", *common, "", "RICE", "6000", "kg", "18000"],
        ["received", "RC-1", *common, "30000000", "", "", "", ""],
    ]
    assert (
        broker_cli(
            "relief", "donations", "import", str(write_csv(tmp_path / "d.csv", header, rows))
        )
        == 0
    )
    events = consume(kafka_bootstrap, f"{topic_prefix}aid.relief", 2)
    assert sorted(e.event_type for e in events) == ["DonationPledged", "DonationReceived"]
