"""Small-count suppression of donor-facing aggregates.

Primary: a group reaching 1 to 4 recipients (people plus households) is hidden.
Secondary: so that no hidden group can be recovered by subtracting the shown groups from a
total (this table's, or a coarser table's), within every parent group (the same key with one
dimension dropped, and the whole table) the hidden groups must be at least two and together
reach at least 5 recipients; the smallest shown groups are hidden until they do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence

THRESHOLD = 5
FEWER_THAN_5 = "fewer than 5 recipients"
COMPLEMENTARY = "hidden so a small group cannot be derived by subtraction"


def _protect(members: list[int], recipients: Sequence[int], hidden: dict[int, str]) -> bool:
    cells = [i for i in members if recipients[i] > 0]
    hid = [i for i in cells if i in hidden]
    if not hid:
        return False
    shown = sorted((i for i in cells if i not in hidden), key=lambda i: (recipients[i], i))
    changed = False
    while shown and (len(hid) < 2 or sum(recipients[i] for i in hid) < THRESHOLD):
        extra = shown.pop(0)
        hidden[extra] = COMPLEMENTARY
        hid.append(extra)
        changed = True
    return changed


def suppress(keys: Sequence[tuple[Hashable, ...]], recipients: Sequence[int]) -> dict[int, str]:
    """Index -> reason for every group to hide; ``keys`` are the groups' dimension values."""
    hidden = {i: FEWER_THAN_5 for i, n in enumerate(recipients) if 0 < n < THRESHOLD}
    width = len(keys[0]) if keys else 0
    changed = bool(hidden)
    while changed:
        changed = _protect(list(range(len(keys))), recipients, hidden)
        for d in range(width if width > 1 else 0):
            parents: dict[tuple[Hashable, ...], list[int]] = defaultdict(list)
            for i, key in enumerate(keys):
                parents[key[:d] + key[d + 1 :]].append(i)
            for members in parents.values():
                changed = _protect(members, recipients, hidden) or changed
    return hidden
