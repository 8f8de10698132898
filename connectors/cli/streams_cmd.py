"""``aidledger worker`` (a stream worker) and ``aidledger deadletters [retry ID]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from connectors.cli.app import app, console, get_runtime
from connectors.console_tables import print_whole
from connectors.deadletters import retry_deadletter
from ledger.projectors import Projector
from streams.deadletter_store import DeadLetterStore

deadletters_app = typer.Typer(
    help="Records the workers refused, with the reason; retry one after fixing its cause.",
    invoke_without_command=True,
)
app.add_typer(deadletters_app, name="deadletters")


def domain_projectors() -> list[Projector]:
    """The read models a worker keeps in the append transaction (from the composition root)."""
    return get_runtime().projectors()


@app.command()
def worker(
    metrics_host: Annotated[
        str, typer.Option("--metrics-host", help="Address the /metrics server listens on.")
    ] = "0.0.0.0",
    loglevel: Annotated[str, typer.Option("--loglevel", help="debug, info or warning.")] = "info",
) -> None:
    """Run a stream worker: validate events, append them to the ledger, dead-letter the rest.

    Start several: they share the partitions of the consumer group AIDLEDGER_CONSUMER_GROUP.
    Metrics are served on AIDLEDGER_METRICS_PORT (0 picks a free port and logs it).
    """
    from streams.worker import build_worker

    rt = get_runtime()
    built = build_worker(
        rt.settings, rt.bootstrap_servers, rt.engine, projectors=domain_projectors()
    )
    built.run(metrics_host=metrics_host, loglevel=loglevel)


@deadletters_app.callback()
def deadletters(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many.")] = 50,
    topic: Annotated[str | None, typer.Option("--topic", help="Only this topic.")] = None,
) -> None:
    """List dead letters, newest first: id, where it came from, why, when."""
    if ctx.invoked_subcommand is not None:
        return
    letters = DeadLetterStore(get_runtime().engine).list(limit=limit, topic=topic)
    if not letters:
        console.print("no dead letters")
        return
    table = Table(title=f"dead letters (newest {len(letters)})")
    for column in ("id", "topic/partition/offset", "reason", "when"):
        table.add_column(column, overflow="fold")
    for d in letters:
        retried = f" [dim](retried {d.retries}x)[/]" if d.retries else ""
        table.add_row(
            str(d.deadletter_id),
            f"{d.topic}/{d.partition}/{d.offset}",
            escape(f"[{d.kind}] {d.reason}") + retried,
            d.recorded_at.strftime("%Y-%m-%d %H:%M:%S %Z"),
        )
    print_whole(console, table)


@deadletters_app.command()
def retry(
    deadletter_id: Annotated[str, typer.Argument(help="The id (or its first 8+ characters).")],
    fixed: Annotated[
        Path | None,
        typer.Option(
            "--fixed",
            help="A JSON file with the corrected event to send instead.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Send a dead letter again as a new message to the topic its event type belongs on (its
    original topic, unless it was refused for being on another one); the letter stays."""
    rt = get_runtime()
    done = retry_deadletter(DeadLetterStore(rt.engine), rt.bootstrap_servers, deadletter_id, fixed)
    what = "corrected event" if done.fixed else "original bytes"
    console.print(
        f"re-submitted dead letter {done.letter.deadletter_id} ({what}) as"
        f" {done.topic}/{done.partition}/{done.offset}; retry {done.retry_id} recorded"
    )
