"""Pause Python's cyclic garbage collector while a batch is appended, or pace it in a bulk run.

An append allocates a few tuples per event and creates no reference cycles, so reference
counting frees everything; but with a large heap (a consumer holding many events), the
collector's full passes triggered by those allocations cost more than the append itself.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False
#: How many ``survivors_frozen`` runs are going on (see there).
_freezing = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector until the last concurrent holder leaves (then restore)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                if _freezing:
                    gc.freeze()
                gc.enable()


#: Items between two full collections in a bulk run (see ``paced``).
PACE = 100_000


@contextmanager
def paced(every: int = PACE) -> Iterator[Callable[[int], None]]:
    """For a bulk run that streams many items (a payroll, a report import): the automatic
    collector off, and one full collection after every ``every`` items; call the yielded
    ``tick(n)`` as n items go by.

    Left automatic, the collector runs thousands of times over such a run, each full pass
    over the whole heap (7-9% of a payroll command's CPU); paced, a run still frees the
    reference cycles it makes (kafka-python's futures hold some) at a bounded interval.
    """
    with gc_paused():  # the same switch as an append's, so nesting either way restores it
        yield _every(every, _full_collection)


#: Items between two full collections in an endless run (see ``survivors_frozen``), and the
#: longest time between two, in seconds, for a run that sees few items.
FROZEN_PACE = 1_000_000
FROZEN_SECONDS = 60.0


@contextmanager
def survivors_frozen(
    every: int = FROZEN_PACE, seconds: float = FROZEN_SECONDS
) -> Iterator[Callable[[int], None]]:
    """For an endless run of batches (a stream worker): what a paused batch leaves alive is
    frozen when the collector resumes, and one full collection follows every ``every`` items,
    or the first batch after ``seconds`` without one (call the yielded ``tick(n)`` as n items
    go by).

    Left alone, the collector's first pass after a batch walks everything the batch made
    that is still alive (its events and rows, held until they are committed and settled),
    and finds no garbage there: 1.4 s of a lone worker's ~14 s of CPU over 200,000 events
    (bench/pipeline.py, measured with ``gc.callbacks``). Frozen (``gc.freeze``), those
    objects are still freed by reference counting as usual, and the collector keeps working
    on what the process makes between batches (the event loop's and the Kafka client's
    objects); a reference cycle left among a batch's objects waits for the next full
    collection. That one walks the whole heap (0.25-0.4 s in a busy worker holding ~700,000
    objects) and has found at most ~2,000 objects of garbage per 100,000 events: hence
    one per million. A freeze also takes whatever young garbage the rest of the process has
    at that moment; the clock bounds how long a quiet worker (few events, many small
    batches) keeps it.
    """
    global _freezing
    with _lock:
        _freezing += 1
    try:
        yield _every(every, _unfrozen_collection, seconds)
    finally:
        with _lock:
            _freezing -= 1
        gc.unfreeze()


def _full_collection() -> None:
    gc.collect()


def _unfrozen_collection() -> None:
    gc.unfreeze()
    gc.collect()


def _every(
    every: int, collect: Callable[[], None], seconds: float | None = None
) -> Callable[[int], None]:
    """A tick(n) that calls ``collect`` each time another ``every`` items have gone by, or
    (with ``seconds``) on the first tick that long after the last call."""
    since = 0
    last = time.monotonic()

    def tick(n: int) -> None:
        nonlocal since, last
        since += n
        if since >= every or (seconds is not None and time.monotonic() - last >= seconds):
            since = 0
            last = time.monotonic()
            collect()

    return tick
