"""Ledger lag per partition: from the positions stored in PostgreSQL to the end offsets.

The embedded broker under-reports end offsets (first offset of the last batch + 1), so the
end is also taken as at least one past the last offset this worker has seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Positions = Mapping[tuple[str, int], int]


def lag_by_partition(
    partitions: Iterable[tuple[str, int]],
    end_offsets: Mapping[tuple[str, int], int | None],
    seen: Positions,
    stored: Positions,
) -> dict[tuple[str, int], int]:
    """Records not yet settled per partition (never negative); unknown ends are left out."""
    lag: dict[tuple[str, int], int] = {}
    for tp in partitions:
        reported = end_offsets.get(tp)
        last_seen = seen.get(tp)
        candidates = [
            e for e in (reported, None if last_seen is None else last_seen + 1) if e is not None
        ]
        if not candidates:
            continue
        end = max(candidates)
        lag[tp] = max(0, end - (stored.get(tp, -1) + 1))
    return lag
