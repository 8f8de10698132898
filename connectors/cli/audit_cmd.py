"""``aidledger audit ...``: verify the chain, replay, sign checkpoints, prove, explain, export.

The logic lives in ``ledger.audit``; this module parses options, shows progress and prints.
A failed check raises an AidLedgerError with exit code 1 (bad input 3, no database 4).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from connectors.cli import options
from connectors.cli.app import app, console, err_console, get_runtime
from connectors.console_tables import print_whole
from ledger.audit import checkpoint as ckpt
from ledger.audit import proofs
from ledger.audit.db import Database
from ledger.audit.errors import AuditInputError, ChainBroken, ReplayMismatch

audit_app = typer.Typer(
    help="Audit: verify, replay, checkpoints, proofs, explain, export.", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")

Schema = Annotated[str, typer.Option("--schema", help="Ledger schema.", callback=options.schema)]
Role = Annotated[
    str | None,
    typer.Option("--role", help="SET ROLE to this role (e.g. aidledger_auditor) before reading."),
]
PublicKey = Annotated[
    Path | None,
    typer.Option(
        "--public-key", help="The signer's public key (PEM), as the department published it."
    ),
]


def _db(role: str | None = None) -> Database:
    return Database.from_url(get_runtime().database_url, role)


class _Rate(ProgressColumn):
    """Events done (of the total, when known) and events per second."""

    def render(self, task: Task) -> Text:
        total = f"/{task.total:,.0f}" if task.total is not None else ""
        return Text(
            f"{task.completed:,.0f}{total}  {task.speed or 0:,.0f} events/s",
            style="progress.data.speed",
        )


def _progress(auto_refresh: bool = True) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        _Rate(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        auto_refresh=auto_refresh,
    )


@audit_app.command()
def verify(
    schema: Schema = "ledger",
    role: Role = None,
    workers: Annotated[int | None, typer.Option(help="Parallel scanners.")] = None,
) -> None:
    """Recompute the hash chain of the whole store; exit 1 at the first broken link."""
    from ledger.audit.verify import verify_store

    # No refresh thread: a single-threaded process may fork its scanners (no re-import).
    with _progress(auto_refresh=False) as bar:
        task = bar.add_task("verifying", total=None)

        def advance(n: int) -> None:
            bar.advance(task, n)
            bar.refresh()

        report = verify_store(_db(role), schema, workers=workers, progress=advance)
    if report.problem is not None:
        raise ChainBroken(f"{report.problem} ({report.count:,} events before it are intact)")
    console.print(
        f"chain intact: {report.count:,} events, head sequence {report.head_sequence}, "
        f"head hash {report.head_hash} ({report.rate:,.0f} events/s)"
    )


@audit_app.command()
def replay(
    from_kafka: Annotated[
        bool,
        typer.Option("--from-kafka/--from-store", help="Read the topics instead of the store."),
    ] = False,
    until: Annotated[
        str | None,
        typer.Option(
            help="Only events recorded on or before this date (YYYY-MM-DD, UTC).",
            callback=options.day,
        ),
    ] = None,
    schema: Schema = "ledger",
    scratch: Annotated[
        str | None, typer.Option(help="Scratch schema name.", callback=options.schema)
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the scratch schema afterwards.")] = False,
    batch: Annotated[int, typer.Option(help="Events per append.")] = 10_000,
    order: Annotated[
        str,
        typer.Option(
            help="Kafka only: 'live' (the order the live ledger "
            "applied, when it holds the origins) or 'recorded'."
        ),
    ] = "live",
    into: Annotated[
        bool,
        typer.Option(
            "--into-live",
            help="Kafka only: rebuild INTO the "
            "live schema, which must hold no event (after losing "
            "the database); stores the consumer positions.",
        ),
    ] = False,
) -> None:
    """Rebuild the ledger from its history in a scratch schema and compare with the live one."""
    from ledger.audit import history
    from ledger.audit import replay as rp

    rt, cutoff = get_runtime(), _end_of(until)
    db, name = _db(), scratch or rp.scratch_name()
    if into:
        _rebuild_live(rt, db, schema, batch)
        return
    if from_kafka:
        from connectors.topics import topic_name
        from schemas.registry import FAMILY_TOPICS

        if order not in ("live", "recorded"):
            raise AuditInputError(f"--order must be live or recorded, not {order!r}")
        topics = [topic_name(t, rt.settings.topic_prefix) for t in FAMILY_TOPICS.values()]
        partitions = history.read_topics(rt.bootstrap_servers, topics)
        origins = history.live_origins(db, schema) if order == "live" else {}
        total = sum(map(len, partitions))
        records = (
            history.in_live_order(partitions, origins, cutoff)
            if origins
            else history.merged(partitions, cutoff)
        )
        exact = bool(origins) and cutoff is None
        stored = None
    else:
        # The read models are projected by a second process reading the same fixed range.
        stored = history.store_range(db, schema, cutoff)
        total, records = stored.total, history.from_range(db, stored)
        exact = cutoff is None
    source = "kafka" if from_kafka else "store"
    try:
        with _progress() as bar:
            task = bar.add_task(f"replaying from the {source}", total=total)
            outcome = rp.rebuild(
                rt.database_url,
                name,
                records,
                _projectors(),
                source=source,
                batch=batch,
                progress=lambda n: bar.advance(task, n),
                read_models_from=stored,
            )
        through = None if stored is None else stored.through
        rp.check(db, schema, outcome, exact=exact, until=cutoff, through=through)
        outcome.notes.append(
            (
                "compared row by row"
                if exact
                else "compared by content (sequence-dependent columns left out)"
            )
            + f" in {outcome.compare_seconds:.1f} s; digest in {outcome.digest_seconds:.1f} s"
        )
    finally:
        if not keep:
            rp.drop(db, name)
    _print_replay(outcome, keep)


def _rebuild_live(rt: Any, db: Database, schema: str, batch: int) -> None:
    """Disaster recovery: every Kafka record, merged by recorded_at, into the empty schema."""
    from connectors.topics import topic_name
    from ledger.audit import history
    from ledger.audit import replay as rp
    from schemas.registry import FAMILY_TOPICS

    topics = [topic_name(t, rt.settings.topic_prefix) for t in FAMILY_TOPICS.values()]
    partitions = history.read_topics(rt.bootstrap_servers, topics)
    with _progress() as bar:
        task = bar.add_task("rebuilding from Kafka", total=sum(map(len, partitions)))
        outcome = rp.rebuild(
            rt.database_url,
            schema,
            history.merged(partitions),
            _projectors(),
            source="kafka",
            batch=batch,
            consumer=rt.settings.consumer_group,
            into_empty=True,
            progress=lambda n: bar.advance(task, n),
        )
    console.print(
        f"rebuilt schema {schema} from Kafka: {outcome.appended:,} events appended, "
        f"{outcome.already_recorded:,} repeats, {len(outcome.conflicts)} conflicts, "
        f"{len(outcome.refused)} refused ({outcome.rate:,.0f} events/s); positions stored for "
        f"consumer group {rt.settings.consumer_group}; next: aidledger audit verify"
    )


def _print_replay(outcome: Any, kept: bool) -> None:
    console.print(
        f"replayed {outcome.read:,} events from the {outcome.source} in {outcome.seconds:.1f} s "
        f"({outcome.rate:,.0f} events/s): {outcome.appended:,} appended, "
        f"{outcome.already_recorded:,} already recorded, {len(outcome.conflicts)} conflicts, "
        f"{len(outcome.refused)} refused"
    )
    for line in [*outcome.conflicts[:5], *outcome.refused[:5], *outcome.notes]:
        console.print(f"  {line}", highlight=False)
    console.print(
        f"scratch schema {outcome.scratch} ({'kept' if kept else 'dropped'}), digest "
        f"{outcome.digest}"
    )
    broken = outcome.differences or (outcome.source == "store" and outcome.refused)
    if broken:
        for difference in outcome.differences:
            console.print(f"  [red]differs[/] {difference}", highlight=False)
        raise ReplayMismatch(
            f"the replay differs from the live ledger in "
            f"{len(outcome.differences)} tables, {len(outcome.refused)} stored "
            "events no longer parse"
        )
    console.print("the replay equals the live ledger")


def _projectors() -> list[Any]:
    """The read models the composition root registers (the worker's domain projectors)."""
    return list(get_runtime().projectors())


@audit_app.command()
def keygen(path: Annotated[Path, typer.Argument(help="Private key file to create.")]) -> None:
    """Create an Ed25519 signing key (PATH, mode 0600) and its public key (PATH.pub)."""
    key = ckpt.generate_key(path)
    console.print(
        f"key {ckpt.compute_key_id(key.public_key())}: private {path}, public "
        f"{ckpt.public_key_path(path)} (publish the .pub file; keep {path} secret)"
    )


@audit_app.command()
def checkpoint(
    key: Annotated[Path, typer.Option("--key", help="Private signing key (from keygen).")],
    month: Annotated[
        str | None,
        typer.Option(
            help="YYYY-MM: events appended until the month ended; default everything so far.",
            callback=options.month,
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Also write the checkpoint here.")] = None,
    schema: Schema = "ledger",
) -> None:
    """Sign and record a checkpoint: Merkle root of events 1..N, chain head, count."""
    from ledger.audit import checkpoints as cps

    private = ckpt.load_private_key(key)
    db = _db()
    recorded = cps.sign_and_record(db, schema, cps.build(db, schema, month), private)
    cp = recorded.checkpoint
    if out is not None:
        ckpt.to_file(cp, out)
    console.print(
        f"checkpoint {cp.month or '(all so far)'}: {cp.tree_size:,} events, root "
        f"{cp.root_hash}, chain head {cp.chain_head}, key {cp.key_id}"
        + (f", written to {out}" if out else "")
    )


@audit_app.command()
def prove(
    event_id: Annotated[str, typer.Argument(help="The event's id.", callback=options.event_id)],
    checkpoint_file: Annotated[
        Path | None, typer.Option("--checkpoint", help="Prove against this checkpoint's tree.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the proof here (else print).")] = None,
    payload: Annotated[
        bool, typer.Option(help="Include the event's canonical bytes (personal data).")
    ] = True,
    schema: Schema = "ledger",
    role: Role = None,
) -> None:
    """Print an inclusion proof (leaf index, tree size, audit path) for offline checking."""
    from ledger.audit.store_proofs import prove_event

    cp = ckpt.from_file(checkpoint_file) if checkpoint_file else None
    proof = prove_event(_db(role), schema, event_id, cp, with_payload=payload)
    if out is None:
        typer.echo(proof.model_dump_json(indent=2))  # plain: Rich would wrap long lines
    else:
        proofs.write(proof, out)
        console.print(f"inclusion proof of event {event_id} written to {out}")


@audit_app.command("verify-proof")
def verify_proof(
    proof_file: Annotated[Path, typer.Argument(help="An inclusion proof from `prove`.")],
    checkpoint_file: Annotated[
        Path | None, typer.Option("--checkpoint", help="The signed checkpoint it should lead to.")
    ] = None,
    public_key: PublicKey = None,
) -> None:
    """Check an inclusion proof offline (and that it leads to the checkpoint's signed root)."""
    proof = proofs.read_inclusion(proof_file)
    cp = _signed(checkpoint_file, public_key) if checkpoint_file else None
    proofs.check_inclusion(proof, cp)
    console.print(
        f"proof verifies: event {proof.event_id} is leaf {proof.leaf_index} of the "
        f"{proof.tree_size}-event tree with root {proof.root_hash}"
        + (f", the root of the signed {cp.describe()}" if cp else "")
    )


@audit_app.command("verify-checkpoint")
def verify_checkpoint(
    file: Annotated[Path, typer.Argument(help="A checkpoint file.")],
    against: Annotated[
        Path | None, typer.Option(help="A later checkpoint file, or an export directory.")
    ] = None,
    public_key: PublicKey = None,
    proof: Annotated[
        Path | None,
        typer.Option(help="Consistency proof file (else from the export or the store)."),
    ] = None,
    save_proof: Annotated[Path | None, typer.Option(help="Write the proof used here.")] = None,
    schema: Schema = "ledger",
    role: Role = None,
) -> None:
    """Check a checkpoint's signature, and that history since was only appended to."""
    from ledger.audit import store_proofs

    old = _signed(file, public_key)
    if against is None:
        store_proofs.store_matches(_db(role), schema, old)
        console.print(f"the store still holds exactly the {old.describe()} (root {old.root_hash})")
        return
    later = against / "checkpoint.json" if against.is_dir() else against
    new = _signed(later, public_key)
    if proof is not None:
        link = proofs.read_consistency(proof)
    elif against.is_dir():
        link = _proof_in_export(against, old)
    else:
        link = store_proofs.prove_consistency(_db(role), schema, old, new)
    if save_proof is not None:
        proofs.write(link, save_proof)
    proofs.check_consistency(link, old, new)
    console.print(
        f"consistent: the {old.describe()} is a prefix of the {new.describe()}; "
        "history was only appended to"
    )


def _proof_in_export(directory: Path, old: ckpt.Checkpoint) -> proofs.ConsistencyProof:
    for entry in json.loads((directory / "consistency.json").read_text(encoding="utf-8")):
        if entry["checkpoint"]["tree_size"] == old.tree_size:
            return proofs.ConsistencyProof.model_validate(entry["proof"])
    raise AuditInputError(f"the export in {directory} has no proof from the {old.describe()}")


def _signed(path: Path, public_key: Path | None) -> ckpt.Checkpoint:
    cp = ckpt.from_file(path)
    if public_key is None:
        err_console.print(f"[yellow]signature of {path} NOT checked: give --public-key[/]")
    else:
        ckpt.verify_signature(cp, ckpt.load_public_key(public_key))
    return cp


@audit_app.command()
def explain(
    person: Annotated[str, typer.Argument(help="Person id.")],
    account: Annotated[
        str, typer.Option(help="Account kind (paid, accrued:regular...) or a full account code.")
    ],
    as_of: Annotated[
        str, typer.Option("--as-of", help="Business date YYYY-MM-DD.", callback=options.day)
    ],
    asset: Annotated[str | None, typer.Option(help="Asset, when the account has several.")] = None,
    known_on: Annotated[
        str | None, typer.Option(help="Only facts recorded by this date.", callback=options.day)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    schema: Schema = "ledger",
    role: Role = None,
) -> None:
    """How a person's balance came to be: each event, posting, running balance and source."""
    from ledger.audit.explain import explain as explain_account

    found = explain_account(
        _db(role),
        schema,
        person,
        account,
        _date(as_of),
        asset=asset,
        known_on=_date(known_on) if known_on else None,
    )
    if as_json:
        for step in found.steps:
            typer.echo(json.dumps(asdict(step), default=str, ensure_ascii=False))
        return
    table = Table(title=f"{found.account} ({found.asset}) as of {found.as_of}")
    # Figures and dates are never cut; the event, source and Kafka position wrap instead.
    for column in ("seq", "date", "event", "amount", "balance", "source", "kafka"):
        table.add_column(
            column,
            justify="right" if column in ("amount", "balance") else "left",
            no_wrap=column in ("seq", "date", "amount", "balance"),
            overflow="fold",
        )
    for s in found.steps:
        origin = " / ".join(x for x in (s.source, s.operator, s.reference) if x)
        table.add_row(
            str(s.sequence),
            str(s.business_date),
            f"{s.event_type} {s.event_id}",
            f"{s.amount:,}",
            f"{s.running:,}",
            origin,
            s.kafka or "-",
        )
    print_whole(console, table)
    console.print(
        f"balance {found.balance:,} {found.asset} from {len(found.steps)} postings (debit positive)"
    )


@audit_app.command()
def export(
    month: Annotated[
        str,
        typer.Option(help="YYYY-MM (its checkpoint must be recorded).", callback=options.month),
    ],
    out: Annotated[Path, typer.Option(help="Directory to write.")],
    schema: Schema = "ledger",
) -> None:
    """Write a month's events, its checkpoint and the chain before it, for offline checking."""
    from ledger.audit.export import export_month

    summary = export_month(_db(), schema, month, out)
    console.print(
        f"exported {summary.count:,} events ({summary.first_sequence}.."
        f"{summary.last_sequence}) of {month} to {out}"
    )


@audit_app.command("verify-export")
def verify_export(
    directory: Annotated[Path, typer.Argument(help="An export directory.")],
    public_key: PublicKey = None,
    against: Annotated[Path | None, typer.Option(help="An earlier checkpoint you hold.")] = None,
) -> None:
    """Recompute an export's chain segment and Merkle root, with no database."""
    from ledger.audit.export_check import verify_export as check

    result = check(
        directory,
        ckpt.load_public_key(public_key) if public_key else None,
        ckpt.from_file(against) if against else None,
    )
    for line in result.checked:
        console.print(f"[green]ok[/] {line}", highlight=False)
    for line in result.warnings:
        console.print(f"[yellow]note[/] {line}", highlight=False)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AuditInputError(f"{value!r} is not a date written YYYY-MM-DD") from None


def _end_of(value: str | None) -> datetime | None:
    return datetime.combine(_date(value) + timedelta(days=1), time(0), UTC) if value else None
