"""Trà Vinh's seed figures, appended to the real ledger, come back exactly from the totals
commands; the premium total equals the sum of the per-card premiums to the đồng."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger import Ledger
from schemas.envelope import Event
from tests.integration.relief import tra_vinh

pytestmark = pytest.mark.integration


def append_in_batches(ledger: Ledger, events: list[Event], size: int = 20_000) -> None:
    for start in range(0, len(events), size):
        result = ledger.append(events[start : start + size])
        assert not result.conflicts


def run_json(cli: Callable[..., int], out: Path, *args: str) -> Any:
    assert cli(*args, "--format", "json", "--out", str(out)) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_province_totals_reproduce_the_seed_figures_exactly(
    relief_ledger: Ledger, cli: Callable[..., int], tmp_path: Path
) -> None:
    scenario = tra_vinh.build()
    append_in_batches(relief_ledger, scenario.payments + scenario.cards + scenario.relief)

    program = run_json(cli, tmp_path / "p.json", "program", "totals", "--province", "84")
    january = program["months"][0]
    assert january["month"] == "2025-01"
    assert january["people_paid"] == tra_vinh.RECIPIENTS
    assert january["allowance_paid_vnd"] == scenario.paid_vnd
    assert january["allowance_accrued_vnd"] == scenario.paid_vnd
    assert january["cards_issued"] == tra_vinh.CARDS
    assert january["card_premiums_vnd"] == scenario.premiums_vnd
    total = program["total"]
    assert total["relief_handouts"] == tra_vinh.HANDOUTS
    assert total["relief_value_vnd"] == scenario.relief_vnd
    assert total["relief_recipients"] == tra_vinh.HANDOUTS

    donors = run_json(
        cli,
        tmp_path / "d.json",
        "donors",
        "totals",
        "--campaign",
        "NNBM-ESSENTIALS-2025",
        "--by",
        "month",
    )
    overall = donors["total"]
    assert overall["handouts"] == tra_vinh.HANDOUTS
    assert overall["distributed_vnd"] == scenario.relief_vnd
    assert (overall["people"], overall["households"]) == (4_000, 2_000)
    groups = donors["groups"]
    assert [g["month"] for g in groups] == ["2025-01", "2025-02"]
    assert sum(g["handouts"] for g in groups) == tra_vinh.HANDOUTS
