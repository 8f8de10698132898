"""Tables the commands print on an 80-column terminal: every code and path whole, none cut."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from connectors.cli.app import run


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's console as wide as a common terminal, and a fresh runtime."""
    app = importlib.import_module("connectors.cli.app")
    monkeypatch.setattr(app.console, "width", 80)
    monkeypatch.setattr(app, "_cached", [])


@pytest.mark.usefixtures("narrow")
def test_the_relief_catalogue_shows_every_item_code_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run(["relief", "catalogue"])
    out = capsys.readouterr().out

    assert code == 0
    assert "PROSTHETIC-HAND-ELECTRIC" in out and "…" not in out


@pytest.mark.usefixtures("narrow")
def test_status_shows_the_whole_data_directory_of_the_embedded_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "a-data-directory-with-a-long-name-to-tell-it-apart"
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIDLEDGER_DATA_DIR", str(data))

    code = run(["status"])
    out = capsys.readouterr().out

    assert code == 0
    assert str(data / "pgdata") in out and "…" not in out
