"""``aidledger up / down / status``: manage the embedded broker and PostgreSQL."""

from __future__ import annotations

from rich.table import Table

from connectors.cli.app import app, console, get_runtime
from connectors.console_tables import print_whole
from connectors.embedded.process import port_open


@app.command()
def up() -> None:
    """Start the embedded broker and PostgreSQL (unless external ones are configured)."""
    rt = get_runtime()
    _ = rt.bootstrap_servers, rt.database_url
    status()


@app.command()
def down() -> None:
    """Stop the embedded broker and PostgreSQL that `aidledger up` started (by their pid)."""
    rt = get_runtime()
    for name, service in (("broker", rt.broker), ("postgres", rt.postgres)):
        stopped = service.stop()
        console.print(f"{name}: {'stopped' if stopped else 'was not running'}")


@app.command()
def status() -> None:
    """Show both services, whether they run, and how to connect to them."""
    rt = get_runtime()
    s = rt.settings
    table = Table(title="aidledger services")
    for column in ("service", "mode", "state"):
        table.add_column(column)
    table.add_column("connect with", overflow="fold")
    if s.kafka_bootstrap_servers:
        table.add_row("kafka", "external", "-", f"bootstrap servers {s.kafka_bootstrap_servers}")
    else:
        rec = rt.broker.running()
        state = f"running (pid {rec.pid})" if rec else "stopped"
        table.add_row(
            "kafka",
            "embedded Tansu, MEMORY ONLY: topics are lost on stop",
            state,
            f"bootstrap servers {rt.broker.bootstrap_servers}",
        )
    if s.database_url:
        table.add_row("postgres", "external", "-", s.database_url)
    else:
        rec = rt.postgres.running()
        state = f"running (pid {rec.pid})" if rec else "stopped"
        table.add_row(
            "postgres",
            f"embedded, durable in {rt.postgres.pgdata}",
            state,
            f"psql {rt.postgres.psql_url()}",
        )
    print_whole(console, table)
    if not s.kafka_bootstrap_servers and rt.broker.running() and not port_open(s.broker_port):
        console.print("[yellow]the broker process runs but its port is not open yet[/]")
