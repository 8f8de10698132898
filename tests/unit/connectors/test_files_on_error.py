"""A file is written whole or not at all: an error part way leaves the earlier file as it
was, and no half-written one in its place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from connectors.postoffice import list_export, reconcile_out
from ledger.reconciliation.report import ClassifiedLine


class _Lost(Exception):
    """The database went away part way."""


def _line(n: int) -> ClassifiedLine:
    return ClassifiedLine(
        "PL-2025-03-84201", n, f"P{n}", "Nguyễn Văn A", "84201", "VNPOST-842", 750_000, 0,
        750_000, "missing_from_report",
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
def test_a_reconciliation_that_fails_part_way_leaves_the_earlier_report_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    def failing(*args: Any, on_line: Any, **kwargs: Any) -> None:
        on_line(_line(1))
        raise _Lost

    monkeypatch.setattr(reconcile_out, "reconcile", failing)
    out = tmp_path / f"reconciliation.{fmt}"
    out.write_bytes(b"the report written yesterday")
    with pytest.raises(_Lost):
        reconcile_out.write_report(None, "2025-03", "84", None, fmt, out, Console())  # type: ignore[arg-type]
    assert out.read_bytes() == b"the report written yesterday"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_that_fails_part_way_leaves_no_half_written_payment_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    def failing(*args: Any) -> Iterator[tuple[Any, ...]]:
        for n in (1, 2):
            yield (
                "VNPOST-842", "84201", "0" * 64, "PL-2025-03-84201", n, f"P{n}", "Nguyễn Văn A",
                "84201", "2025-03", 750_000, 0, 0, 0, 0, 750_000,
            )  # fmt: skip
        raise _Lost

    monkeypatch.setattr(list_export, "_rows", failing)
    earlier = tmp_path / f"payment-list_2025-03_VNPOST-842.{fmt}"
    earlier.write_bytes(b"the list exported yesterday")
    with pytest.raises(_Lost):
        list_export.export_lists(None, tmp_path, "2025-03", "84", fmt=fmt)  # type: ignore[arg-type]
    assert earlier.read_bytes() == b"the list exported yesterday"
    assert [p.name for p in tmp_path.iterdir()] == [earlier.name]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_whose_lines_do_not_hash_to_the_digest_writes_no_payment_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    def damaged(*args: Any) -> Iterator[tuple[Any, ...]]:
        yield (
            "VNPOST-842", "84201", "0" * 64, "PL-2025-03-84201", 1, "P1", "Nguyễn Văn A",
            "84201", "2025-03", 750_000, 0, 0, 0, 0, 750_000,
        )  # fmt: skip

    monkeypatch.setattr(list_export, "_rows", damaged)
    earlier = tmp_path / f"payment-list_2025-03_VNPOST-842.{fmt}"
    earlier.write_bytes(b"the list exported yesterday")
    with pytest.raises(list_export.ExportMismatch):
        list_export.export_lists(None, tmp_path, "2025-03", "84", fmt=fmt)  # type: ignore[arg-type]
    assert earlier.read_bytes() == b"the list exported yesterday"
    assert [p.name for p in tmp_path.iterdir()] == [earlier.name]
