"""Small-count suppression of donor-facing aggregates, consistent across every grouping.

A report grouped by dimensions D is computed together with every coarser grouping (each
subset of D, down to the grand total), and cells are decided from the coarsest level down:

- primary: a cell reaching 1 to 4 recipients (people plus households) is hidden;
- a shown parent (the same cell with one dimension dropped) whose children include hidden
  ones must have at least two hidden children that cover 5 distinct recipients together (a
  person handed five items is one recipient, not five), and its recipients less those of
  its shown children must not be 1 to 4, so neither a child's figures nor a small number
  of recipients is the parent minus the shown others;
- a hidden parent must have at least one hidden child, so it is not the sum of its children.

Within one level, every family that breaks a rule hides its smallest shown child (fewest
recipients, then the key in code point order), round after round until none breaks one.
The decision therefore depends on the data only, never on the order dimensions were named
or rows arrived, and a coarser grouping is decided before (and without) the finer ones: the
same cell gets the same decision in every report over the same selection, so reports cannot
be subtracted from one another either. The donor view ``relief_totals`` applies the same
rules in SQL (``ledger/migrations/donor_suppression.py``); a change here is a change there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

THRESHOLD = 5
FEWER_THAN_5 = "fewer than 5 recipients"
COMPLEMENTARY = "hidden so a small group cannot be derived by subtraction"

Key = tuple[Any, ...]
#: A grouping: the positions (in the report's dimension order) it groups by.
Grouping = tuple[int, ...]


@dataclass(frozen=True)
class Recipients:
    """A cell's distinct recipients and, below the threshold, who they are as pseudonymous
    numbers (never ids): enough to count the recipients that hidden cells cover together."""

    count: int
    members: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if 0 < self.count < THRESHOLD and len(self.members) != self.count:
            raise ValueError(f"a cell of {self.count} recipients needs their pseudonyms")


def covered(cells: Iterable[Recipients]) -> int:
    """Distinct recipients the cells cover together; exact below the threshold, else capped."""
    union: set[int] = set()
    for cell in cells:
        if cell.count >= THRESHOLD:
            return THRESHOLD
        union |= cell.members
    return min(len(union), THRESHOLD)


def _order(key: Key) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in key)


def _breaks_a_rule(
    parent: Recipients, parent_hidden: bool, hid: list[Recipients], shown: list[Recipients]
) -> bool:
    if parent_hidden:
        return not hid
    if not hid:
        return False
    outside_shown = parent.count - sum(c.count for c in shown)
    return len(hid) < 2 or covered(hid) < THRESHOLD or 0 < outside_shown < THRESHOLD


def suppress_lattice(
    cells: Mapping[Grouping, Mapping[Key, Recipients]],
) -> dict[tuple[Grouping, Key], str]:
    """(grouping, key) -> reason for every cell to hide; ``cells`` maps each grouping (every
    subset of the report's dimensions) to its cells' recipients."""
    hidden: dict[tuple[Grouping, Key], str] = {}
    for level in sorted({len(g) for g in cells}):
        groupings = sorted(g for g in cells if len(g) == level)
        families: dict[tuple[Grouping, int, Key], list[Key]] = defaultdict(list)
        for grouping in groupings:
            for key, cell in cells[grouping].items():
                if 0 < cell.count < THRESHOLD:
                    hidden[(grouping, key)] = FEWER_THAN_5
                if cell.count > 0:
                    for drop in range(level):
                        families[(grouping, drop, key[:drop] + key[drop + 1 :])].append(key)
        while True:
            picks: set[tuple[Grouping, Key]] = set()
            for (grouping, drop, parent_key), children in families.items():
                parent_grouping = grouping[:drop] + grouping[drop + 1 :]
                parent = cells.get(parent_grouping, {}).get(parent_key, Recipients(0))
                hid = [k for k in children if (grouping, k) in hidden]
                shown = [k for k in children if (grouping, k) not in hidden]
                counts = cells[grouping]
                if shown and _breaks_a_rule(
                    parent,
                    (parent_grouping, parent_key) in hidden,
                    [counts[k] for k in hid],
                    [counts[k] for k in shown],
                ):
                    smallest = min(shown, key=lambda k: (counts[k].count, _order(k)))
                    picks.add((grouping, smallest))
            if not picks:
                break
            hidden.update(dict.fromkeys(picks, COMPLEMENTARY))
    return hidden
