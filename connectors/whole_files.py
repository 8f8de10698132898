"""Files written whole or not at all.

A report or payment list is written beside its place (``.<name>.part<suffix>``) and moved
into it once complete: an error part way (the database gone, a damaged read model) leaves
the file written before as it was, never a half-written one that looks like a list.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def part_of(path: Path) -> Path:
    """Where ``path`` is written until it is complete."""
    return path.with_name(f".{path.stem}.part{path.suffix}")


def move_into_place(path: Path) -> None:
    """``path``'s complete part becomes ``path`` (replacing any earlier file)."""
    os.replace(part_of(path), path)


@contextmanager
def whole_file(path: Path) -> Iterator[Path]:
    """The part to write ``path``'s content to; moved into place when the block ends
    without an error, removed when it raises."""
    part = part_of(path)
    try:
        yield part
        move_into_place(path)
    finally:
        part.unlink(missing_ok=True)
