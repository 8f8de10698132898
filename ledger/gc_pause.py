"""Pause Python's cyclic garbage collector while a batch is appended.

An append allocates a few tuples per event and creates no reference cycles, so reference
counting frees everything; but with a large heap (a consumer holding many events), the
collector's full passes triggered by those allocations cost more than the append itself.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


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
                gc.enable()
