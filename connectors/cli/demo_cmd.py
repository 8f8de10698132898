"""``aidledger demo``: the main job end to end on whatever services are configured.

Publishes a small set of events of every family, runs a stream worker until the ledger holds
all of them, then shows a beneficiary's balances and checks the hash chain.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import typer
from rich.table import Table

from connectors.cli.app import app, console, get_runtime
from connectors.console_tables import print_whole
from schemas.errors import AidLedgerError


class DemoFailed(AidLedgerError):
    """The demo did not see its events reach the ledger."""


def _stored(engine: object, ids: list[str]) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM ledger.events WHERE event_id = ANY(CAST(:ids AS uuid[]))"
                ),
                {"ids": ids},
            ).scalar_one()
        )


@app.command()
def demo(
    timeout: float = typer.Option(120.0, help="Seconds to wait for the worker to catch up."),
) -> None:
    """Publish demo events, project them into the ledger with a worker, show the result."""
    from connectors.demo_events import demo_events
    from connectors.readback import read_back
    from connectors.topics import all_topics
    from ledger import Ledger, verify_chain
    from ledger.migrations import upgrade

    rt = get_runtime()
    upgrade(rt.database_url)
    events = demo_events()
    with rt.publisher() as publisher:
        publisher.publish(events)
    console.print(f"published {len(events)} events to Kafka at {rt.bootstrap_servers}")
    ids = [str(e.event_id) for e in events]
    seen = list(
        read_back(rt.bootstrap_servers, all_topics(rt.settings.topic_prefix)[:-1], set(ids))
    )
    console.print(f"read {len(seen)} of them back from their family topics")

    env = dict(os.environ)
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=rt.bootstrap_servers,
        DATABASE_URL=rt.database_url,
        AIDLEDGER_METRICS_PORT="0",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "connectors.cli", "worker", "--loglevel", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while (count := _stored(rt.engine, ids)) < len(ids):
            if worker.poll() is not None:
                raise DemoFailed(f"the worker exited with status {worker.returncode}")
            if time.monotonic() > deadline:
                raise DemoFailed(f"only {count} of {len(ids)} events reached the ledger in time")
            time.sleep(0.5)
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
    console.print(f"the stream worker appended all {len(ids)} events to the ledger")

    ledger = Ledger(rt.engine)
    person = "P-84-000001"
    b = ledger.balances(person)
    table = Table(title=f"balances of {person}")
    table.add_column("balance")
    table.add_column("VND / quantity", justify="right")
    for name, value in (("accrued", b.accrued), ("paid", b.paid), ("owed", b.owed)):
        table.add_row(name, f"{value:,}")
    for item, got in b.relief.items():
        table.add_row(f"relief {item}", f"{got.quantity:,} ({got.value_vnd:,} VND)")
    for card in b.coverage:
        table.add_row("BHYT card", str(card))
    print_whole(console, table)
    broken = verify_chain(rt.engine)
    if broken is not None:
        raise DemoFailed(f"hash chain broken: {broken}")
    sequence, head = ledger.head()
    console.print(f"hash chain verified over {sequence} events; head {head.hex()[:16]}…")
    console.print("services keep running: `aidledger status`, stop them with `aidledger down`")
