"""``aidledger db migrate``, ``balance``, ``history`` and ``ledger append``: the ledger by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from connectors.cli import options
from connectors.cli.app import app, console, get_runtime
from connectors.console_tables import print_whole
from connectors.jsonl import read_events
from ledger import DuplicateEventConflict, Ledger
from ledger.ledger import ensure_migrated
from schemas.errors import AidLedgerError

db_app = typer.Typer(help="The ledger database: migrations.", no_args_is_help=True)
ledger_app = typer.Typer(
    help="The append-only ledger: append events directly.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(ledger_app, name="ledger")

Schema = Annotated[
    str,
    typer.Option("--schema", help="PostgreSQL schema of the ledger.", callback=options.schema),
]


class ConflictsReported(AidLedgerError):
    """Some events conflicted with recorded ones (same id, different content)."""

    exit_code = 3


def _day(value: str | None) -> date | None:
    """A date option, already checked by ``options.day``."""
    return date.fromisoformat(value) if value else None


def _ledger(schema: str) -> Ledger:
    runtime = get_runtime()
    ensure_migrated(runtime.database_url, schema)
    return Ledger(runtime.engine, schema)


@db_app.command("migrate")
def migrate(schema: Schema = "ledger") -> None:
    """Create or upgrade the ledger tables, roles and grants (every head revision)."""
    ran = ensure_migrated(get_runtime().database_url, schema)
    console.print(f"schema {schema}: {'migrated to the latest revisions' if ran else 'up to date'}")


def _vnd(amount: int) -> str:
    return f"{amount:,} ₫"


@app.command()
def balance(
    person: Annotated[str, typer.Argument(help="The person's id.")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Business date, YYYY-MM-DD.", callback=options.day),
    ] = None,
    known_on: Annotated[
        str | None,
        typer.Option(
            "--known-on",
            help="Only what was recorded by then (end of day).",
            callback=options.day,
        ),
    ] = None,
    schema: Schema = "ledger",
) -> None:
    """A person's allowance, payments, arrears, overpayment, relief and BHYT coverage."""
    b = _ledger(schema).balances(person, _day(as_of), _day(known_on))
    title = f"{person} as of {as_of or 'now'}, as known on {known_on or 'now'}"
    table = Table(title=title, show_header=False)
    for component, amount in b.accrued_by_component.items():
        table.add_row(f"accrued: {component}", _vnd(amount))
    for label, amount in (
        ("accrued (regular + arrears + funeral)", b.accrued),
        ("paid", b.paid),
        ("owed (accrued − paid − recovered)", b.owed),
        ("overpaid, to recover", b.overpaid),
    ):
        table.add_row(label, _vnd(amount))
    for item, got in b.relief.items():
        table.add_row(f"relief: {item}", f"{got.quantity:,} ({_vnd(got.value_vnd)})")
    for card in b.coverage:
        table.add_row("BHYT card", f"{card.card_number} valid to {card.valid_to}")
    if not b.coverage:
        table.add_row("BHYT card", "none valid on that day")
    print_whole(console, table)


@app.command()
def history(
    person: Annotated[str, typer.Argument(help="The person's id.")], schema: Schema = "ledger"
) -> None:
    """A person's timeline: each event and its postings with running balances."""
    entries = _ledger(schema).history(person)
    table = Table(title=f"history of {person}")
    # Figures and dates are never cut; the event and account wrap when the terminal is narrow.
    for column in ("seq", "business date", "recorded", "event", "account", "amount", "balance"):
        figure = column in {"amount", "balance"}
        table.add_column(
            column,
            justify="right" if figure else "left",
            no_wrap=column not in {"event", "account"},
            overflow="fold",
        )
    for e in entries:
        first = (
            str(e.sequence),
            str(e.business_date),
            e.recorded_at.strftime("%Y-%m-%d %H:%M"),
            f"{e.event_type}: {e.description}",
        )
        if not e.postings:
            table.add_row(*first, "", "", "")
        for i, p in enumerate(e.postings):
            lead = first if i == 0 else ("", "", "", "")
            table.add_row(
                *lead,
                f"{p.account} [{p.asset}]",
                f"{p.amount:+,}",
                f"{p.balance_before:,} → {p.balance_after:,}",
            )
    print_whole(console, table)
    if not entries:
        console.print(f"no events recorded for {person}")


@ledger_app.command("append")
def append_file(
    file: Annotated[
        Path,
        typer.Argument(help="JSON-lines file, one event per line.", exists=True, dir_okay=False),
    ],
    batch: Annotated[int, typer.Option("--batch", min=1, help="Events per transaction.")] = 5000,
    schema: Schema = "ledger",
) -> None:
    """Append a file of events directly (no Kafka); a file with a bad line is refused whole."""
    events = read_events(file)
    ledger = _ledger(schema)
    appended = recorded = 0
    conflicts: list[DuplicateEventConflict] = []
    batches = (events[start : start + batch] for start in range(0, len(events), batch))
    for result in ledger.append_all(batches):
        appended += len(result.appended)
        recorded += len(result.already_recorded)
        conflicts.extend(result.conflicts)
    console.print(
        f"{file}: appended {appended}, already recorded {recorded}, conflicts {len(conflicts)}"
    )
    for conflict in conflicts:
        console.print(f"[red]conflict:[/] {conflict}", highlight=False)
    if conflicts:
        raise ConflictsReported(
            f"{len(conflicts)} event(s) of {file} conflict with recorded "
            "events and were not applied (listed above)"
        )
