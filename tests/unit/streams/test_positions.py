"""Where a worker resumes, and how far behind the ledger is."""

from __future__ import annotations

from streams.checkpoints import resume_offsets
from streams.lag import lag_by_partition

A, B, C = ("t.aid.payments", 0), ("t.aid.payments", 1), ("t.aid.relief", 0)


def test_a_worker_resumes_after_the_ledgers_position_when_no_checkpoint_exists() -> None:
    assert resume_offsets({A: 99}, {}) == {A: 100}


def test_a_checkpoint_behind_the_ledger_reads_that_stretch_again_for_its_effects() -> None:
    assert resume_offsets({A: 99, B: 5}, {A: 80}) == {A: 81, B: 6}


def test_a_checkpoint_past_the_ledger_covers_a_tail_of_dead_letters() -> None:
    assert resume_offsets({A: 10}, {A: 14, C: 3}) == {A: 15, C: 4}


def test_lag_counts_records_after_the_stored_position_up_to_the_end() -> None:
    assert lag_by_partition([A, B], {A: 120, B: 7}, {}, {A: 99, B: 6}) == {A: 20, B: 0}


def test_a_partition_never_stored_lags_by_all_its_records() -> None:
    assert lag_by_partition([C], {C: 42}, {}, {}) == {C: 42}


def test_an_end_offset_reported_too_low_is_raised_to_what_was_seen() -> None:
    # The embedded broker reports the first offset of the last batch + 1.
    assert lag_by_partition([A], {A: 90}, {A: 119}, {A: 99}) == {A: 20}


def test_partitions_with_no_known_end_are_left_out() -> None:
    assert lag_by_partition([A, B], {A: None}, {}, {A: 3}) == {}
