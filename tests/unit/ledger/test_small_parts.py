"""Small parts: "known on" cut-offs, the GC pause, schema names and result summaries."""

from __future__ import annotations

import gc
import time
import weakref
from datetime import UTC, date, datetime

import pytest

from ledger.append import chain_lock_key
from ledger.errors import InvalidQuery, InvalidSchemaName
from ledger.gc_pause import gc_paused, paced, survivors_frozen
from ledger.queries import known_cutoff
from ledger.records import AppendResult
from ledger.storage import checked_schema


def test_known_on_a_date_means_up_to_the_end_of_that_day_in_utc() -> None:
    assert known_cutoff(date(2024, 7, 31)) == datetime(2024, 7, 31, 23, 59, 59, 999_999, UTC)
    assert known_cutoff(None) is None


def test_known_on_a_time_without_a_timezone_is_refused() -> None:
    with pytest.raises(InvalidQuery, match="no timezone"):
        known_cutoff(datetime(2024, 7, 31, 12))


def test_the_collector_is_paused_inside_and_restored_after_even_when_nested() -> None:
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


def test_a_paced_run_frees_its_cycles_after_every_so_many_items_and_only_then() -> None:
    assert gc.isenabled()
    with paced(every=10) as tick:
        assert not gc.isenabled()
        node = _Node()
        alive = weakref.ref(node)
        del node
        for _ in range(10_000):  # allocations that would trigger an automatic collection
            _Node.__init__(_Node())
        tick(9)
        assert alive() is not None
        tick(1)
        assert alive() is None
    assert gc.isenabled()


def test_what_a_paused_batch_leaves_alive_is_frozen_then_collected_at_the_pace_given() -> None:
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with survivors_frozen(every=10) as tick:
        with gc_paused():
            node = _Node()
            alive = weakref.ref(node)
            kept = [_Node() for _ in range(1_000)]  # survivors the batch still holds
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(kept)
        del node
        gc.collect()  # a frozen cycle waits for the paced full collection
        assert alive() is not None
        tick(9)
        assert alive() is not None
        tick(1)
        assert alive() is None
        assert gc.get_freeze_count() == 0
        with gc_paused():
            kept.append(_Node())
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_quiet_frozen_run_still_collects_fully_once_the_time_given_has_passed() -> None:
    with survivors_frozen(every=1_000_000, seconds=0.5) as tick:
        with gc_paused():
            node = _Node()
            alive = weakref.ref(node)
        del node
        tick(1)
        assert alive() is not None
        time.sleep(0.6)
        tick(1)
        assert alive() is None


def test_a_pause_outside_a_frozen_run_freezes_nothing() -> None:
    with gc_paused():
        kept = [_Node() for _ in range(100)]
    assert gc.get_freeze_count() == 0 and len(kept) == 100


def test_schema_names_must_be_plain_identifiers() -> None:
    assert checked_schema("ledger_replay_1") == "ledger_replay_1"
    with pytest.raises(InvalidSchemaName):
        checked_schema('ledger"; DROP TABLE x; --')


def test_each_schema_has_its_own_chain_lock() -> None:
    assert chain_lock_key("ledger") == chain_lock_key("ledger")
    assert chain_lock_key("ledger") != chain_lock_key("scratch")
    assert -(2**63) <= chain_lock_key("ledger") < 2**63


def test_an_append_result_summarises_itself_in_one_line() -> None:
    assert AppendResult(skipped=2).summary() == (
        "appended 0, already recorded 0, conflicts 0, skipped (at or below position) 2"
    )
