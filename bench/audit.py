"""Audit verify and replay over N stored events, each against the raw limit of the same rows.

    python bench/audit.py --n 200000 [--workers 2] [--batch 10000]

Appends N mixed events (bench/ledger_append.py's generator) to a scratch ledger with the
domain projectors, as a stream worker does, then times: verify (the whole hash chain, in
parallel ranges) against a plain binary COPY read of the same columns; replay from the store
into a scratch schema as `aidledger audit replay` runs it (parse, posting rules, balances,
coverage, the payroll and reconciliation read models, in batches) against a plain COPY of the
same event rows into an empty table; the same replay without the domain projectors (where the
time goes); and, apart, the comparison with the live ledger and the digest of the scratch
schema.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    Timer,
    cpu_bound_rate,
    current_rss_mb,
    postgres_url,
    print_bench,
    server_cpu,
)

VERIFY_TARGET, REPLAY_TARGET = 200_000, 30_000


class _Null:
    def __init__(self) -> None:
        self.bytes = 0

    def write(self, chunk: bytes) -> None:
        self.bytes += len(chunk)


def plain_read_rate(url: str, n: int) -> float:
    """Rows/s of a binary COPY of (sequence, payload, prev_hash, hash) in sequence order."""
    from ledger.audit.db import Database

    conn = Database.from_url(url).connect()
    try:
        with Timer() as t, conn.cursor() as cur:
            cur.copy_expert(
                "COPY (SELECT sequence, payload, prev_hash, hash FROM ledger.events "
                "ORDER BY sequence) TO STDOUT (FORMAT binary)",
                _Null(),
            )
    finally:
        conn.close()
    return n / t.seconds


def raw_copy_rate(url: str, n: int) -> float:
    """Rows/s of COPYing the event rows out and into an empty table of the same columns."""
    from ledger.audit.db import Database

    db = Database.from_url(url)
    source, target = db.connect(), db.connect(readonly=False)
    with target.cursor() as cur:
        cur.execute("CREATE TABLE public.raw_events (LIKE ledger.events INCLUDING GENERATED)")
    target.commit()
    read_end, write_end = os.pipe()

    def produce() -> None:
        with os.fdopen(write_end, "wb") as sink, source.cursor() as cur:
            cur.copy_expert("COPY ledger.events TO STDOUT", sink)

    with Timer() as t:
        thread = threading.Thread(target=produce)
        thread.start()
        with os.fdopen(read_end, "rb") as pipe, target.cursor() as cur:
            cur.copy_expert("COPY public.raw_events FROM STDIN", pipe, size=1 << 16)
        target.commit()
        thread.join()
    source.close()
    target.close()
    return n / t.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="events in the store")
    parser.add_argument("--workers", type=int, default=None, help="verify scanners")
    parser.add_argument("--batch", type=int, default=10_000, help="events per replay append")
    args = parser.parse_args()

    from bench.ledger_append import generate
    from connectors.cli.streams_cmd import domain_projectors as projectors
    from ledger import open_ledger
    from ledger.audit import history
    from ledger.audit import replay as rp
    from ledger.audit.db import Database
    from ledger.audit.verify import verify_store

    with Timer() as gen:
        events = generate(args.n)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"generated {len(events):,} events in {gen.seconds:.1f} s (rss {current_rss_mb()} MiB)")
    with postgres_url() as url:
        ledger = open_ledger(url, projectors=projectors())
        with Timer() as filling:
            batches = (events[start : start + 10_000] for start in range(0, len(events), 10_000))
            stored = sum(len(r.appended) for r in ledger.append_all(batches))
        assert stored == args.n
        ledger.close()
        del events
        append_rate = args.n / filling.seconds
        print(
            f"stored {args.n:,} events in {filling.seconds:.1f} s with Ledger.append_all "
            f"({append_rate:,.0f} events/s, with the domain projectors: the same work as a "
            "replay, without reading and parsing)"
        )
        db = Database.from_url(url)

        report = verify_store(db, workers=args.workers)
        assert report.problem is None and report.count == args.n, report.problem
        serial = verify_store(db, workers=1)
        read = plain_read_rate(url, args.n)
        print(
            f"verify: {report.count:,} events in {report.seconds:.2f} s = "
            f"{report.rate:,.0f} events/s (parallel ranges); one process "
            f"{serial.rate:,.0f} events/s; plain binary COPY read of the same columns "
            f"{read:,.0f} rows/s; head {report.head_hash[:16]}…"
        )

        def children_cpu() -> float:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime

        def replay(
            name: str, with_projectors: bool
        ) -> tuple[rp.ReplayOutcome, float, float, float | None]:
            server = server_cpu(url)
            cpu, child_cpu = time.process_time(), children_cpu()
            stored = history.store_range(db, "ledger")
            outcome = rp.rebuild(
                url,
                name,
                history.from_range(db, stored),
                projectors() if with_projectors else [],
                source="store",
                batch=args.batch,
                read_models_from=stored if with_projectors else None,
            )
            cpu_us = (time.process_time() - cpu) / args.n * 1e6
            child_us = (children_cpu() - child_cpu) / args.n * 1e6  # the read-model process
            server_us = server.seconds() / args.n * 1e6 if server else None
            assert outcome.appended == args.n and not outcome.refused and not outcome.conflicts
            return outcome, cpu_us, child_us, server_us

        outcome, cpu_us, child_us, server_us = replay("bench_replay", True)
        with Timer() as checking:
            rp.check(db, "ledger", outcome, exact=True)
        assert outcome.differences == [], outcome.differences
        bare, bare_cpu_us, _, _ = replay("bench_replay_bare", False)
        rp.drop(db, "bench_replay_bare")
        copy = raw_copy_rate(url, args.n)
        print(
            f"replay from the store as `aidledger audit replay` runs it: {outcome.read:,} "
            f"events in {outcome.seconds:.2f} s = {outcome.rate:,.0f} events/s (batches of "
            f"{args.batch}; CPU per event: {cpu_us:.0f} µs in this process (parse, posting rules,"
            f" COPY rows), {child_us:.0f} µs in the read-model process)"
        )
        if server_us is not None:
            total_us = cpu_us + child_us + server_us
            print(
                f"CPU per replayed event on this machine: {total_us:.0f} µs ({cpu_us:.0f} "
                f"this process, {child_us:.0f} the read-model process, {server_us:.0f} "
                f"PostgreSQL); at most {cpu_bound_rate(total_us):,.0f} events/s on its "
                f"{os.cpu_count()} cores with every one busy all the time"
            )
        print(
            f"the same replay without the payroll and reconciliation read models: "
            f"{bare.rate:,.0f} events/s ({bare_cpu_us:.0f} µs of CPU per event)"
        )
        print(
            f"raw COPY of the same event rows into an empty table: {copy:,.0f} rows/s; "
            f"comparison with the live ledger and digest: {checking.seconds:.1f} s "
            f"(comparison {outcome.compare_seconds:.1f} s, digest {outcome.digest_seconds:.1f} s),"
            " no differences"
        )
        print(
            f"targets: verify >= {VERIFY_TARGET:,}/s "
            f"{'met' if report.rate >= VERIFY_TARGET else 'NOT met'}, replay >= "
            f"{REPLAY_TARGET:,}/s {'met' if outcome.rate >= REPLAY_TARGET else 'NOT met'}"
        )
    print_bench(
        "audit",
        round(outcome.rate),
        "events/s (replay)",
        raw_limit=round(copy),
        target=f">= {REPLAY_TARGET}",
        n=args.n,
        replay_seconds=round(outcome.seconds, 2),
        compare_seconds=round(checking.seconds, 2),
        comparison_only_seconds=round(outcome.compare_seconds, 2),
        digest_seconds=round(outcome.digest_seconds, 2),
        append_events_per_s=round(append_rate),
        replay_cpu_us_per_event=round(cpu_us, 1),
        replay_read_model_cpu_us_per_event=round(child_us, 1),
        replay_server_cpu_us_per_event=None if server_us is None else round(server_us, 1),
        replay_without_read_models=round(bare.rate),
        load_average=os.getloadavg()[0],
        verify_figure=round(report.rate),
        verify_serial=round(serial.rate),
        verify_raw_limit=round(read),
        verify_ratio=round(report.rate / read, 4),
        verify_target=f">= {VERIFY_TARGET}",
    )


if __name__ == "__main__":
    main()
