"""``aidledger publish FILE`` and ``aidledger demo``: put events on Kafka."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from connectors.cli.app import app, console, get_runtime
from connectors.jsonl import read_events


@app.command()
def publish(
    file: Annotated[Path, typer.Argument(help="JSON-lines file, one event per line.", exists=True)],
) -> None:
    """Validate every line, then publish all events (keyed by subject, acks=all).

    A file with any invalid line is refused whole, naming each bad line; nothing is sent.
    """
    events = read_events(file)
    with get_runtime().publisher() as publisher, Progress(console=console) as progress:
        task = progress.add_task("publishing", total=len(events))
        for event in events:
            publisher.send(event)
            progress.advance(task)
        publisher.flush()
    console.print(f"published {len(events)} events from {file} (all confirmed by the broker)")


@app.command()
def demo() -> None:
    """Publish a few events of every family to the broker, read them back and print them."""
    from rich.table import Table

    from connectors.demo_events import demo_events
    from connectors.readback import read_back
    from connectors.topics import all_topics

    rt = get_runtime()
    events = demo_events()
    with rt.publisher() as publisher:
        publisher.publish(events)
    console.print(f"published {len(events)} events to {rt.bootstrap_servers}")
    table = Table(title="read back from Kafka")
    for column in ("topic", "p", "offset", "event", "subject"):
        table.add_column(column, no_wrap=True)
    table.add_column("summary", overflow="fold")
    found = 0
    topics = all_topics(rt.settings.topic_prefix)[:-1]
    for topic, partition, offset, event in read_back(
        rt.bootstrap_servers, topics, {str(e.event_id) for e in events}
    ):
        summary = " ".join(
            f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}"
            for k, v in event.model_dump(mode="json").items()
            if (k.endswith("_vnd") and v)
            or k in {"month", "effective_month", "item_code", "quantity"}
        )
        table.add_row(topic, str(partition), str(offset), event.event_type, event.subject, summary)
        found += 1
    console.print(table)
    if found != len(events):
        raise typer.Exit(1)
