"""Balance and history query latency for people with ten years of history in a big ledger.

    python bench/query_latency.py --n 10000000 [--queries 300] [--batch 20000]

Load: everything goes through ``Ledger.append`` in big batches (the real path: hash chain,
journal, postings, balances), month by month for ten years, so each person's events are
spread through the whole ledger as in production. Thirty people get the generator's full,
validated histories (bench/generate.py); the other events are copies of validated template
events (``model_copy`` with a new id and person: same shape, still valid), two a month for
each filler person. Then ``Ledger.balances`` (now, and as of a date as known on a day) and
``Ledger.history`` are timed for the three people with the longest histories.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Timer, postgres_url, print_bench
from bench.generate import population_events
from ledger import Ledger, open_ledger
from ledger.storage import raw_connection
from schemas import Event, make_event
from schemas.months import add_months, months_between
from schemas.payments import AllowanceAccrued, CollectedBy, PaymentDisbursed

TARGET_MS = 100
YEARS = 10
END = "2025-06"
PROVINCES = ("84", "79", "01", "38", "40", "75", "74", "31", "89", "36")


def _month(event: Event) -> str:
    return event.recorded_at.strftime("%Y-%m")


def _templates(month: str) -> list[tuple[AllowanceAccrued, PaymentDisbursed]]:
    """Validated accrual and payment events of a month, one pair per province."""
    run = datetime(int(month[:4]), int(month[5:]), 1, 3, tzinfo=UTC)
    paid = run.replace(day=9)
    pairs = []
    for province in PROVINCES:
        accrual = make_event(
            AllowanceAccrued, source="payroll", occurred_at=run, recorded_at=run,
            person_id="F0", month=month, service_month=month, component="regular",
            amount_vnd=540_000, province_code=province, commune_code=f"{province}001",
        )  # fmt: skip
        payment = make_event(
            PaymentDisbursed, source="vnpost-report", occurred_at=paid, recorded_at=paid,
            list_id=f"DS-{month}-{province}001", line_no=1, person_id="F0",
            post_office_code=f"VNP-{province}", amount_paid_vnd=540_000, paid_at=paid,
            receipt_no=f"BL-{month}", collected_by=CollectedBy.SELF,
        )  # fmt: skip
        pairs.append((accrual, payment))
    return pairs


def _filler(month: str, people: int, rng: random.Random) -> Iterator[Event]:
    """Two events a month for each filler person: copies of templates with new ids."""
    pairs = _templates(month)
    for n in range(people):
        accrual, payment = pairs[n % len(pairs)]
        person = f"F{n:08d}"
        for template in (accrual, payment):
            new_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            yield template.model_copy(update={"event_id": new_id, "person_id": person})


def _append(ledger: Ledger, events: list[Event]) -> int:
    result = ledger.append(events)
    if result.conflicts or len(result.appended) != len(events):
        raise RuntimeError(f"the load was not clean: {result.conflicts[:3]}")
    return len(result.appended)


def load(ledger: Ledger, total: int, batch: int, seed: int) -> tuple[list[str], int, float]:
    """Fill the ledger month by month; returns the tracked people, events and seconds."""
    first = add_months(END, 1 - 12 * YEARS)
    tracked: dict[str, list[Event]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for event in population_events(30, years=YEARS, seed=seed):
        tracked[min(max(_month(event), first), END)].append(event)
        counts[str(getattr(event, "person_id", None))] += 1
    people = max(0, total - sum(len(v) for v in tracked.values())) // (2 * 12 * YEARS)
    rng, appended, pending = random.Random(seed), 0, []
    with Timer() as timer:
        for month in months_between(first, END):
            for event in [*tracked.pop(month, []), *_filler(month, people, rng)]:
                pending.append(event)
                if len(pending) >= batch:
                    appended += _append(ledger, pending)
                    pending = []
        if pending:
            appended += _append(ledger, pending)
    counts.pop("None", None)
    longest = sorted(counts, key=lambda p: (-counts[p], p))[:3]
    return longest, appended, timer.seconds


def _timed(call: Callable[[], Any], times: int) -> list[float]:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 3)


def measure(ledger: Ledger, people: list[str], queries: int) -> dict[str, list[float]]:
    """Latencies (ms) of each query kind, round-robin over ``people`` after a warm-up."""
    as_of, known_on = date(2022, 12, 31), date(2023, 1, 31)

    def raw(person: str) -> None:
        with raw_connection(ledger.engine) as conn, conn.cursor() as cur:
            cur.execute(
                f'SELECT sequence FROM "{ledger.schema}".events WHERE person_id = %s', (person,)
            )
            cur.fetchall()

    kinds: dict[str, Callable[[str], object]] = {
        "balance": ledger.balances,
        "balance_as_of": lambda p: ledger.balances(p, as_of=as_of, known_on=known_on),
        "history": ledger.history,
        "raw_index_fetch": raw,
    }
    results: dict[str, list[float]] = {k: [] for k in kinds}
    for name, call in kinds.items():
        for person in people:
            _timed(lambda c=call, p=person: c(p), 5)  # type: ignore[misc]
        for i in range(queries):
            person = people[i % len(people)]
            results[name] += _timed(lambda c=call, p=person: c(p), 1)  # type: ignore[misc]
    return results


def _analyze(ledger: Ledger) -> None:
    with raw_connection(ledger.engine) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'SET search_path TO "{ledger.schema}"')
            cur.execute("VACUUM ANALYZE")
        conn.autocommit = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="events in the ledger")
    parser.add_argument("--queries", type=int, default=300, help="timed calls per query kind")
    parser.add_argument("--batch", type=int, default=20_000, help="events per append")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with postgres_url() as url:
        ledger = open_ledger(url)
        try:
            people, events, seconds = load(ledger, args.n, args.batch, args.seed)
            _analyze(ledger)
            history = [len(ledger.history(p)) for p in people]
            results = measure(ledger, people, args.queries)
        finally:
            ledger.close()
    print(f"ledger: {events:,} events loaded in {seconds:,.1f} s ({events / seconds:,.0f}/s)")
    print(f"people queried: {', '.join(people)} ({min(history)}-{max(history)} events each)")
    figures = {}
    for name, values in results.items():
        figures[name] = (_p(values, 50), _p(values, 99))
        print(f"  {name:<16} p50 {figures[name][0]:>8.2f} ms   p99 {figures[name][1]:>8.2f} ms")
    worst = max(("balance", "balance_as_of", "history"), key=lambda k: figures[k][1])
    print_bench(
        "query_latency", figures[worst][1], "ms p99", raw_limit=figures["raw_index_fetch"][1],
        target=f"<= {TARGET_MS}", n=events, items=args.queries * 3, worst_query=worst,
        **{f"{k}_p{q}_ms": figures[k][i] for k in figures for i, q in enumerate((50, 99))},
        history_events=max(history), load_events_per_s=round(events / seconds, 1),
    )  # fmt: skip


if __name__ == "__main__":
    main()
