"""Arguments that cannot be right are refused while the command line is read: exit code 2,
the option named, and no service started or used (the runtime is never asked for)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.cli import app


class _NoServices:
    """Stands in for the runtime: any use of it fails the test."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the command used the runtime ({name}) before refusing")


@pytest.fixture(autouse=True)
def no_services(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(importlib.import_module("connectors.cli.app"), "_cached", [_NoServices()])
    yield


_FEE = ("postoffice", "fee", "--month", "2025-03", "--province", "84", "--post-office", "P")
_TRANSFER = (
    "postoffice",
    "transfer",
    "--month",
    "2025-03",
    "--province",
    "84",
    "--post-office",
    "P",
)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, " ".join(result.output.replace("│", " ").split())


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (
            ("payroll", "run", "--month", "2025-3", "--province", "84"),
            "Invalid value for '--month': '2025-3' is not a month written as YYYY-MM",
        ),
        (
            ("payroll", "run", "--month", "2025-03", "--province", "84", "--district", "84"),
            "Invalid value for '--district': a district code has 3 digits, got '84'",
        ),
        (
            ("payroll", "export", "--month", "2025-13", "--province", "84", "--out", "x"),
            "Invalid value for '--month': '2025-13'",
        ),
        (("reconcile", "--month", "2025-13", "--province", "84"), "'--month': '2025-13'"),
        (
            ("reconcile", "close", "--month", "2025-03", "--province", "8", "--post-office", "P"),
            "Invalid value for '--province': a province code has 2 digits, got '8'",
        ),
        (
            ("balance", "P1", "--as-of", "2025-02-30"),
            "Invalid value for '--as-of': '2025-02-30' is not a date written YYYY-MM-DD",
        ),
        (
            (
                "audit",
                "explain",
                "P1",
                "--account",
                "paid",
                "--as-of",
                "2025-01-01",
                "--known-on",
                "x",
            ),
            "Invalid value for '--known-on': 'x' is not a date",
        ),
        (("audit", "export", "--month", "2025-00", "--out", "x"), "'--month': '2025-00'"),
        (
            ("audit", "verify", "--schema", "Ledger-1"),
            "'--schema': 'Ledger-1' is not a schema name",
        ),
        (("audit", "replay", "--scratch", "a b"), "'--scratch': 'a b' is not a schema name"),
        (("audit", "replay", "--until", "yesterday"), "'--until': 'yesterday' is not a date"),
        (("audit", "prove", "not-a-uuid"), "'not-a-uuid' is not an event id (a UUID)"),
        # --limit 0 would list nothing and print "no dead letters"
        (("deadletters", "--limit", "0"), "Invalid value for '--limit'"),
        (
            (*_FEE, "--rate", "0.45%"),
            "Invalid value for '--rate': '0.45%' is not a rate such as 0.0045",
        ),
        (
            (*_FEE, "--rate", "0.000001"),
            "up to 5 decimals",
        ),
        (
            (*_TRANSFER, "--amount", "1", "--ref", "UNC 01", "--on", "2025-02-24"),
            "Invalid value for '--ref': 'UNC 01' is not an id",
        ),
        (
            ("reconcile", "--month", "2025-03", "--province", "84", "--post-office", "VN POST"),
            "Invalid value for '--post-office': 'VN POST' is not an id",
        ),
        (
            (*_TRANSFER, "--amount", "0", "--ref", "UNC-01", "--on", "2025-02-24"),
            "Invalid value for '--amount'",
        ),
        (
            (*_TRANSFER, "--amount", "1", "--ref", "UNC-01", "--on", "24/02/2025"),
            "Invalid value for '--on': '24/02/2025' is not a date",
        ),
        (("bhyt", "gaps", "--province", "84", "--on", "2025-13-01"), "'--on': '2025-13-01'"),
        (("bhyt", "gaps", "--province", "84", "--format", "html"), "html is for `donors totals`"),
        (("donors", "totals", "--format", "pdf"), "'pdf' is not one of table, csv, json, html"),
        (
            ("donors", "totals", "--by", "district,commune"),
            "Invalid value for '--by': commune is not a dimension (choose from province,",
        ),
        (
            (
                "payroll",
                "export",
                "--month",
                "2025-03",
                "--province",
                "84",
                "--out",
                "x",
                "--by",
                "x",
            ),
            "Invalid value for '--by': 'x' is not one of post_office, commune",
        ),
        (
            ("reconcile", "--month", "2025-03", "--province", "84", "--format", "pdf"),
            "Invalid value for '--format': 'pdf' is not one of table, csv, xlsx, html",
        ),
        (("program", "totals", "--province", "84", "--month", "2025-1"), "'--month': '2025-1'"),
    ],
)
def test_a_wrong_argument_is_a_usage_error_before_anything_starts(
    args: tuple[str, ...], problem: str
) -> None:
    code, output = _run(*args)

    assert code == 2, output
    assert problem in output


def test_a_checkpoint_month_is_checked_before_the_key_is_read(tmp_path: Path) -> None:
    code, output = _run(
        "audit", "checkpoint", "--key", str(tmp_path / "none"), "--month", "2025-13"
    )

    assert code == 2
    assert "'--month': '2025-13'" in output


def test_a_reconciliation_without_a_month_says_which_option_is_missing() -> None:
    code, output = _run("reconcile", "--province", "84")

    assert code == 2
    assert "'--month': is required when no command is given" in output


@pytest.mark.parametrize("command", [("bhyt", "gaps"), ("program", "totals")])
def test_the_help_offers_only_the_formats_the_command_writes(command: tuple[str, ...]) -> None:
    code, output = _run(*command, "--help")

    assert code == 0
    assert "table, csv or json" in output and "html" not in output
