"""How verify splits the store into ranges and words the problems it finds."""

from __future__ import annotations

import itertools

import pytest

from ledger.audit.verify import ChainProblem, _split, _workers


@pytest.mark.parametrize(("hi", "workers"), [(0, 1), (7, 1), (100_000, 1), (13, 2), (1_000_003, 3)])
def test_ranges_cover_every_sequence_once(hi: int, workers: int) -> None:
    ranges = _split(hi, workers)
    assert ranges[0][0] == 0 and ranges[-1][1] == hi
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))


def test_small_stores_are_scanned_by_one_process_unless_asked() -> None:
    assert _workers(None, 50_000) == 1
    assert _workers(2, 50) == 2


def test_each_kind_of_problem_names_the_event_and_what_to_suspect() -> None:
    gap = ChainProblem("gap", 8, "e-8", "7", "8")
    assert "sequence 7 is missing" in str(gap) and "(id e-8)" in str(gap)
    link = ChainProblem("link", 5, "e-5", "aa", "bb")
    assert "stored previous hash is bb" in str(link) and "event before it hashes to aa" in str(link)
    bad = ChainProblem("hash", 3, "e-3", "cc", "dd")
    assert "recomputed hash cc but stored hash dd" in str(bad)
