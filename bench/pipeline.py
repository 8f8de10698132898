"""End-to-end pipeline throughput: N events on Kafka -> `aidledger worker` -> the ledger.

    python bench/pipeline.py --n 100000 [--workers 1,2] [--take-n 20000]

N mixed events (bench.ledger_append.generate) are published first (aiokafka, acks=all); then
1 (and then 2) worker processes start, and the figure is events/s from the moment every worker
has its partitions until the last event is in the ledger (the group join is reported apart).
In the same run: the ledger alone (the same events parsed and appended in-process with
``Ledger.append_all`` and the workers' projectors, as one worker does); the raw limit, a raw
aiokafka consume of the same records into memory plus a COPY of them into a plain table; and,
with --take-n, the consume-only speed of a Faust agent using stream.take() against the
getmany-level batching the workers use.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    MachineCpu,
    Timer,
    connect,
    cpu_bound_rate,
    current_rss_mb,
    kafka_bootstrap,
    postgres_url,
    print_bench,
    scratch_dir,
    server_cpu,
    topic_prefix,
)
from bench._workers import REPO, workers
from bench.ledger_append import generate
from schemas import canonical_json, topic_for

TARGET = 20_000
Message = tuple[str, bytes, bytes]  # base topic, key, value


def messages(n: int) -> list[Message]:
    return [(topic_for(e), e.subject.encode(), canonical_json(e)) for e in generate(n)]


def publish(bootstrap: str, prefix: str, msgs: list[Message]) -> float:
    """Publish every message (acks=all, all confirmed); returns messages/s."""
    from aiokafka import AIOKafkaProducer

    async def run() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            linger_ms=20,
            max_batch_size=1024 * 1024,
            max_request_size=8 * 1024 * 1024,
        )
        await producer.start()
        try:
            sent = [await producer.send(prefix + t, v, key=k) for t, k, v in msgs]
            await asyncio.gather(*sent)
        finally:
            await producer.stop()

    with Timer() as t:
        asyncio.run(run())
    return len(msgs) / t.seconds


def fresh_database(server_url: str) -> str:
    """A new, migrated database on the bench server."""
    from sqlalchemy.engine import make_url

    from bench._common import _admin
    from ledger.migrations import upgrade

    name = f"pipe_{uuid.uuid4().hex[:10]}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def run_workers(
    url: str, bootstrap: str, prefix: str, n: int, count: int, home: Path
) -> dict[str, float]:
    """Start ``count`` processes on pre-published topics; time them until n events are in,
    with the CPU per event of the workers, of PostgreSQL and of the whole machine meanwhile."""
    conn = connect(url)
    started = time.perf_counter()
    try:
        with workers(url, bootstrap, prefix, count, home) as group:
            group.wait_assigned()
            ready = time.perf_counter()
            machine, server, own = MachineCpu(), server_cpu(url), group.cpu_seconds()
            done = group.wait_for(conn, n)
            worker_us = (group.cpu_seconds() - own) / n * 1e6
            machine_us = machine.seconds() / n * 1e6
            server_us = server.seconds() / n * 1e6 if server else float("nan")
    finally:
        conn.close()
    return {
        "join_s": ready - started,
        "process_s": done - ready,
        "rate": n / (done - ready),
        "worker_cpu_us": worker_us,
        "server_cpu_us": server_us,
        "machine_cpu_us": machine_us,
    }


def raw_limit(url: str, bootstrap: str, prefix: str, n: int) -> dict[str, float]:
    """A raw consume of the same records into memory, then one COPY into a plain table."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from schemas.registry import FAMILY_TOPICS

    async def consume() -> list[tuple[str, int, int, bytes]]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=10_000,
            max_partition_fetch_bytes=16 * 1024 * 1024,
        )
        await consumer.start()
        try:
            tps = [
                TopicPartition(prefix + t, p)
                for t in FAMILY_TOPICS.values()
                for p in consumer.partitions_for_topic(prefix + t) or ()
            ]
            consumer.assign(tps)
            await consumer.seek_to_beginning()
            rows: list[tuple[str, int, int, bytes]] = []
            while len(rows) < n:
                batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
                rows.extend(
                    (r.topic, r.partition, r.offset, r.value)
                    for records in batch.values()
                    for r in records
                )
            return rows
        finally:
            await consumer.stop()

    with Timer() as c:
        rows = asyncio.run(consume())
    conn = connect(url)
    conn.autocommit = False
    with Timer() as w:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE raw_records (topic text, partition int, kafka_offset "
                "bigint, value bytea)"
            )
            text = "".join(f"{t}\t{p}\t{o}\t\\\\x{v.hex()}\n" for t, p, o, v in rows)
            cur.copy_expert("COPY raw_records FROM STDIN", io.StringIO(text))
        conn.commit()
    conn.close()
    return {
        "consume_s": c.seconds,
        "copy_s": w.seconds,
        "rate": len(rows) / (c.seconds + w.seconds),
    }


def ledger_ceiling(url: str, msgs: list[Message]) -> float:
    """Events/s of the ledger alone, as one worker appends: batches of records parsed and
    appended with ``Ledger.append_all`` and the workers' projectors, in-process, no Kafka."""
    from sqlalchemy import create_engine

    from connectors.cli.streams_cmd import domain_projectors
    from ledger import Ledger
    from schemas.registry import parse_event
    from streams.app import BATCH_MAX_RECORDS

    engine = create_engine(url)
    ledger = Ledger(engine, projectors=domain_projectors())

    def batches() -> Any:
        for start in range(0, len(msgs), BATCH_MAX_RECORDS):
            yield [parse_event(v) for _, _, v in msgs[start : start + BATCH_MAX_RECORDS]]

    with Timer() as t:
        appended = sum(len(r.appended) for r in ledger.append_all(batches()))
    engine.dispose()
    if appended != len(msgs):
        raise SystemExit(f"the ledger-alone run appended {appended} of {len(msgs)} events")
    return len(msgs) / t.seconds


def consume_only(bootstrap: str, prefix: str, n: int, take: bool, home: Path) -> float:
    """Records/s a Faust worker reaches with no work at all: stream.take() vs getmany."""
    code = f"""
import sys, time, os
sys.path.insert(0, {str(REPO)!r})
import faust
from connectors.settings import Settings
from streams.app import create_app
from schemas.registry import FAMILY_TOPICS
n = {n}
settings = Settings.model_validate({{"AIDLEDGER_TOPIC_PREFIX": {prefix!r},
    "AIDLEDGER_DATA_DIR": {str(home)!r}, "AIDLEDGER_CONSUMER_GROUP": "c-" + os.urandom(4).hex(),
    "AIDLEDGER_WORKER_ID": "consume-only"}})
if {take!r}:  # the stock aiokafka transport, records one by one through the conductor
    from streams.app import AidLedgerApp
    AidLedgerApp._new_transport = faust.App._new_transport
app = create_app(settings, {bootstrap!r})
state = {{"n": 0, "t0": None}}
def seen(k):
    state["t0"] = state["t0"] or time.perf_counter()
    state["n"] += k
    if state["n"] >= n:
        print("RATE", state["n"] / (time.perf_counter() - state["t0"]), flush=True)
        os._exit(0)
if {take!r}:
    app.topics.clear()
    @app.agent(app.topic(*app.family_topics, key_type=bytes, value_type=bytes))
    async def agent(stream):
        async for batch in stream.take(5000, within=0.5):
            seen(len(batch))
else:
    class Sink:
        async def resume_offsets(self, partitions):
            return {{}}
        async def process(self, records):
            seen(len(records))
            return {{}}
    app.batch_sink = Sink()
faust.Worker(app, loglevel="warning", quiet=True, redirect_stdouts=False).execute_from_commandline()
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=REPO
    )
    for line in out.stdout.splitlines():
        if "RATE " in line:  # Faust may prefix terminal control codes
            return float(line.split("RATE ", 1)[1].split()[0])
    raise SystemExit(f"consume-only run failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="events to publish")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    parser.add_argument(
        "--take-n",
        type=int,
        default=20_000,
        help="records for the stream.take() comparison (0: skip it)",
    )
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]

    with Timer() as gen:
        msgs = messages(args.n)
    print(f"generated {len(msgs)} events in {gen.seconds:.1f} s (rss {current_rss_mb()} MiB)")
    results: dict[int, dict[str, float]] = {}
    with kafka_bootstrap() as bootstrap, postgres_url() as server, scratch_dir() as home:
        for count in counts:
            prefix = topic_prefix(bootstrap)
            rate = publish(bootstrap, prefix, msgs)
            url = fresh_database(server)
            results[count] = run_workers(url, bootstrap, prefix, args.n, count, home)
            r = results[count]
            print(
                f"{count} worker(s): published at {rate:,.0f}/s; group join {r['join_s']:.1f}"
                f" s; {args.n} events into the ledger in {r['process_s']:.2f} s ="
                f" {r['rate']:,.0f} events/s"
            )
            print(
                f"  CPU per event meanwhile: {r['machine_cpu_us']:.0f} µs on the whole machine"
                f" (workers {r['worker_cpu_us']:.0f}, PostgreSQL {r['server_cpu_us']:.0f}, the"
                f" rest {r['machine_cpu_us'] - r['worker_cpu_us'] - r['server_cpu_us']:.0f}:"
                f" broker, kernel, this bench); at most"
                f" {cpu_bound_rate(r['machine_cpu_us']):,.0f} events/s with every core busy"
            )
        ceiling = ledger_ceiling(fresh_database(server), msgs)
        print(
            f"ledger alone (same events parsed and appended with append_all in batches of"
            f" 10,000, the workers' projectors, no Kafka): {ceiling:,.0f} events/s"
        )
        raw = raw_limit(fresh_database(server), bootstrap, prefix, args.n)
        print(
            f"raw limit: aiokafka getmany of {args.n} records in {raw['consume_s']:.2f} s +"
            f" COPY into a plain table in {raw['copy_s']:.2f} s = {raw['rate']:,.0f} records/s"
        )
        if args.take_n:
            take_n = min(args.take_n, args.n)
            take = consume_only(bootstrap, prefix, take_n, True, home)
            batched = consume_only(bootstrap, prefix, args.n, False, home)
            print(
                f"consume only (no work): Faust stream.take(5000, within=0.5) {take:,.0f}"
                f" records/s; getmany-level batching {batched:,.0f} records/s"
            )
    best = max(results, key=lambda c: results[c]["rate"])
    figure = results[best]["rate"]
    print(
        f"ratio end-to-end / raw limit: {figure / raw['rate']:.2f}; target >= {TARGET:,}"
        f" events/s: {'met' if figure >= TARGET else 'NOT met'} ({best} worker(s))"
    )
    extra: dict[str, float] = {f"workers_{c}": round(r["rate"]) for c, r in results.items()}
    extra.update({f"machine_cpu_us_{c}": round(r["machine_cpu_us"], 1) for c, r in results.items()})
    print(f"end-to-end / ledger alone: {figure / ceiling:.2f}")
    print_bench(
        "pipeline_end_to_end",
        round(figure),
        "events/s",
        raw_limit=round(raw["rate"]),
        target=f">= {TARGET}",
        n=args.n,
        best_workers=best,
        ledger_alone=round(ceiling),
        **extra,
    )


if __name__ == "__main__":
    main()
