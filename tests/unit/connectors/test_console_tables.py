"""Tables keep every figure whole on a narrow terminal and in a file."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from connectors.console_tables import amount, as_text, print_whole


def _wide_table() -> Table:
    table = Table(title="totals")
    for name in ("office", *(f"amount {i}" for i in range(8))):
        table.add_column(name, justify="left" if name == "office" else "right")
    table.add_row("VNPOST-842", *(amount(168_480_000 + i) for i in range(8)))
    return table


def test_a_table_wider_than_the_terminal_is_printed_whole_not_cut() -> None:
    screen = io.StringIO()
    console = Console(file=screen, width=60)

    print_whole(console, _wide_table())

    shown = screen.getvalue()
    assert "…" not in shown
    assert all(amount(168_480_000 + i) in shown for i in range(8))
    assert console.width == 60  # the console is as it was for what follows


def test_the_same_table_as_rich_would_print_it_would_cut_the_figures() -> None:
    screen = io.StringIO()
    Console(file=screen, width=60).print(_wide_table())

    assert "…" in screen.getvalue()  # what print_whole exists for


def test_a_table_for_a_file_is_plain_text_with_every_figure() -> None:
    text = as_text(_wide_table())

    assert "\x1b[" not in text
    assert "168,480,007" in text and "VNPOST-842" in text


def test_amounts_are_written_with_thousands_separators_and_their_sign() -> None:
    assert (amount(1_263_600), amount(-4_260_000), amount(0)) == ("1,263,600", "-4,260,000", "0")
