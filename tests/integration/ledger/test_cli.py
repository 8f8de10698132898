"""The ledger commands: db migrate, ledger append FILE, balance and history."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.cli.app import run
from schemas import Event, canonical_json
from tests.unit.ledger.builders import accrual, disbursement, registered

pytestmark = pytest.mark.integration


Cli = Callable[..., tuple[int, str]]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run ``aidledger`` in-process against a database URL; returns (exit code, output)."""

    def invoke(url: str, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("DATABASE_URL", url)
        # The console was made when the CLI module was first imported, by whichever test ran
        # first: its width, not COLUMNS now, decides where long accounts fold.
        app = importlib.import_module("connectors.cli.app")
        monkeypatch.setattr(app.console, "width", 200)
        # A fresh composition root per command (it caches the runtime per process).
        monkeypatch.setattr(app, "_cached", [])
        code = run(list(args))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return invoke


def _file(tmp_path: Path, events: list[Event]) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(canonical_json(e) for e in events) + b"\n")
    return path


def test_migrate_then_append_a_file_twice_then_read_balance_and_history(
    cli: Cli, empty_database_url: str, tmp_path: Path
) -> None:
    assert cli(empty_database_url, "db", "migrate") == (
        0,
        "schema ledger: migrated to the latest revisions\n",
    )
    assert cli(empty_database_url, "db", "migrate")[1] == "schema ledger: up to date\n"
    events = [
        registered("P1"),
        accrual("P1", 500_000, "2024-07", recorded="2024-06-20"),
        accrual(
            "P1", 140_000, "2024-07", month="2024-08", component="arrears", recorded="2024-07-20"
        ),
        disbursement("P1", 500_000, "2024-07-05"),
    ]
    path = _file(tmp_path, events)
    code, out = cli(empty_database_url, "ledger", "append", str(path))
    assert code == 0 and "appended 4, already recorded 0, conflicts 0" in out
    code, out = cli(empty_database_url, "ledger", "append", str(path))
    assert code == 0 and "appended 0, already recorded 4, conflicts 0" in out

    code, out = cli(empty_database_url, "balance", "P1")
    assert code == 0 and "640,000 ₫" in out and "140,000 ₫" in out
    code, out = cli(
        empty_database_url, "balance", "P1", "--as-of", "2024-07-31", "--known-on", "2024-07-01"
    )
    assert code == 0 and re.search(r"owed \(accrued − paid − recovered\)\s*│\s*500,000 ₫", out)
    assert re.search(r"paid\s*│\s*0 ₫", out)
    code, out = cli(empty_database_url, "history", "P1")
    assert code == 0 and "person:P1:accrued:regular" in out and "0 → -500,000" in out


def test_conflicts_in_a_file_are_listed_and_exit_with_code_3(
    cli: Cli, ledger_db_url: str, tmp_path: Path
) -> None:
    original = accrual("P1", 500_000, "2024-07")
    cli(ledger_db_url, "ledger", "append", str(_file(tmp_path, [original])))
    changed = original.model_copy(update={"amount_vnd": 1})
    code, out = cli(ledger_db_url, "ledger", "append", str(_file(tmp_path, [changed])))
    assert code == 3
    assert "conflicts 1" in out and str(original.event_id) in out


def test_a_bad_date_is_a_usage_error(cli: Cli, ledger_db_url: str) -> None:
    code, out = cli(ledger_db_url, "balance", "P1", "--as-of", "31/07/2024")
    assert code == 2 and "YYYY-MM-DD" in out


def test_history_on_an_80_column_terminal_shows_each_event_and_account_whole(
    cli: Cli,
    empty_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli(empty_database_url, "db", "migrate")
    events = [registered("P1"), accrual("P1", 500_000, "2024-07", recorded="2024-06-20")]
    cli(empty_database_url, "ledger", "append", str(_file(tmp_path, events)))
    app = importlib.import_module("connectors.cli.app")
    monkeypatch.setattr(app.console, "width", 80)
    monkeypatch.setattr(app, "_cached", [])

    code = run(["history", "P1"])
    out = capsys.readouterr().out

    assert code == 0
    assert "AllowanceAccrued" in out and "person:P1:accrued:regular" in out
    assert re.search(r"2024-06-\d\d \d\d:\d\d", out) and "…" not in out
