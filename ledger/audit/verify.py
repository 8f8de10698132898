"""``audit verify``: recompute the whole hash chain of the store, in parallel ranges.

One read-only REPEATABLE READ transaction takes the snapshot; worker processes import it, so
every range reads the same history. The first problem (lowest sequence) is reported.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from typing import Any

from ledger.audit.chain import GENESIS
from ledger.audit.db import Database, checked_name, session, worded_errors
from ledger.audit.segment import Problem, Segment, scan, scan_in_worker

#: Below this many events per worker a parallel scan costs more than it saves.
MIN_PARALLEL_ROWS = 100_000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ChainProblem:
    """The first stored event where the chain does not hold, and what was expected there."""

    kind: str
    sequence: int
    event_id: str | None
    expected: str
    found: str

    def __str__(self) -> str:
        event = f"event sequence {self.sequence} (id {self.event_id or 'unknown'})"
        if self.kind == "gap":
            after = "no later event" if self.found == "nothing" else f"sequence {self.found}"
            return (
                f"hash chain broken at {event}: sequence {self.expected} is missing, the store "
                f"continues with {after}; an event was removed or the sequence was altered"
            )
        if self.kind == "link":
            return (
                f"hash chain broken at {event}: its stored previous hash is {self.found} but the "
                f"event before it hashes to {self.expected}; the event before it was altered "
                "and re-hashed, or this link was changed"
            )
        return (
            f"hash chain broken at {event}: recomputed hash {self.expected} but stored hash "
            f"{self.found}; this event's stored bytes or its hash were altered"
        )


@dataclass(frozen=True)
class VerifyReport:
    """What a verification saw: how many events, the chain head, and the first problem."""

    count: int
    head_sequence: int
    head_hash: str
    seconds: float
    problem: ChainProblem | None
    leaf_hashes: bytes = b""

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else float(self.count)


def verify_store(
    db: Database,
    schema: str = "ledger",
    *,
    upto: int | None = None,
    workers: int | None = None,
    leaves: bool = False,
    check: bool = True,
    progress: Progress | None = None,
) -> VerifyReport:
    """Check every link of events 1..``upto`` (default: all); optionally return leaf hashes.

    ``check=False`` only hashes leaves and checks that sequences follow each other.
    """
    schema = checked_name(schema)
    started = time.perf_counter()
    with session(db) as conn:
        with conn.cursor() as cur:
            cur.execute(f'SELECT coalesce(max(sequence), 0) FROM "{schema}".events')
            top = int(cur.fetchone()[0])
        hi = top if upto is None else min(upto, top)
        if upto is not None and upto > top:
            hi = upto  # the scan then reports the missing sequences as a gap
        count = _workers(workers, hi)
        ranges = _split(hi, count)
        segments = _run(db, conn, schema, ranges, count, (leaves, check), progress)
        problem = next((s.problem for s in segments if s.problem is not None), None)
        chain_problem = _describe(conn, schema, problem) if problem else None
        counted = sum(s.count for s in segments) if problem is None else problem.sequence - 1
    head = segments[-1].last_hash if segments and problem is None else GENESIS
    return VerifyReport(
        count=counted,
        head_sequence=hi if problem is None else counted,
        head_hash=head.hex(),
        seconds=time.perf_counter() - started,
        problem=chain_problem,
        leaf_hashes=b"".join(s.leaf_hashes for s in segments) if problem is None else b"",
    )


def _workers(asked: int | None, rows: int) -> int:
    usable = asked if asked is not None else min(os.cpu_count() or 1, 4)
    return max(1, min(usable, rows // MIN_PARALLEL_ROWS if asked is None else usable))


def _split(hi: int, workers: int) -> list[tuple[int, int]]:
    # A few ranges per worker keep all busy to the end and give the progress bar steps.
    parts = workers * 4 if workers > 1 else (8 if hi > 80_000 else 1)
    bounds = sorted({hi * i // parts for i in range(parts + 1)})
    return list(itertools.pairwise(bounds)) or [(0, 0)]


def _run(
    db: Database,
    conn: Any,
    schema: str,
    ranges: list[tuple[int, int]],
    workers: int,
    modes: tuple[bool, bool],
    progress: Progress | None,
) -> list[Segment]:
    starts = _stored_hashes(conn, schema, [lo for lo, _ in ranges])
    leaves, check = modes
    segments = [Segment(lo, hi, starts.get(lo, GENESIS), leaves, check) for lo, hi in ranges]
    if workers == 1:
        for segment in segments:
            scan(conn, schema, segment)
            if progress:
                progress(segment.count)
        return segments
    with conn.cursor() as cur:
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
    with ProcessPoolExecutor(workers, mp_context=_context()) as pool:
        futures = [pool.submit(scan_in_worker, db, snapshot, schema, s) for s in segments]
        results = []
        for future in futures:
            results.append(future.result())
            if progress:
                progress(results[-1].count)
    return results


def _context() -> BaseContext:
    # Forking skips re-importing in each worker (a second or more) and is safe while this
    # process runs a single thread; otherwise start fresh interpreters.
    if threading.active_count() == 1 and "fork" in get_all_start_methods():
        return get_context("fork")
    return get_context("spawn")


def _stored_hashes(conn: Any, schema: str, sequences: list[int]) -> dict[int, bytes]:
    wanted = [s for s in sequences if s > 0]
    found = {0: GENESIS}
    if wanted:
        with worded_errors(), conn.cursor() as cur:
            cur.execute(
                f'SELECT sequence, hash FROM "{schema}".events WHERE sequence = ANY(%s)', (wanted,)
            )
            found.update({int(s): bytes(h) for s, h in cur.fetchall()})
    return found


def _describe(conn: Any, schema: str, problem: Problem) -> ChainProblem:
    """Name the event of the problem: the row itself, or for a gap the next stored one."""
    with conn.cursor() as cur:
        cur.execute(
            f'SELECT sequence, event_id::text FROM "{schema}".events WHERE sequence >= %s '
            "ORDER BY sequence LIMIT 1",
            (problem.sequence,),
        )
        row = cur.fetchone()
    if problem.kind == "gap":
        found = str(row[0]) if row else "nothing"
        at = int(row[0]) if row else problem.sequence
        return ChainProblem("gap", at, row[1] if row else None, problem.expected, found)
    return ChainProblem(
        problem.kind, problem.sequence, row[1] if row else None, problem.expected, problem.found
    )
