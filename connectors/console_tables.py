"""Tables on a terminal or in a text file, with every figure whole.

Rich fits a table to the terminal by shortening cells ("168,480…"), and ``print(width=...)``
cannot go past the console's width. A payment officer must never read a cut amount, so these
tables are printed as wide as their widest row: on a narrow terminal a line wraps, a figure
is never shortened.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

#: Wider than any table aidledger prints; only the measure of the widest row uses it.
_UNBOUNDED = 10_000


def natural_width(console: Console, table: Table) -> int:
    """The width ``table`` takes when nothing is shortened."""
    return Measurement.get(console, console.options.update_width(_UNBOUNDED), table).maximum


def print_whole(console: Console, table: Table) -> None:
    """Print ``table`` on ``console`` at its natural width, or the console's if wider."""
    narrow = console.width
    console.width = max(narrow, natural_width(console, table))
    try:
        console.print(table)
    finally:
        console.width = narrow


def as_text(table: Table) -> str:
    """``table`` as plain text at its natural width (no colour codes), for a file."""
    buffer = io.StringIO()
    console = Console(file=buffer, color_system=None, width=_UNBOUNDED)
    console.width = natural_width(console, table)
    console.print(table)
    return buffer.getvalue()


def amount(value: int) -> str:
    """An amount in đồng as a table shows it: thousands separated, e.g. 1,263,600."""
    return f"{value:,}"
