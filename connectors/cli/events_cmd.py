"""``aidledger publish FILE`` and ``aidledger demo``: put events on Kafka."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from connectors.cli.app import app, console, get_runtime
from connectors.jsonl import read_messages


@app.command()
def publish(
    file: Annotated[Path, typer.Argument(help="JSON-lines file, one event per line.", exists=True)],
) -> None:
    """Validate every line, then publish all events (keyed by subject, acks=all).

    A file with any invalid line (or an event too large for one message) is refused whole,
    naming each bad line; nothing is sent.
    """
    rt = get_runtime()
    messages = read_messages(file, rt.settings.topic_prefix)
    with rt.publisher() as publisher, Progress(console=console) as progress:
        task = progress.add_task("publishing", total=len(messages))
        for topic, key, value in messages:
            publisher.send_raw(topic, key, value)
            progress.advance(task)
        publisher.flush()
    console.print(f"published {len(messages)} events from {file} (all confirmed by the broker)")
