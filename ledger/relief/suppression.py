"""Small-count suppression of donor-facing aggregates, consistent across every grouping.

A report grouped by dimensions D is computed together with every coarser grouping (each
subset of D, down to the grand total), and cells are decided from the coarsest level down:

- primary: a cell reaching 1 to 4 recipients (people plus households) is hidden;
- a shown parent (the same cell with one dimension dropped) whose children include hidden
  ones must have at least two hidden children reaching 5 recipients together, so no child
  is the parent minus the shown others;
- a hidden parent must have at least one hidden child, so it is not the sum of its children.

The smallest shown cells are hidden until both rules hold. Because a coarser grouping is
decided before (and without) the finer ones, the same cell gets the same decision in every
report over the same selection, so reports cannot be subtracted from one another either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

THRESHOLD = 5
FEWER_THAN_5 = "fewer than 5 recipients"
COMPLEMENTARY = "hidden so a small group cannot be derived by subtraction"

Key = tuple[Any, ...]
#: A grouping: the positions (in the report's dimension order) it groups by.
Grouping = tuple[int, ...]


def _protect(
    children: list[Key], counts: Mapping[Key, int], hidden: dict[Key, str], parent_hidden: bool
) -> bool:
    cells = [k for k in children if counts[k] > 0]
    hid = [k for k in cells if k in hidden]
    shown = sorted((k for k in cells if k not in hidden), key=lambda k: (counts[k], repr(k)))

    def unsafe() -> bool:
        if parent_hidden:
            return not hid
        return bool(hid) and (len(hid) < 2 or sum(counts[k] for k in hid) < THRESHOLD)

    changed = False
    while shown and unsafe():
        extra = shown.pop(0)
        hidden[extra] = COMPLEMENTARY
        hid.append(extra)
        changed = True
    return changed


def suppress_lattice(
    cells: Mapping[Grouping, Mapping[Key, int]],
) -> dict[tuple[Grouping, Key], str]:
    """(grouping, key) -> reason for every cell to hide; ``cells`` maps each grouping (every
    subset of the report's dimensions) to its cells' recipient counts."""
    decided: dict[Grouping, dict[Key, str]] = {}
    for grouping in sorted(cells, key=lambda g: (len(g), g)):
        counts = cells[grouping]
        hidden = {k: FEWER_THAN_5 for k, n in counts.items() if 0 < n < THRESHOLD}
        changed = True
        while changed:
            changed = False
            for drop in range(len(grouping)):
                parent_grouping = grouping[:drop] + grouping[drop + 1 :]
                parents_hidden = decided.get(parent_grouping, {})
                families: dict[Key, list[Key]] = defaultdict(list)
                for key in counts:
                    families[key[:drop] + key[drop + 1 :]].append(key)
                for parent, children in families.items():
                    changed = (
                        _protect(children, counts, hidden, parent in parents_hidden) or changed
                    )
        decided[grouping] = hidden
    return {(g, k): reason for g, hidden in decided.items() for k, reason in hidden.items()}
